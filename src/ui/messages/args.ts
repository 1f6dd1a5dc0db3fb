/**
 * A screen's params as ICU arguments: flags become yes/no, an absent value
 * becomes none (so a select can say what to do without it), money and times
 * go through Intl in the person's language and the kiosk's time zone.
 */
import type { Money, Screen } from '../../domain/screens.js';
import { formatList, formatMoney, formatTime, type Lang } from './format.js';

export type Args = Record<string, string | number>;

export interface RenderOptions {
  /** ms since the epoch on the kiosk's clock (for countdowns). */
  now?: number;
  /** IANA time zone the kiosk stands in. */
  timeZone?: string;
}

function isMoney(v: unknown): v is Money {
  return typeof v === 'object' && v !== null && typeof (v as Money).amount === 'number' && typeof (v as Money).currency === 'string';
}

/** Params whose values are select keys: ICU keys cannot hold '-', so take-back is take_back there. */
const KEYS = new Set(['reason', 'slipReason', 'action', 'who', 'why', 'via', 'role']);

function plain(v: unknown, lang: Lang): string | number {
  if (v === undefined || v === null || v === '') return 'none';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (isMoney(v)) return formatMoney(v, lang);
  if (Array.isArray(v)) return v.length === 0 ? 'none' : formatList(v.map(String), lang);
  return 'none';
}

type CompartmentState = Extract<Screen, { id: 'operator-menu' }>['compartments'][number]['state'];

const STATE_WORDS: Record<Lang, Record<CompartmentState, string>> = {
  en: { free: 'free', reserved: 'reserved', occupied: 'occupied', check: 'to check', 'out-of-service': 'out of service' },
  ja: { free: '空き', reserved: '予約中', occupied: '使用中', check: '要確認', 'out-of-service': '休止中' },
};

/** What a compartment's item sensor sees, after its state on the operator's menu. */
const ITEM_WORDS: Record<Lang, Record<'inside' | 'empty', string>> = {
  en: { inside: ', item inside', empty: ', empty' },
  ja: { inside: '・荷物あり', empty: '・空' },
};

/** Seconds left until `until`, rounded up, never below 0. */
export function secondsLeft(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

export function screenArgs(screen: Screen, lang: Lang, opts: RenderOptions = {}): Args {
  const args: Args = {};
  for (const [k, v] of Object.entries(screen)) {
    if (k === 'id') continue;
    const a = plain(v, lang);
    args[k] = KEYS.has(k) && typeof a === 'string' ? a.replace(/-/g, '_') : a;
  }
  const now = opts.now ?? Date.now();
  const timeZone = opts.timeZone ?? 'UTC';
  if (screen.id === 'wait') {
    args.hasTries = screen.triesLeft === undefined ? 'no' : 'yes';
    args.triesLeft = screen.triesLeft ?? 0;
    args.seconds = secondsLeft(screen.until, now);
    args.time = formatTime(screen.until, lang, timeZone);
  } else if (screen.id === 'denied') {
    args.limited = screen.triesLeft === null ? 'no' : 'yes';
    args.tries = screen.triesLeft ?? 0;
  } else if (screen.id === 'operator-menu') {
    // Numbered as the operator types them: "1 A01 (free)".
    args.compartments = screen.compartments
      .map((c, i) => `${i + 1} ${c.id} (${STATE_WORDS[lang][c.state]}${c.item === undefined || c.item === null ? '' : ITEM_WORDS[lang][c.item ? 'inside' : 'empty']})`)
      .join(' · ');
  } else if (screen.id === 'pay') {
    const same = screen.paid.currency === screen.due.currency;
    const left = same ? Math.max(0, screen.due.amount - screen.paid.amount) : screen.due.amount;
    args.left = formatMoney({ amount: left, currency: screen.due.currency }, lang);
    args.paidAny = same && screen.paid.amount > 0 ? 'yes' : 'no';
    args.currency = screen.due.currency;
  }
  return args;
}
