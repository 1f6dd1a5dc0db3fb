/**
 * Renders a screen in a language from the catalogues (en.ts, ja.ts): ICU
 * MessageFormat through intl-messageformat, amounts and times through Intl.
 * Browser-safe: the public page bundles this module.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { Screen, ScreenId } from '../../domain/screens.js';
import { screenArgs, type RenderOptions } from './args.js';
import { en, type Words } from './en.js';
import { locale, type Lang } from './format.js';
import { ja } from './ja.js';

export { chrome, type Chrome } from './chrome.js';
export { formatMoney, formatTime, isLang, LANGS, locale, type Lang } from './format.js';
export { secondsLeft, screenArgs, type RenderOptions } from './args.js';

export const CATALOGUES: Record<Lang, Record<ScreenId, Words>> = { en, ja };

const cache = new Map<string, { f: IntlMessageFormat; names: string[] }>();
const ARG = /\{\s*([A-Za-z][\w-]*)\s*[,}]/g;

/** Formats one ICU message (compiled once per language and text). */
export function formatMessage(message: string, lang: Lang, args: Record<string, string | number>): string {
  const key = `${lang}\u0000${message}`;
  let c = cache.get(key);
  if (!c) {
    c = { f: new IntlMessageFormat(message, locale(lang)), names: [...message.matchAll(ARG)].map((m) => m[1] ?? '') };
    cache.set(key, c);
  }
  // An optional param the screen leaves out is `none`, so its select takes that branch.
  const full: Record<string, string | number> = { ...args };
  for (const n of c.names) if (!(n in full)) full[n] = 'none';
  const out = c.f.format(full);
  return typeof out === 'string' ? out : String(out);
}

/** A screen's heading and instruction in a language. */
export function screenWords(screen: Screen, lang: Lang, opts: RenderOptions = {}): Words {
  const w = CATALOGUES[lang][screen.id];
  const args = screenArgs(screen, lang, opts);
  return { title: formatMessage(w.title, lang, args), text: formatMessage(w.text, lang, args) };
}

/** A screen's instruction in a language (for /sim/state and logs). */
export function renderScreen(screen: Screen, lang: Lang, opts: RenderOptions = {}): string {
  return screenWords(screen, lang, opts).text;
}
