/**
 * The three pages' HTML shells. Words and state come from the bundled
 * scripts (src/ui/client/); the shells load nothing from outside the kiosk.
 */
import { chrome, isLang, locale, type Lang } from './messages/index.js';
import { PUBLIC_CSS } from './page-style.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The public screen `/`. `?lang=` picks the first language; the rest is the script's. */
export function publicHtml(defaultLang: Lang, url: string): string {
  const q = new URL(url, 'http://kiosk').searchParams.get('lang');
  const lang = isLang(q) ? q : defaultLang;
  const c = chrome[lang];
  return `<!doctype html>
<html lang="${locale(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(c.kioskTitle)}</title>
<style>${PUBLIC_CSS}</style></head>
<body data-lang="${lang}">
<header><span class="brand" id="brand">${esc(c.kioskTitle)}</span>
<div class="tools"><button type="button" class="quiet" id="contrast" aria-pressed="false">${esc(c.contrast)}</button>
<button type="button" class="quiet" id="lang"></button></div></header>
<main>
<div id="content">
<ol id="progress" hidden></ol>
<h1 id="title" tabindex="-1">${esc(c.offline)}</h1>
<p id="text"></p>
<figure id="figure" aria-labelledby="door-label door-num" hidden><p id="door"><span class="label" id="door-label"></span><strong id="door-num"></strong></p><div id="map" role="img" aria-label="${esc(c.bankMap)}"></div></figure>
<p id="amount" role="group" aria-labelledby="amount-label" hidden></p>
<p id="countdown" role="timer" hidden></p>
<p id="entry" role="status" aria-label="${esc(c.entered)}" hidden></p>
</div>
<div id="keypad" role="group" hidden></div>
</main>
<div id="live" class="vh" role="status" aria-live="polite" aria-atomic="true"></div>
<p id="offline" role="alert" hidden></p>
<script src="/assets/kiosk.js" defer></script>
</body></html>`;
}

const PANEL_CSS = `
*{box-sizing:border-box}body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#f4f4f0;color:#1a1a1a}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px;padding:12px}
h1{font-size:1.3em;margin:12px 12px 0}h2{font-size:1.05em;margin:0 0 8px}
section{background:#fff;border-radius:8px;padding:12px;border:1px solid #c8c8c8}
button{font:inherit;min-width:44px;min-height:44px;padding:4px 10px;border-radius:6px;border:2px solid #0a4d8c;background:#0a4d8c;color:#fff;cursor:pointer}
button.off{background:#fff;color:#0a4d8c}
button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #b3261e;outline-offset:2px}
.keys{display:grid;grid-template-columns:repeat(3,56px);gap:6px}.keys button{font-size:1.3em}
.doors{display:grid;grid-template-columns:repeat(auto-fill,minmax(110px,1fr));gap:6px}
.row{display:flex;gap:6px;flex-wrap:wrap;align-items:center;margin-top:6px}
input,select{font:inherit;min-height:44px;padding:4px 8px;border:2px solid #6b6b6b;border-radius:6px;width:100%}
ul{padding-left:18px;margin:0;max-height:320px;overflow:auto;font-size:.9em}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left}
#screen{font-size:1.1em;background:#12344d;color:#fff;border-radius:6px;padding:10px}
#screen code{color:#ffe38a}
`;

/** `/sim`: the hardware of a simulated kiosk, for a newcomer next to `/`. */
export function simHtml(kioskId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simulated hardware — ${esc(kioskId)}</title><style>${PANEL_CSS}</style></head>
<body><header><h1>Simulated hardware of ${esc(kioskId)}</h1></header>
<main>
<section aria-labelledby="h-screen"><h2 id="h-screen">The kiosk shows</h2><p id="screen" aria-live="polite">…</p></section>
<section aria-labelledby="h-keypad"><h2 id="h-keypad">Keypad</h2><div class="keys" id="keys"></div></section>
<section aria-labelledby="h-scan"><h2 id="h-scan">Scanner</h2>
<form id="scan-form"><label for="scan">Barcode text (txn, seller/txn, PKS1.…, courier:ID)</label><input id="scan" autocomplete="off">
<div class="row"><button type="submit">Scan</button></div></form></section>
<section aria-labelledby="h-doors"><h2 id="h-doors">Doors</h2><div class="doors" id="doors"></div></section>
<section aria-labelledby="h-items" id="items-section" hidden><h2 id="h-items">Item sensors</h2><div class="doors" id="items"></div></section>
<section aria-labelledby="h-cash"><h2 id="h-cash">Cash</h2>
<div class="row" id="cash"></div></section>
<section aria-labelledby="h-media"><h2 id="h-media">Card, tag and finger</h2>
<form id="card-form"><label for="card-slip">Slip on the card (PKS1.…)</label><input id="card-slip" autocomplete="off">
<label for="card-pin">Card PIN</label><input id="card-pin" autocomplete="off" inputmode="numeric">
<div class="row"><button type="submit">Insert card</button><button type="button" id="card-out" class="off">Remove card</button></div></form>
<form id="tag-form"><label for="tag-text">Tag text (PKS1.…)</label><input id="tag-text" autocomplete="off"><div class="row"><button type="submit">Present tag</button></div></form>
<form id="finger-form"><label for="finger">Finger template (base64)</label><input id="finger" autocomplete="off">
<div class="row"><button type="submit">Place finger</button><button type="button" id="finger-lift" class="off">Lift finger</button></div></form></section>
<section aria-labelledby="h-events"><h2 id="h-events">Events</h2><p id="error" role="alert"></p><ul id="events"></ul></section>
</main>
<script src="/assets/sim.js" defer></script></body></html>`;
}

/** `/operator`: staff only (loopback). */
export function operatorHtml(kioskId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Operator — ${esc(kioskId)}</title><style>${PANEL_CSS}</style></head>
<body><header><h1>Operator: ${esc(kioskId)}</h1></header>
<main>
<section aria-labelledby="h-c"><h2 id="h-c">Compartments</h2><table><thead><tr><th scope="col">Compartment</th><th scope="col">Size</th><th scope="col">State</th><th scope="col">Door</th><th scope="col">Occupancy</th><th scope="col">Note</th></tr></thead><tbody id="compartments"></tbody></table></section>
<section aria-labelledby="h-o"><h2 id="h-o">Outbox</h2><p id="outbox"></p><ul id="outbox-rows"></ul></section>
<section aria-labelledby="h-a"><h2 id="h-a">Alarms</h2><ul id="alarms"></ul></section>
<section aria-labelledby="h-d"><h2 id="h-d">Devices and link</h2><ul id="devices"></ul></section>
<section aria-labelledby="h-e"><h2 id="h-e">Events</h2><ul id="events"></ul></section>
</main>
<script src="/assets/operator.js" defer></script></body></html>`;
}
