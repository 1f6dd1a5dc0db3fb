/**
 * Each person's way through a simulated kiosk, as they see it in Chromium:
 * the hardware is driven only through the stable ways in of sim-control.md
 * (/sim/scan, /sim/door, /sim/cash …), the person types on the page (a
 * keyboard or the on-screen keypad), and every step is checked by heading
 * and words from the catalogues, with axe-core on each screen.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashCourierPin, type Config } from '../../src/config/index.js';
import { chrome, type Lang } from '../../src/ui/messages/index.js';
import { COURIER, FAST, load, startHarness, type Harness } from '../support/kiosk.js';
import { accessibleName, expectAxeClean, openBrowser, type Browser } from './support.js';

let browser: Browser;
let page: Page;
let h: Harness | null = null;

beforeAll(async () => {
  browser = await openBrowser();
  page = browser.page;
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await h?.stop();
  h = null;
});

/** A simulated kiosk whose screen has its own keypad (no hardware keypad), English first. */
async function kiosk(tune: (c: Config) => void = () => {}): Promise<Harness> {
  h = await startHarness({
    tune: (c) => {
      c.screen.keypad = true;
      c.screen.lang = 'en';
      tune(c);
    },
  });
  return h;
}

/** Opens the page and waits until it has joined the kiosk: the heading is no longer "Connecting…". */
async function openPage(k: Harness, lang: Lang = 'en'): Promise<void> {
  await page.goto(`${k.k.ui!.url}?lang=${lang}`);
  await page.getByRole('heading', { level: 1, name: chrome[lang].offline }).waitFor({ state: 'detached' });
}

/**
 * Waits until the page's one heading says `name` and, if given, its
 * instruction `text` is both shown in the main part and announced in the
 * live region; then runs axe on that screen.
 */
async function sees(name: string | RegExp, text?: RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 15_000 });
  if (text) {
    await page.getByRole('main').getByText(text).first().waitFor({ timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: text }).waitFor({ timeout: 15_000 });
  }
  await expectAxeClean(page, String(name));
}

/** What the page says has been typed: the status named "Entered". */
const entered = () => page.getByRole('status', { name: 'Entered', exact: true });
/** The amount still due: the group named "To pay". */
const toPay = () => page.getByRole('group', { name: 'To pay', exact: true });

/** Taps keys on the on-screen keypad, as on a touch screen. */
async function tap(keys: string): Promise<void> {
  const pad = page.getByRole('group', { name: 'Keypad' });
  for (const k of keys) {
    const name = k === '#' ? /Enter/ : k === '*' ? /Back/ : k;
    await pad.getByRole('button', { name, exact: typeof name === 'string' }).click();
  }
}

const post = (path: string, body: unknown) => h!.post(path, body);

