import { describe, expect, it } from 'vitest';
import { SCREEN_IDS } from '../../../src/domain/screens.js';
import { CATALOGUES, chrome, formatMessage, formatMoney, LANGS, renderScreen, screenWords } from '../../../src/ui/messages/index.js';
import { allSamples, NOW, SAMPLES } from './samples.js';

const opts = { now: NOW, timeZone: 'Asia/Tokyo' };

describe('message catalogues', () => {
  it('have words for every screen id in every language, and nothing else', () => {
    for (const lang of LANGS) {
      expect(Object.keys(CATALOGUES[lang]).sort(), lang).toEqual([...SCREEN_IDS].sort());
      for (const id of SCREEN_IDS) {
        expect(CATALOGUES[lang][id].title.trim(), `${lang} ${id} title`).not.toBe('');
        expect(CATALOGUES[lang][id].text.trim(), `${lang} ${id} text`).not.toBe('');
      }
    }
  });

  it('have a sample for every screen id', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...SCREEN_IDS].sort());
  });

  it('format every sample in every language without a placeholder or select key left over', () => {
    for (const lang of LANGS) {
      for (const s of allSamples()) {
        const w = screenWords(s, lang, opts);
        for (const out of [w.title, w.text]) {
          expect(out, `${lang} ${JSON.stringify(s)}`).not.toMatch(/[{}]|\bnone\b|undefined|NaN|\bnull\b/);
        }
      }
    }
  });

  it('give each reason, role and action its own words (no value falls through to another branch)', () => {
    for (const id of ['refused', 'contact-seller', 'locked-out', 'courier-door', 'operator-done', 'operator-reason', 'error', 'staff-pin', 'scan-needed'] as const) {
      for (const lang of LANGS) {
        const texts = SAMPLES[id].map((s) => renderScreen(s, lang, opts));
        expect(new Set(texts).size, `${lang} ${id}`).toBe(texts.length);
      }
    }
  });

  it('name the door a person must use, the code steps and the keys', () => {
    expect(renderScreen({ id: 'door-open', compartment: 'A05' }, 'en')).toContain('A05');
    expect(renderScreen({ id: 'door-open', compartment: 'A05' }, 'ja')).toContain('A05番');
    expect(renderScreen({ id: 'idle' }, 'en')).toContain('#');
    expect(renderScreen({ id: 'denied', triesLeft: 1, reason: 'wrong-code' }, 'en')).toBe('Wrong code. One try left. Type your code again and press #.');
    expect(renderScreen({ id: 'denied', triesLeft: 3, reason: 'wrong-code' }, 'ja')).toContain('あと3回');
    expect(renderScreen({ id: 'denied', triesLeft: null, reason: 'bad-format' }, 'en')).not.toMatch(/left/);
  });

  it('write amounts with Intl: ¥500 in English, 500円 in Japanese', () => {
    expect(formatMoney({ amount: 500, currency: 'JPY' }, 'en')).toBe('¥500');
    expect(formatMoney({ amount: 500, currency: 'JPY' }, 'ja')).toBe('500円');
    expect(formatMoney({ amount: 1250, currency: 'EUR' }, 'en')).toBe('€12.50');
    const pay = { id: 'pay' as const, txn: '1', due: { amount: 1500, currency: 'JPY' }, paid: { amount: 1000, currency: 'JPY' } };
    expect(renderScreen(pay, 'en')).toContain('insert ¥500 more (¥1,000 paid)');
    expect(renderScreen(pay, 'ja')).toContain('1,000円お支払い済みです。あと500円を入れてください');
  });

  it('count a wait down from the kiosk clock and give its end in the kiosk time zone', () => {
    const wait = { id: 'wait' as const, until: NOW + 30_000, entered: 0, why: 'kiosk' as const };
    expect(renderScreen(wait, 'en', opts)).toContain('wait 30 s (until 12:00 PM)');
    expect(renderScreen(wait, 'en', { now: NOW + 29_001, timeZone: 'Asia/Tokyo' })).toContain('wait 1 s');
    expect(renderScreen(wait, 'ja', { now: NOW, timeZone: 'Europe/London' })).toContain('30秒（3:00まで）');
  });

  it('give the page chrome in both languages with the same keys', () => {
    expect(Object.keys(chrome.ja).sort()).toEqual(Object.keys(chrome.en).sort());
    for (const lang of LANGS) for (const [k, v] of Object.entries(chrome[lang])) expect(v.trim(), `${lang} ${k}`).not.toBe('');
    expect(formatMessage(chrome.ja.secondsLeft, 'ja', { seconds: 5 })).toBe('5秒');
  });

  it('fail loudly on a message that is not valid ICU', () => {
    expect(() => formatMessage('{broken, select, yes {a}', 'en', { broken: 'yes' })).toThrow();
  });
});
