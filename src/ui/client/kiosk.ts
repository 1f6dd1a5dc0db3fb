/**
 * The public screen's script: follows the kiosk over Server-Sent Events
 * (/events), draws each screen in the person's language, sends keys typed on
 * the screen or a keyboard (digits; Enter is #; Escape or Backspace is *).
 */
import type { Screen } from '../../domain/screens.js';
import { isLang, type Lang } from '../messages/index.js';
import { View, type Kiosk } from './view.js';

interface ScreenMessage {
  screen: { id: Screen['id']; params: Record<string, unknown> };
  now: number;
}

const view = new View(sendKey);
const fromQuery = new URLSearchParams(location.search).get('lang');
const bodyLang = document.body.dataset.lang;
let firstLang: Lang = isLang(fromQuery) ? fromQuery : isLang(bodyLang) ? bodyLang : 'en';
let lang: Lang = firstLang;
let kiosk: Kiosk | null = null;
let screen: Screen | null = null;
/** The kiosk's clock minus the page's, so countdowns follow the kiosk. */
let skew = 0;
let contrast = false;
let ticker: number | null = null;

function draw(announce: boolean): void {
  if (!kiosk || !screen) return;
  view.render(screen, lang, kiosk, Date.now() + skew, announce);
}

function onScreen(m: ScreenMessage): void {
  const next = { id: m.screen.id, ...m.screen.params } as Screen;
  skew = m.now - Date.now();
  // Back at idle, the next person gets the kiosk's own language and look.
  if (next.id === 'idle' && screen !== null && screen.id !== 'idle') {
    lang = firstLang;
    setContrast(false);
  }
  screen = next;
  draw(true);
  if (ticker !== null) window.clearInterval(ticker);
  ticker = next.id === 'wait' ? window.setInterval(() => draw(false), 250) : null;
}

function setContrast(on: boolean): void {
  contrast = on;
  view.setContrast(on);
}

let sending: Promise<unknown> = Promise.resolve();
/** Keys go to the kiosk one request after another, so they arrive in the order typed. */
function sendKey(k: string): void {
  sending = sending
    .then(() => fetch('/api/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: k }) }))
    .catch(() => undefined);
}

document.getElementById('lang')?.addEventListener('click', () => {
  lang = lang === 'en' ? 'ja' : 'en';
  draw(true);
});
document.getElementById('contrast')?.addEventListener('click', () => {
  setContrast(!contrast);
});

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const onButton = e.target instanceof HTMLButtonElement;
  let key: string | null = null;
  if (/^[0-9]$/.test(e.key)) key = e.key;
  else if (e.key === '*' || e.key === '#') key = e.key;
  else if (e.key === 'Enter' && !onButton) key = '#';
  else if (e.key === 'Escape' || e.key === 'Backspace') key = '*';
  if (key === null) return;
  e.preventDefault();
  sendKey(key);
});

function connect(): void {
  const es = new EventSource('/events');
  es.addEventListener('kiosk', (ev) => {
    const k = JSON.parse((ev as MessageEvent<string>).data) as Kiosk;
    if (kiosk === null && !isLang(fromQuery)) {
      firstLang = k.lang;
      lang = k.lang;
    }
    kiosk = k;
    view.setBank(k.bank);
    view.setConnected(true, lang);
    draw(false);
  });
  es.addEventListener('screen', (ev) => onScreen(JSON.parse((ev as MessageEvent<string>).data) as ScreenMessage));
  es.addEventListener('error', () => {
    view.setConnected(false, lang);
    // A refused reconnect can leave the stream closed for good: start a new one.
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      window.setTimeout(connect, 1000);
    }
  });
}

connect();
