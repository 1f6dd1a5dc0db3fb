/**
 * The kiosk's plain page: the current screen, and — on a simulated kiosk — a
 * sim panel (keypad, scan box, door buttons) so a newcomer can click through
 * a pickup. It polls /api/state; no framework, no build step.
 */
export function pageHtml(opts: { kioskId: string; simulated: boolean }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pickup-kiosk ${esc(opts.kioskId)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f0;color:#222}
main{display:grid;grid-template-columns:minmax(320px,2fr) minmax(280px,1fr);gap:16px;padding:16px}
#screen{background:#12344d;color:#fff;border-radius:12px;padding:32px;min-height:160px;font-size:1.6em}
#screen small{display:block;opacity:.6;font-size:.5em;margin-bottom:8px}
section{background:#fff;border-radius:12px;padding:16px;margin-bottom:16px}
.keys{display:grid;grid-template-columns:repeat(3,64px);gap:8px}
.keys button{height:56px;font-size:1.4em}
.doors{display:grid;grid-template-columns:repeat(auto-fill,minmax(92px,1fr));gap:8px}
.door{border:2px solid #999;border-radius:8px;padding:6px;text-align:center;font-size:.9em}
.door.open{border-color:#c60;background:#fff3e0}.door.occupied{background:#e8f0ff}.door.check{background:#fde}
.door button{margin-top:4px;width:100%}
ul{padding-left:18px;max-height:240px;overflow:auto;font-size:.85em}
input{width:100%;box-sizing:border-box;padding:8px;font-size:1em}
</style></head><body>
<main><div>
<div id="screen"><small id="sid">…</small><span id="stext">…</span></div>
<section><h3>Compartments</h3><div class="doors" id="doors"></div></section>
<section><h3>Outbox and events</h3><div id="link"></div><ul id="events"></ul></section>
</div><div>
${opts.simulated ? simPanel() : '<section><p>Real devices are configured: the sim panel is off.</p></section>'}
</div></main>
<script>
const simulated = ${opts.simulated ? 'true' : 'false'};
async function post(path, body){const r=await fetch(path,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)});const j=await r.json();if(!r.ok)alert(j.error);refresh();return j}
function el(t,attrs,text){const e=document.createElement(t);Object.assign(e,attrs||{});if(text!==undefined)e.textContent=text;return e}
async function refresh(){
  const s=await (await fetch('/api/state')).json();
  document.getElementById('sid').textContent=s.screen.id;
  document.getElementById('stext').textContent=s.screen.text;
  const doors=document.getElementById('doors');doors.replaceChildren();
  for(const c of s.compartments){
    const d=el('div',{className:'door '+c.state+(c.doorOpen?' open':'')});
    d.append(el('b',{},c.id),el('div',{},c.size+' · '+c.state+(c.doorOpen?' · open':'')));
    if(simulated){const b=el('button',{},c.doorOpen?'close door':'open door');b.onclick=()=>post('/sim/door/'+c.id,{open:!c.doorOpen});d.append(b)}
    doors.append(d)
  }
  document.getElementById('link').textContent='broker: '+(s.link.connected?'connected':'not connected')+' · outbox waiting: '+s.outbox.pending;
  const ev=document.getElementById('events');ev.replaceChildren();
  for(const e of s.events){ev.append(el('li',{},e))}
}
setInterval(()=>{refresh().catch(()=>{})},500);refresh();
</script></body></html>`;
}

function simPanel(): string {
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']
    .map((k) => `<button onclick="post('/sim/keypad',{keys:'${k}'})">${k}</button>`)
    .join('');
  return `<section><h3>Keypad</h3><div class="keys">${keys}</div></section>
<section><h3>Scanner</h3><input id="scan" placeholder="txn, seller/txn, PKS1.… or courier:ID">
<button onclick="post('/sim/scan',{text:document.getElementById('scan').value})">Scan</button></section>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
