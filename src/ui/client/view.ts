/**
 * Draws one screen into the public page's fixed elements, in place: the
 * elements are made once and only their text, `hidden` and marks change, so
 * focus stays where the person left it.
 */
import { stepOf, type Money, type Screen, type Step } from '../../domain/screens.js';
import type { BankLayout } from '../bank.js';
import { chrome, formatMessage, formatMoney, locale, screenWords, secondsLeft, type Lang } from '../messages/index.js';

export interface Kiosk {
  lang: Lang;
  timeZone: string;
  keypad: boolean;
  bank: BankLayout;
}

const STEPS: readonly Step[] = ['number', 'code', 'pay', 'door'];

/** Screens where the person types digits: the on-screen keypad shows on these. */
const KEYED = new Set<Screen['id']>([
  'idle', 'enter-txn', 'not-found', 'scan-needed', 'enter-code', 'denied', 'pay', 'door-not-opened',
  'staff-id', 'staff-pin', 'courier-id', 'courier-pin', 'courier-scan', 'courier-size',
  'counter-scan', 'counter-code', 'counter-pay', 'counter-hand-over',
  'operator-menu', 'operator-compartment', 'operator-reason', 'item-inside', 'courier-empty', 'courier-still-inside',
]);

const DOOR_SCREENS = new Set<Screen['id']>(['door-open', 'door-not-opened', 'courier-door', 'item-inside']);

function el(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page element #${id} is missing`);
  return e;
}

function show(e: HTMLElement, on: boolean): void {
  if (e.hidden === on) e.hidden = !on;
}

function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

/** What the person has typed so far: digits they may see, or a dot per secret digit. */
function entryOf(s: Screen): { shown: string } | { secret: number } | null {
  switch (s.id) {
    case 'enter-txn':
    case 'staff-id':
    case 'courier-id':
      return { shown: s.digits };
    case 'enter-code':
    case 'counter-code':
    case 'staff-pin':
    case 'courier-pin':
      return { secret: s.entered };
    case 'wait':
    case 'denied':
      return s.entered ? { secret: s.entered } : null;
    case 'idle': case 'scan-needed': case 'not-found': case 'checking': case 'locked-out': case 'try-later': case 'pay':
    case 'door-open': case 'door-not-opened': case 'thanks': case 'contact-seller': case 'refused': case 'error':
    case 'out-of-service': case 'courier-scan': case 'courier-number': case 'courier-size': case 'courier-door':
    case 'counter-scan': case 'counter-number': case 'counter-pay': case 'counter-hand-over': case 'operator-menu':
    case 'operator-compartment': case 'operator-reason': case 'operator-done': case 'item-inside': case 'courier-empty':
    case 'courier-still-inside':
      return null;
  }
}

function doorOf(s: Screen): string | null {
  if (!DOOR_SCREENS.has(s.id) || !('compartment' in s)) return null;
  return typeof s.compartment === 'string' && s.compartment !== '' ? s.compartment : null;
}

function amountOf(s: Screen): Money | null {
  if (s.id === 'pay') {
    const same = s.paid.currency === s.due.currency;
    return { amount: same ? Math.max(0, s.due.amount - s.paid.amount) : s.due.amount, currency: s.due.currency };
  }
  if (s.id === 'counter-pay') return s.due;
  return null;
}

export class View {
  private readonly title = el('title');
  private readonly text = el('text');
  private readonly progress = el('progress');
  private readonly figure = el('figure');
  private readonly doorLabel = el('door-label');
  private readonly doorNum = el('door-num');
  private readonly map = el('map');
  private readonly amount = el('amount');
  private readonly countdown = el('countdown');
  private readonly entry = el('entry');
  private readonly keypad = el('keypad');
  private readonly live = el('live');
  private readonly langButton = el('lang') as HTMLButtonElement;
  private readonly contrastButton = el('contrast') as HTMLButtonElement;
  private readonly brand = el('brand');
  private readonly offline = el('offline');
  private mapCells = new Map<string, HTMLElement>();
  private announced = '';

  private readonly entrySpoken = document.createElement('span');
  private readonly entryValue = document.createElement('span');

  constructor(onKey: (k: string) => void) {
    this.entrySpoken.className = 'vh';
    this.entryValue.setAttribute('aria-hidden', 'true');
    this.entry.append(this.entrySpoken, this.entryValue);
    for (const step of STEPS) {
      const li = document.createElement('li');
      li.dataset.step = step;
      this.progress.append(li);
    }
    for (const k of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.key = k;
      if (k === '*' || k === '#') b.className = 'wide';
      b.addEventListener('click', () => onKey(k));
      this.keypad.append(b);
    }
  }

