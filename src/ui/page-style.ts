/**
 * The public screen's style. Sizes follow the viewport's short side, so one
 * layout fits 800×480, 1024×768 and 1080×1920 with nothing below the fold;
 * body text is 4.2vmin (32 px at 1024×768). Colours reach 4.5:1 or more;
 * the contrast mode is white/yellow on black with text a quarter larger.
 */
export const PUBLIC_CSS = `
:root{--fg:#111;--bg:#fff;--muted:#3b3b3b;--accent:#0a4d8c;--accent-fg:#fff;--mark:#b3261e;--line:#6b6b6b;--soft:#eef3f8;--scale:1}
body.contrast{--fg:#fff;--bg:#000;--muted:#f0f0f0;--accent:#ffd400;--accent-fg:#000;--mark:#ffd400;--line:#fff;--soft:#1a1a1a;--scale:1.25}
*{box-sizing:border-box}
[hidden]{display:none!important}
html,body{margin:0;height:100%}
body{font:calc(var(--scale) * 4.2vmin)/1.3 system-ui,"Noto Sans CJK JP","Noto Sans JP",sans-serif;background:var(--bg);color:var(--fg);display:flex;flex-direction:column}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header{display:flex;align-items:center;justify-content:space-between;gap:.5em;padding:.2em .6em;border-bottom:2px solid var(--line);font-size:.6em}
.brand{font-weight:600}
.tools{display:flex;gap:.5em}
button{font:inherit;color:var(--accent-fg);background:var(--accent);border:3px solid var(--accent);border-radius:.4em;min-width:48px;min-height:48px;padding:.1em .7em;cursor:pointer}
button.quiet{background:var(--bg);color:var(--fg);border-color:var(--line)}
button[aria-pressed="true"].quiet{background:var(--fg);color:var(--bg)}
button:focus-visible{outline:4px solid var(--mark);outline-offset:3px}
main{flex:1;min-height:0;display:flex;gap:1em;padding:.4em .8em;align-items:stretch}
#content{flex:1;min-width:0;display:flex;flex-direction:column;gap:.35em}
#progress{display:flex;gap:.4em;list-style:none;margin:0;padding:0;font-size:.55em;flex-wrap:wrap}
#progress li{padding:.15em .6em;border:2px solid var(--line);border-radius:1em;color:var(--muted)}
#progress li.done{border-color:var(--accent);color:var(--fg)}
#progress li[aria-current="step"]{background:var(--accent);border-color:var(--accent);color:var(--accent-fg);font-weight:700}
h1{font-size:1.25em;margin:0;line-height:1.2}
h1:focus{outline:none}
#text{margin:0;max-width:32em}
#figure{margin:0;display:flex;align-items:center;gap:1.2em;flex-wrap:wrap}
#door{margin:0;display:flex;flex-direction:column;line-height:1}
#door .label{font-size:.6em;color:var(--muted)}
#door-num{font-size:4.6em;font-weight:800;letter-spacing:.02em}
#map{display:grid;gap:3px;padding:4px;border:2px solid var(--line);border-radius:6px;background:var(--soft)}
#map span{display:block;width:1.5em;height:1em;border:2px solid var(--line);border-radius:3px;background:var(--bg)}
#map span.here{background:var(--mark);border-color:var(--mark)}
#amount{margin:0;font-size:1.8em;font-weight:800}
#amount .label{display:block;font-size:.35em;font-weight:400;color:var(--muted)}
#countdown{font-size:2.6em;font-weight:800;margin:0;font-variant-numeric:tabular-nums}
#entry{margin:0;font-size:1.4em;font-family:ui-monospace,monospace;letter-spacing:.15em;min-height:1.3em;border-bottom:3px solid var(--line);max-width:12em;overflow:hidden}
#keypad{display:grid;grid-template-columns:repeat(3,minmax(48px,2.4em));grid-auto-rows:minmax(48px,min(12vh,2.1em));gap:.25em;align-content:center}
#keypad button{font-size:.9em;padding:0}
#keypad button.wide{font-size:.55em;white-space:nowrap}
#offline{position:fixed;left:0;right:0;bottom:0;margin:0;padding:.3em .8em;background:var(--fg);color:var(--bg);font-size:.6em}
@media (orientation:portrait){main{flex-direction:column}#keypad{align-self:center;grid-template-columns:repeat(3,minmax(48px,3em));grid-auto-rows:minmax(48px,8vh)}}
`;
