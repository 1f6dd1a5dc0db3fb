/**
 * Amounts, times and lists for a language, through Intl only. Browser-safe:
 * the page bundles this file too.
 */
import type { Money } from '../../domain/screens.js';

export type Lang = 'en' | 'ja';
export const LANGS: readonly Lang[] = ['en', 'ja'];

export function isLang(s: unknown): s is Lang {
  return s === 'en' || s === 'ja';
}

/** BCP 47 tag for Intl and for the page's `lang` attribute. */
export function locale(lang: Lang): string {
  return lang === 'ja' ? 'ja-JP' : 'en';
}

/** How many minor units a currency has (JPY 0, EUR 2); an unknown code counts as 0. */
function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return 0;
  }
}

/** ¥500 in English, 500円 in Japanese (Japanese readers write amounts with the currency's name). */
export function formatMoney(m: Money, lang: Lang): string {
  const digits = fractionDigits(m.currency);
  const value = m.amount / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale(lang), {
      style: 'currency',
      currency: m.currency,
      currencyDisplay: lang === 'ja' ? 'name' : 'symbol',
    }).format(value);
  } catch {
    return `${value} ${m.currency}`;
  }
}

/** A clock time (hours and minutes) in the kiosk's time zone. */
export function formatTime(at: number, lang: Lang, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(locale(lang), { timeZone, hour: 'numeric', minute: '2-digit' }).format(at);
  } catch {
    return new Intl.DateTimeFormat(locale(lang), { hour: 'numeric', minute: '2-digit' }).format(at);
  }
}

/** "A01, A02 and A03" / "A01、A02、A03". */
export function formatList(items: readonly string[], lang: Lang): string {
  return new Intl.ListFormat(locale(lang), { style: 'long', type: 'conjunction' }).format(items);
}