describe('people at the kiosk, in Chromium', () => {
  it('a recipient picks a parcel up: number, code, the door shown huge, door open and closed, thanks', async () => {
    const k = await kiosk();
    const cid = await load(k, 'T-2026-11-501', '11112222');
    await openPage(k);
    await sees('Collect your parcel');
    await page.keyboard.type('202611501');
    await sees('Your parcel number');
    await expect.poll(() => entered().textContent()).toContain('202611501');
    await page.keyboard.press('Enter');
    await sees('Your code');
    await tap('1111');
    await expect.poll(() => entered().textContent()).toContain('4 digits'); // a count, never the code
    expect(await entered().textContent()).not.toContain('1111');
    await tap('2222#');
    await sees('Door open', new RegExp(`Compartment ${cid} is open`));
    const door = page.getByRole('figure', { name: `Compartment ${cid}`, exact: true });
    expect(await door.getByText(cid, { exact: true }).isVisible()).toBe(true);
    expect(await door.getByRole('img', { name: new RegExp(cid) }).isVisible()).toBe(true);
    await post(`/sim/door/${cid}`, { open: true });
    await post(`/sim/door/${cid}`, { open: false });
    await sees('Thank you');
    expect(k.k.store.parcels.get('shop-a', 'T-2026-11-501')?.state).toBe('handed_over');
  });

  it('wrong codes count down the tries, with a live wait that keeps what was typed, then the parcel is locked', async () => {
    const k = await kiosk((c) => {
      c.attempts.perParcel = 3;
      c.attempts.parcelWaitStartMs = 3000;
    });
    const cid = await load(k, 'T-2026-11-502', '33334444');
    await openPage(k);
    await post('/sim/scan', { text: 'shop-a/T-2026-11-502' });
    await sees('Your code');
    await page.keyboard.type('99999999');
    await page.keyboard.press('Enter');
    await sees('Not accepted', /2 tries left/);
    await page.keyboard.type('99999998');
    await page.keyboard.press('Enter');
    // The second wrong code on one parcel earns a wait, counted down live; what is typed meanwhile is kept.
    await sees('Please wait', /One try left after that/);
    await page.keyboard.type('99999997');
    await expect.poll(async () => (await k.state()).screen.params.entered).toBe(8);
    k.clock.advance(3000); // the kiosk's clock: the wait is over
    await sees('Your code');
    await page.keyboard.press('Enter');
    await sees('Locked', /Too many wrong codes for this parcel/);
    expect((await k.state()).compartments.find((c) => c.id === cid)?.unlockPulses).toBe(1); // the courier's load only
  });

  it('a courier signs in with a badge and the on-screen keypad, loads a parcel into the door shown', async () => {
    const k = await kiosk();
    const slip = await k.slip('T-2026-11-503', '55556666');
    await openPage(k);
    await post('/sim/scan', { text: `courier:${COURIER.id}` });
    await sees(/sign-in/, /PIN/);
    await tap(`${COURIER.pin}#`);
    await sees('Courier', /slip/);
    await post('/sim/scan', { text: slip });
    await sees('Courier', /Slip accepted/);
    await post('/sim/scan', { text: 'shop-a/T-2026-11-503' });
    await page.getByRole('heading', { level: 1, name: /Choose a size|Load/ }).waitFor({ timeout: 15_000 });
    if (await page.getByRole('heading', { level: 1, name: 'Choose a size' }).count()) {
      await expectAxeClean(page, 'courier size');
      await tap('2');
    }
    await sees('Load');
    // The door number as a screen reader reads it: the name of the figure that shows it.
    const door = (await accessibleName(page.getByRole('figure', { name: /^Compartment / }))).replace(/^Compartment /, '');
    expect(door).toMatch(/^[A-Z]\d\d$/);
    expect(await page.getByText(door, { exact: true }).isVisible()).toBe(true);
    await post(`/sim/door/${door}`, { open: true });
    await post(`/sim/door/${door}`, { open: false });
    await sees('Courier', new RegExp(`stored in compartment ${door}`));
    expect(k.k.store.parcels.get('shop-a', 'T-2026-11-503')).toMatchObject({ state: 'stored', compartmentId: door });
  });

  it('pay at pickup: the amount due shown with Intl, cash counted down, then the door', async () => {
    const k = await kiosk();
    const slip = await k.slip('T-2026-11-504', '12121212', { due: { amount: 1500, currency: 'JPY' } });
    const cid = await load(k, 'T-2026-11-504', '12121212', { slip });
    await openPage(k);
    await post('/sim/scan', { text: 'shop-a/T-2026-11-504' });
    await sees('Your code');
    await tap('12121212#');
    await sees('Payment', /insert ¥1,500\./);
    expect(await toPay().textContent()).toContain('¥1,500');
    await post('/sim/cash', { amount: 1000, currency: 'JPY' });
    await sees('Payment', /insert ¥500 more \(¥1,000 paid\)/);
    expect(await toPay().textContent()).toMatch(/¥500$/);
    await post('/sim/cash', { amount: 500, currency: 'JPY' });
    await sees('Door open');
    await post(`/sim/door/${cid}`, { open: true });
    await post(`/sim/door/${cid}`, { open: false });
    await sees('Thank you');
  });

  it('a person switches language mid-way; the next person gets the first language back', async () => {
    const k = await kiosk((c) => void (c.screen.lang = 'ja'));
    await load(k, 'T-2026-11-505', '77778888');
    await openPage(k, 'ja');
    await sees('荷物の受け取り');
    await page.getByRole('button', { name: 'Show in English' }).click();
    await sees('Collect your parcel');
    await page.keyboard.type('202611505');
    await sees('Your parcel number');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.keyboard.press('Escape'); // * starts over
    await sees('荷物の受け取り');
    expect(await page.getAttribute('html', 'lang')).toBe('ja-JP');
  });

  it('a clerk at a counter hands a parcel over after the code, collecting what is due', async () => {
    const clerk = { id: '8001', pin: '135791' };
    const pin = await hashCourierPin(clerk.pin, FAST);
    const k = await kiosk((c) => void (c.clerks = [{ id: clerk.id, pin }]));
    const slip = await k.slip('T-2026-11-506', '24682468', { due: { amount: 800, currency: 'JPY' } });
    await openPage(k);
    await post('/sim/scan', { text: `clerk:${clerk.id}` });
    await sees(/sign-in/, /PIN/);
    await tap(`${clerk.pin}#`);
    await sees('Counter');
    await post('/sim/scan', { text: slip });
    await sees('Counter', /Slip accepted/);
    await post('/sim/scan', { text: 'shop-a/T-2026-11-506' });
    await sees('Counter', /checked in/);
    await post('/sim/scan', { text: 'shop-a/T-2026-11-506' });
    await sees('Recipient’s code');
    await tap('24682468#');
    await sees('Collect payment', /Collect ¥800/);
    await tap('#');
    await sees('Hand over');
    await tap('#');
    await sees('Counter');
    expect(k.k.store.parcels.get('shop-a', 'T-2026-11-506')?.state).toBe('handed_over');
  });

  it('an operator opens a door for maintenance, with a reason', async () => {
    const op = { id: '9100', pin: '975310' };
    const pin = await hashCourierPin(op.pin, FAST);
    const k = await kiosk((c) => void Object.assign(c, { operators: [{ id: op.id, pin }] }));
    await openPage(k);
    await post('/sim/scan', { text: `operator:${op.id}` });
    await sees(/sign-in/, /PIN/);
    await tap(`${op.pin}#`);
    await sees('Maintenance');
    await tap('A03'.replace(/\D/g, '') + '#');
    await sees('Compartment A03');
    await tap('1');
    await sees('Reason');
    await tap('1#');
    await sees('Done', /Compartment A03 is open/);
    expect((await k.state()).compartments.find((c) => c.id === 'A03')?.unlockPulses).toBe(1);
  });

  it('the /sim panel works the hardware and the /operator page lists compartments; both axe clean', async () => {
    const k = await kiosk();
    await page.goto(new URL('/sim', k.k.ui!.url).href);
    await page.getByRole('heading', { level: 1, name: /Simulated hardware/ }).waitFor();
    await page.getByRole('button', { name: 'Open door A01' }).click();
    await page.getByRole('button', { name: 'Close door A01' }).waitFor();
    expect((await k.state()).compartments.find((c) => c.id === 'A01')?.doorOpen).toBe(true);
    await page.getByRole('button', { name: 'keypad 1' }).click();
    await page.getByRole('button', { name: 'keypad #' }).click();
    await page.getByRole('heading', { name: 'The kiosk shows' }).waitFor();
    await expectAxeClean(page, '/sim');
    await page.goto(new URL('/operator', k.k.ui!.url).href);
    await page.getByRole('rowheader', { name: 'A12' }).waitFor();
    expect(await page.getByRole('row', { name: /A01/ }).innerText()).toMatch(/open/);
    await expectAxeClean(page, '/operator');
  });
});
