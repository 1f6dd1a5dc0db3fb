/** The staff page: compartments, outbox, alarms, devices; read from /operator/state every two seconds, updated in place. */
import type { OperatorView } from '../operator-state.js';
import { el, keyed, lineKeys, text } from './panel.js';

const time = (ms: number): string => new Date(ms).toLocaleString();

function li(): HTMLElement {
  return document.createElement('li');
}

async function refresh(): Promise<void> {
  let v: OperatorView;
  try {
    v = (await (await fetch('/operator/state')).json()) as OperatorView;
  } catch {
    text(el('outbox'), 'The kiosk does not answer (restarting?)');
    return;
  }
  keyed(
    el('compartments'),
    v.compartments,
    (c) => c.id,
    () => {
      const tr = document.createElement('tr');
      tr.append(document.createElement('th'));
      for (let i = 0; i < 5; i++) tr.append(document.createElement('td'));
      (tr.firstChild as HTMLElement).setAttribute('scope', 'row');
      return tr;
    },
    (tr, c) => {
      const cells = Array.from(tr.children) as HTMLElement[];
      const values = [c.id, c.size, c.state, c.doorOpen === null ? 'unknown' : c.doorOpen ? 'open' : 'closed', c.occupancy, c.note ?? ''];
      cells.forEach((cell, i) => text(cell, values[i] ?? ''));
    },
  );
  text(el('outbox'), `${v.outbox.pending} waiting to be sent; broker ${v.link.connected ? 'connected' : 'not connected'}`);
  keyed(el('outbox-rows'), v.outbox.recent, (r) => `${r.createdAt}-${r.kind}-${r.tries}-${r.acked}`, li, (n, r) => text(n, `${time(r.createdAt)} ${r.kind} — ${r.acked ? 'acknowledged' : `tried ${r.tries}×`}`));
  keyed(el('alarms'), v.alarms, (a) => `${a.at}-${a.kind}-${a.compartment ?? ''}`, li, (n, a) => text(n, `${time(a.at)} ${a.kind}${a.compartment ? ` ${a.compartment}` : ''}${a.detail ? `: ${a.detail}` : ''}`));
  keyed(el('devices'), v.devices, (d) => d.name, li, (n, d) => text(n, `${d.name}: ${d.ok ? 'working' : 'NOT WORKING'} (${d.detail})`));
  keyed(el('events'), lineKeys(v.events), (e) => e.key, li, (n, e) => text(n, e.line));
}

void refresh();
window.setInterval(() => void refresh(), 2000);