  /** Lays out the bank map once per connection: positions only. */
  setBank(bank: BankLayout): void {
    this.map.replaceChildren();
    this.mapCells.clear();
    this.map.style.gridTemplateColumns = `repeat(${bank.columns}, auto)`;
    this.map.style.gridTemplateRows = `repeat(${bank.rows}, auto)`;
    for (const d of bank.doors) {
      const cell = document.createElement('span');
      cell.style.gridColumn = String(d.col + 1);
      cell.style.gridRow = String(d.row + 1);
      this.map.append(cell);
      this.mapCells.set(d.id, cell);
    }
  }

  setConnected(on: boolean, lang: Lang): void {
    setText(this.offline, chrome[lang].offline);
    show(this.offline, !on);
  }

  setContrast(on: boolean): void {
    document.body.classList.toggle('contrast', on);
    this.contrastButton.setAttribute('aria-pressed', String(on));
  }

  /** Draws the screen; `now` is the kiosk's clock. Announces it when its words changed (not every tick). */
  render(s: Screen, lang: Lang, kiosk: Kiosk, now: number, announce: boolean): void {
    const c = chrome[lang];
    const tag = locale(lang);
    if (document.documentElement.lang !== tag) document.documentElement.lang = tag;
    setText(this.brand, c.kioskTitle);
    if (document.title !== c.kioskTitle) document.title = c.kioskTitle;
    setText(this.langButton, c.switchLang);
    this.langButton.lang = lang === 'en' ? 'ja' : 'en';
    this.langButton.setAttribute('aria-label', c.switchLangLabel);
    setText(this.contrastButton, c.contrast);

    const words = screenWords(s, lang, { now, timeZone: kiosk.timeZone });
    setText(this.title, words.title);
    setText(this.text, words.text);

    this.drawProgress(stepOf(s), s, c);
    const door = doorOf(s);
    show(this.figure, door !== null);
    if (door !== null) {
      setText(this.doorLabel, c.door);
      setText(this.doorNum, door);
      for (const [id, cell] of this.mapCells) cell.classList.toggle('here', id === door);
      this.map.setAttribute('aria-label', `${c.bankMap}: ${door}`);
      show(this.map, this.mapCells.has(door));
    }
    const money = amountOf(s);
    show(this.amount, money !== null);
    if (money) {
      // A group named by its label ("To pay"), so the label is not read twice.
      const label = Object.assign(document.createElement('span'), { className: 'label', id: 'amount-label', textContent: c.amountDue });
      label.setAttribute('aria-hidden', 'true');
      this.amount.replaceChildren(label, formatMoney(money, lang));
    }
    show(this.countdown, s.id === 'wait');
    if (s.id === 'wait') setText(this.countdown, formatMessage(c.secondsLeft, lang, { seconds: secondsLeft(s.until, now) }));
    const entry = entryOf(s);
    show(this.entry, entry !== null);
    if (entry) {
      // Dots for a secret, read out as a count; digits a person may see, as they are.
      // The element is a status named "Entered", so what is typed is announced as it grows.
      this.entry.setAttribute('aria-label', c.entered);
      setText(this.entrySpoken, 'shown' in entry ? entry.shown : formatMessage(c.enteredDigits, lang, { count: entry.secret }));
      setText(this.entryValue, 'shown' in entry ? entry.shown : '•'.repeat(entry.secret));
    }
    this.drawKeypad(kiosk.keypad && KEYED.has(s.id), c);
    if (announce) {
      const say = `${words.title}. ${words.text}`;
      if (say !== this.announced) {
        this.announced = say;
        setText(this.live, say);
      }
    }
  }

  private drawProgress(step: Step | null, s: Screen, c: (typeof chrome)[Lang]): void {
    show(this.progress, step !== null);
    this.progress.setAttribute('aria-label', c.progress);
    if (step === null) return;
    const names: Record<Step, string> = { number: c.stepNumber, code: c.stepCode, pay: c.stepPay, door: c.stepDoor };
    const at = STEPS.indexOf(step);
    const finished = s.id === 'thanks';
    STEPS.forEach((st, i) => {
      const li = this.progress.children[i] as HTMLElement;
      const done = i < at || (finished && i === at);
      const now = i === at && !finished;
      li.className = done ? 'done' : '';
      if (now) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
      setText(li, `${i + 1}. ${names[st]}`);
      // The state in words for a screen reader, beside the colour.
      li.setAttribute('aria-label', `${i + 1}. ${names[st]} ${done ? c.stepDone : now ? c.stepNow : ''}`.trim());
    });
  }

  private drawKeypad(on: boolean, c: (typeof chrome)[Lang]): void {
    if (!on && this.keypad.contains(document.activeElement)) this.title.focus();
    show(this.keypad, on);
    this.keypad.setAttribute('aria-label', c.keypad);
    for (const b of Array.from(this.keypad.querySelectorAll('button'))) {
      const k = b.dataset.key ?? '';
      setText(b, k === '*' ? `* ${c.back}` : k === '#' ? `# ${c.enter}` : k);
    }
  }
}
