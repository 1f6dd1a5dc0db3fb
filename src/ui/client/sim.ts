/**
 * The hardware panel of a simulated kiosk: every control posts to /sim/*
 * (sim-control.md); the doors, screen and events are read back from
 * /sim/state once a second and updated in place.
 */
import { el, keyed, lineKeys, postJson, text } from './panel.js';

interface SimState {
  compartments: Array<{ id: string; size: string; locked: boolean | null; doorOpen: boolean | null; itemPresent: boolean | null; unlockPulses: number }>;
  screen: { id: string; params: Record<string, unknown>; text: string };
  events?: string[];
}

const error = el('error');

async function call(path: string, body: unknown): Promise<void> {
  try {
    const r = await postJson(path, body);
    text(error, r.ok ? '' : `${path}: ${r.error ?? 'refused'}`);
  } catch (e) {
    text(error, `${path}: ${(e as Error).message}`);
  }
  await refresh();
}

function onSubmit(id: string, fn: () => Promise<void>): void {
  el(id).addEventListener('submit', (e) => {
    e.preventDefault();
    void fn();
  });
}

const keys = el('keys');
for (const k of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = k;
  b.setAttribute('aria-label', `keypad ${k}`);
  b.addEventListener('click', () => void call('/sim/keypad', { keys: k }));
  keys.append(b);
}
onSubmit('scan-form', () => call('/sim/scan', { text: (el('scan') as HTMLInputElement).value.trim() }));
for (const amount of [100, 500, 1000, 5000]) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = `Insert ¥${amount.toLocaleString('en')}`;
  b.addEventListener('click', () => void call('/sim/cash', { amount, currency: 'JPY' }));
  el('cash').append(b);
}
onSubmit('card-form', () =>
  call('/sim/card', { insert: { pin: (el('card-pin') as HTMLInputElement).value.trim(), files: { '5331': (el('card-slip') as HTMLInputElement).value.trim() } } }),
);
el('card-out').addEventListener('click', () => void call('/sim/card', { remove: true }));
onSubmit('tag-form', () => call('/sim/tag', { text: (el('tag-text') as HTMLInputElement).value.trim() }));
onSubmit('finger-form', () => call('/sim/finger', { template: (el('finger') as HTMLInputElement).value.trim() }));
el('finger-lift').addEventListener('click', () => void call('/sim/finger', { lift: true }));

async function refresh(): Promise<void> {
  let s: SimState;
  try {
    s = (await (await fetch('/sim/state')).json()) as SimState;
  } catch {
    text(el('screen'), 'The kiosk does not answer (restarting?)');
    return;
  }
  const screen = el('screen');
  const words = `${s.screen.text}`;
  if (screen.dataset.words !== words + s.screen.id) {
    screen.dataset.words = words + s.screen.id;
    const code = document.createElement('code');
    code.textContent = s.screen.id;
    screen.replaceChildren(code, ` ${words}`);
  }
  keyed(
    el('doors'),
    s.compartments,
    (c) => c.id,
    (c) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.addEventListener('click', () => void call(`/sim/door/${c.id}`, { open: b.dataset.open !== 'true' }));
      return b;
    },
    (node, c) => {
      node.dataset.open = String(c.doorOpen === true);
      node.className = c.doorOpen ? '' : 'off';
      text(node, `${c.doorOpen ? 'Close' : 'Open'} door ${c.id}${c.locked === false ? ' (unlocked)' : ''}`);
    },
  );
  // Compartments with an item sensor (config devices.locks.itemSensors): put a parcel in, or take it out.
  const sensed = s.compartments.filter((c) => c.itemPresent !== null);
  el('items-section').hidden = sensed.length === 0;
  keyed(
    el('items'),
    sensed,
    (c) => c.id,
    (c) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.addEventListener('click', () => void call(`/sim/item/${c.id}`, { present: b.dataset.present !== 'true' }));
      return b;
    },
    (node, c) => {
      node.dataset.present = String(c.itemPresent === true);
      node.className = c.itemPresent ? '' : 'off';
      text(node, c.itemPresent ? `Take item out of ${c.id}` : `Put item into ${c.id}`);
    },
  );
  keyed(
    el('events'),
    lineKeys(s.events ?? []),
    (e) => e.key,
    () => document.createElement('li'),
    (node, e) => text(node, e.line),
  );
}

void refresh();
window.setInterval(() => void refresh(), 1000);
