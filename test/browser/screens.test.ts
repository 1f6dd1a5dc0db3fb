/**
 * The public screen, fed screens directly (no flows): every screen id in both
 * languages as a person sees it, checked by role and name and by axe-core;
 * the layout at three window sizes; keys, focus, language, contrast, push.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREEN_IDS, type Screen } from '../../src/domain/screens.js';
import { chrome, LANGS, screenWords, type Lang } from '../../src/ui/messages/index.js';
import { packageRoot } from '../../src/config/index.js';
import { SAMPLES } from '../unit/ui/samples.js';
import { expectAxeClean, fits, openBrowser, startFedUi, type Browser, type FedUi } from './support.js';

let browser: Browser;
let fed: FedUi;
let page: Page;

beforeAll(async () => {
  [browser, fed] = await Promise.all([openBrowser(), startFedUi()]);
  page = browser.page;
});
afterAll(async () => {
  await browser?.close();
  await fed?.close();
});

const TZ = { timeZone: 'Asia/Tokyo' };
const first = (id: Screen['id']): Screen => {
  const s = SAMPLES[id][SAMPLES[id].length - 1];
  // A wait that has not run out while the test looks at it.
  return s.id === 'wait' ? { ...s, until: Date.now() + 600_000 } : s;
};

/** Opens the page; it has joined the kiosk when the heading is no longer "Connecting…". */
async function open(lang?: Lang, f: FedUi = fed): Promise<void> {
  await page.goto(`${f.ui.url}${lang ? `?lang=${lang}` : ''}`);
  await page.getByRole('heading', { level: 1, name: chrome[lang ?? 'en'].offline }).waitFor({ state: 'detached' });
}

/** The screen's instruction, where a person reads it: in the main part of the page. */
const instruction = (text: string | RegExp) => page.getByRole('main').getByText(text, { exact: true });

/** Shows `s` and waits until the page's heading is its title in `lang`. */
async function show(s: Screen, lang: Lang, f: FedUi = fed): Promise<string> {
  f.screens.set(s);
  const title = screenWords(s, lang, { now: Date.now(), ...TZ }).title;
  await page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
  return title;
}

describe('the public screen, screen by screen', () => {
  it.each(LANGS)('shows every screen in %s: one h1, its instruction, the right lang, announced, axe clean', async (lang) => {
    {
      await open(lang);
      expect(await page.getAttribute('html', 'lang')).toBe(lang === 'ja' ? 'ja-JP' : 'en');
      for (const id of SCREEN_IDS) {
        const s = first(id);
        await show(s, lang);
        const words = screenWords(s, lang, { now: Date.now(), ...TZ });
        if (id !== 'wait') await instruction(words.text).waitFor();
        expect(await page.getByRole('heading', { level: 1 }).count(), id).toBe(1);
        await page.getByRole('status').filter({ hasText: words.title }).waitFor({ timeout: 2000 });
        await expectAxeClean(page, `${id} (${lang})`);
      }
    }
  }, 120_000);

  it('shows nothing about other compartments, no internal ids: the door huge, a map marking only it', async () => {
    await open('en');
    await show({ id: 'door-open', compartment: 'A07', size: 'M' }, 'en');
    const body = (await page.locator('body').innerText()) ?? '';
    expect(body).toContain('A07');
    for (const other of ['A01', 'A02', 'A06', 'A08', 'A12']) expect(body).not.toContain(other);
    expect(body).not.toMatch(/door-open|idle|enter-code/);
    expect(await page.getByRole('figure', { name: 'Compartment A07', exact: true }).isVisible()).toBe(true);
    const size = await page.getByText('A07', { exact: true }).evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    expect(size).toBeGreaterThanOrEqual(96);
    const map = page.getByRole('img', { name: /A07/ });
    expect(await map.locator('span').count()).toBe(12);
    expect(await map.locator('span.here').count()).toBe(1);
    await expectAxeClean(page, 'door map');
  });

  it('fits 800×480, 1024×768 and 1080×1920 with nothing below the fold; body text ≥ 32 px and targets ≥ 44 px at 1024×768', async () => {
    const heavy: Screen[] = [
      { id: 'door-open', compartment: 'A10', size: 'L' },
      { id: 'pay', txn: '12345678', due: { amount: 1500, currency: 'JPY' }, paid: { amount: 1000, currency: 'JPY' } },
      { id: 'wait', until: Date.now() + 600_000, entered: 3, why: 'kiosk' },
      { id: 'denied', triesLeft: 2, reason: 'wrong-code', entered: 0 },
      { id: 'refused', reason: 'slip-invalid', slipReason: 'mode-not-allowed' },
      { id: 'contact-seller', reason: 'cannot-take-payment', due: { amount: 1500, currency: 'JPY' } },
      { id: 'courier-door', compartment: 'A06', action: 'take-back', doorOpen: false },
    ];
    for (const size of [{ width: 800, height: 480 }, { width: 1024, height: 768 }, { width: 1080, height: 1920 }]) {
      await page.setViewportSize(size);
      for (const lang of LANGS) {
        await open(lang);
        for (const s of heavy) {
          await show(s, lang);
          const f = await fits(page);
          expect(f.scrollHeight, `${s.id} ${lang} at ${size.width}×${size.height}`).toBeLessThanOrEqual(f.height);
          expect(f.scrollWidth, `${s.id} ${lang} at ${size.width}×${size.height}`).toBeLessThanOrEqual(f.width);
          const small = await page.evaluate(() =>
            Array.from(document.querySelectorAll('button'))
              .filter((b) => b.offsetParent !== null)
              .map((b) => ({ name: b.textContent, r: b.getBoundingClientRect() }))
              .filter((b) => b.r.width < 44 || b.r.height < 44)
              .map((b) => `${b.name} ${Math.round(b.r.width)}×${Math.round(b.r.height)}`),
          );
          expect(small, `targets under 44×44: ${s.id} ${lang} at ${size.width}×${size.height}`).toEqual([]);
        }
      }
    }
    await page.setViewportSize({ width: 1024, height: 768 });
    await open('en');
    const code: Screen = { id: 'enter-code', txn: '12345678', entered: 2 };
    await show(code, 'en');
    expect(await instruction(screenWords(code, 'en', { now: Date.now(), ...TZ }).text).evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeGreaterThanOrEqual(32);
  }, 120_000);

  it.each(LANGS)('gives a screen reader names in %s: what is typed (a code only as a count), the amount due, the door', async (lang) => {
    const c = chrome[lang];
    await open(lang);
    const entered = page.getByRole('status', { name: c.entered, exact: true });
    await show({ id: 'enter-txn', digits: '2026' }, lang);
    await expect.poll(() => entered.textContent()).toContain('2026');
    await show({ id: 'enter-code', txn: '2026', entered: 1 }, lang);
    await expect.poll(() => entered.textContent()).toContain(lang === 'en' ? '1 digit' : '1桁');
    await show({ id: 'enter-code', txn: '2026', entered: 3 }, lang);
    await expect.poll(() => entered.textContent()).toContain(lang === 'en' ? '3 digits' : '3桁');
    await show({ id: 'pay', txn: '2026', due: { amount: 1500, currency: 'JPY' }, paid: { amount: 1000, currency: 'JPY' } }, lang);
    expect(await entered.count()).toBe(0);
    const toPay = page.getByRole('group', { name: c.amountDue, exact: true });
    expect(await toPay.isVisible()).toBe(true);
    expect(await toPay.textContent()).toMatch(lang === 'en' ? /¥500$/ : /[^,]500円$/);
    await show({ id: 'door-open', compartment: 'A09' }, lang);
    expect(await toPay.count()).toBe(0);
    expect(await page.getByRole('figure', { name: `${c.door} A09`, exact: true }).isVisible()).toBe(true);
    await expectAxeClean(page, `door-open (${lang})`);
  });

  it('shows the steps as progress: number → code → pay → door, the current one marked', async () => {
    await open('en');
    await show({ id: 'enter-code', txn: '12345678', entered: 0 }, 'en');
    const steps = page.getByRole('list', { name: 'Steps' });
    expect(await steps.getByRole('listitem').allTextContents()).toEqual(['1. Number', '2. Code', '3. Pay', '4. Door']);
    // The current step, as a screen reader names it, and as it is marked (aria-current).
    const now = steps.getByRole('listitem', { name: /\(now\)$/ });
    expect(await now.textContent()).toBe('2. Code');
    expect(await now.getAttribute('aria-current')).toBe('step');
    expect(await steps.getByRole('listitem', { name: '1. Number (done)', exact: true }).count()).toBe(1);
    await show({ id: 'door-open', compartment: 'A03' }, 'en');
    expect(await now.textContent()).toBe('4. Door');
    await show({ id: 'courier-scan' }, 'en');
    expect(await steps.isVisible()).toBe(false);
  });

  it('counts a wait down live', async () => {
    // A page of its own with a fake clock, so the other tests keep real time.
    const main = page;
    page = await browser.context.newPage();
    try {
      await page.clock.install();
      await open('en');
      await show({ id: 'wait', until: Date.now() + 30_000, entered: 0, why: 'kiosk' }, 'en');
      const timer = page.getByRole('timer');
      await expect.poll(() => timer.textContent()).toMatch(/^(30|29) s$/);
      await page.clock.fastForward(10_000);
      await expect.poll(() => timer.textContent()).toMatch(/^(20|19) s$/);
      await instruction(/wait (20|19) s/).waitFor();
    } finally {
      await page.close();
      page = main;
    }
  });
});

describe('input, language and look', () => {
  it('sends digits, Enter as #, Escape and Backspace as * from a keyboard, and the on-screen keypad’s keys', async () => {
    await open('en');
    await show({ id: 'enter-txn', digits: '' }, 'en');
    fed.keys.length = 0;
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    for (const k of ['1', '2', 'Enter', 'Escape', 'Backspace']) await page.keyboard.press(k);
    await expect.poll(() => fed.keys.join('')).toBe('12#**');
    const keypad = page.getByRole('group', { name: 'Keypad' });
    await keypad.getByRole('button', { name: '7', exact: true }).click();
    await keypad.getByRole('button', { name: /Enter/ }).click();
    await keypad.getByRole('button', { name: /Back/ }).click();
    await expect.poll(() => fed.keys.join('')).toBe('12#**7#*');
  });

  it('keeps focus where it was when the screen changes (the page updates in place)', async () => {
    await open('en');
    await show({ id: 'enter-txn', digits: '' }, 'en');
    const five = page.getByRole('button', { name: '5', exact: true });
    await five.focus();
    await show({ id: 'enter-txn', digits: '5' }, 'en');
    await show({ id: 'enter-code', txn: '5', entered: 1 }, 'en');
    expect(await five.evaluate((e) => e === document.activeElement)).toBe(true);
    // Tab moves on and back: no trap.
    await page.keyboard.press('Tab');
    expect(await five.evaluate((e) => e === document.activeElement)).toBe(false);
    await page.keyboard.press('Shift+Tab');
    expect(await five.evaluate((e) => e === document.activeElement)).toBe(true);
  });

  it('switches language at once from a button on every screen, back to the first language at idle; ?lang=ja starts in Japanese', async () => {
    await open('ja');
    await show({ id: 'idle' }, 'ja');
    expect(await page.getAttribute('html', 'lang')).toBe('ja-JP');
    await show({ id: 'enter-code', txn: '12345678', entered: 0 }, 'ja');
    await page.getByRole('button', { name: 'Show in English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your code' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expectAxeClean(page, 'after switching to English');
    await show({ id: 'door-open', compartment: 'A02' }, 'en');
    await show({ id: 'idle' }, 'ja');
    expect(await page.getAttribute('html', 'lang')).toBe('ja-JP');
    for (const id of SCREEN_IDS) {
      await show(first(id), 'ja');
      expect(await page.getByRole('button', { name: 'Show in English' }).isVisible(), id).toBe(true);
    }
  });

  it('has a large-text, high-contrast look that stays axe clean and on one screen', async () => {
    await open('en');
    const door: Screen = { id: 'door-open', compartment: 'A05' };
    await show(door, 'en');
    const toggle = page.getByRole('button', { name: 'Large text' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await instruction(screenWords(door, 'en', { now: Date.now(), ...TZ }).text).evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeGreaterThanOrEqual(40);
    await expectAxeClean(page, 'contrast mode');
    const f = await fits(page);
    expect(f.scrollHeight).toBeLessThanOrEqual(f.height);
    await show({ id: 'idle' }, 'en');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
  });

  it('shows no keypad where the kiosk has a hardware keypad', async () => {
    const hw = await startFedUi({ keypad: false });
    try {
      await open('en', hw);
      await show({ id: 'enter-code', txn: '12345678', entered: 0 }, 'en', hw);
      expect(await page.getByRole('group', { name: 'Keypad' }).count()).toBe(0);
    } finally {
      await hw.close();
    }
  });

  it('follows the kiosk by push over one stream, never by polling, and comes back by itself after a restart', async () => {
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => void requests.push(new URL(r.url()).pathname);
    page.on('request', onRequest);
    try {
      await open('en');
      for (let i = 1; i <= 5; i++) await show({ id: 'enter-txn', digits: '1'.repeat(i) }, 'en');
      expect(requests.filter((p) => p === '/events')).toHaveLength(1);
      expect(requests.filter((p) => p !== '/' && p !== '/events' && p !== '/assets/kiosk.js')).toEqual([]);
      // While the kiosk is away the page says so, as an alert a screen reader speaks at once.
      await fed.restart(async () => {
        await page.getByRole('alert').filter({ hasText: chrome.en.offline }).waitFor();
      });
      await show({ id: 'thanks', compartment: 'A04' }, 'en');
      await page.getByRole('alert').waitFor({ state: 'detached' });
    } finally {
      page.off('request', onRequest);
    }
  });
});

describe('screenshots', () => {
  it('renders the main screens in both languages (written to docs/screens when WRITE_SCREENS=1)', async () => {
    const main: Array<[string, Screen]> = [
      ['idle', { id: 'idle' }],
      ['enter-code', { id: 'enter-code', txn: '202611502', entered: 4 }],
      ['denied', { id: 'denied', triesLeft: 2, reason: 'wrong-code' }],
      ['wait', { id: 'wait', until: Date.now() + 45_000, entered: 0, why: 'kiosk' }],
      ['pay', { id: 'pay', txn: '202611502', due: { amount: 1500, currency: 'JPY' }, paid: { amount: 1000, currency: 'JPY' } }],
      ['door-open', { id: 'door-open', compartment: 'A07', size: 'M' }],
      ['courier-door', { id: 'courier-door', compartment: 'A10', size: 'L', action: 'load', doorOpen: false }],
      ['item-inside', { id: 'item-inside', compartment: 'A07', reopen: true }],
    ];
    const dir = join(packageRoot(), 'docs', 'screens');
    const write = process.env.WRITE_SCREENS === '1';
    if (write) mkdirSync(dir, { recursive: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    for (const lang of LANGS) {
      await open(lang);
      for (const [name, s] of main) {
        await show(s, lang);
        const png = await page.screenshot({ type: 'png' });
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        if (write) writeFileSync(join(dir, `${name}-${lang}.png`), png);
      }
    }
  });
});
