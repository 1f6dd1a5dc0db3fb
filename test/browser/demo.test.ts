/**
 * The demo from the pages alone: `/` and `/sim` open side by side in one
 * Chromium, as a newcomer opens them. Every step is a click or typing on the
 * /sim panel (its scanner box, keypad, cash and door buttons; no HTTP posts
 * from the test), and every step is checked on `/` as a person sees and
 * hears it: the heading, the instruction, the named status, group and figure.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chrome } from '../../src/ui/messages/index.js';
import { load, startHarness, type Harness } from '../support/kiosk.js';
import { expectAxeClean, openBrowser, type Browser } from './support.js';

let browser: Browser;
let kiosk: Page;
let sim: Page;
let h: Harness | null = null;

beforeAll(async () => {
  browser = await openBrowser({ width: 1024, height: 768 });
  kiosk = browser.page;
  sim = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await h?.stop();
  h = null;
});

/** `/` shows the screen titled `name`, with the instruction `text` in its main part and in its live region. */
async function kioskShows(name: string, text?: RegExp): Promise<void> {
  await kiosk.getByRole('heading', { level: 1, name, exact: true }).waitFor({ timeout: 15_000 });
  if (text) {
    await kiosk.getByRole('main').getByText(text).first().waitFor({ timeout: 15_000 });
    await kiosk.getByRole('status').filter({ hasText: text }).waitFor({ timeout: 15_000 });
  }
  await expectAxeClean(kiosk, `/ at ${name}`);
}

/** A click on the /sim panel; the panel's error line stays empty (the kiosk took it). */
async function press(name: string | RegExp): Promise<void> {
  await sim.getByRole('button', { name, exact: typeof name === 'string' }).click();
  expect(await sim.getByRole('alert').textContent()).toBe('');
}

/** Keys on the /sim panel's hardware keypad, one click each. */
async function keypad(keys: string): Promise<void> {
  for (const k of keys) await press(`keypad ${k}`);
}

/** A screenshot of the /sim panel; with SIM_SHOTS=1 written to the temporary directory, for a person to look at. */
async function snapshot(name: string): Promise<void> {
  const png = await sim.screenshot({ fullPage: true });
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  if (process.env.SIM_SHOTS === '1') writeFileSync(join(tmpdir(), `pk-demo-${name}.png`), png);
}

describe('the demo from the pages alone', () => {
  it('pay at pickup, worked only on /sim and followed on /: scan, code, cash, door open and closed, thanks', async () => {
    h = await startHarness({ tune: (c) => void (c.screen.lang = 'en') });
    const txn = 'T-2026-11-601';
    const slip = await h.slip(txn, '36914725', { due: { amount: 1500, currency: 'JPY' } });
    const cid = await load(h, txn, '36914725', { slip }); // the courier's part, before the demo
    const url = h.k.ui!.url;

    await kiosk.goto(url);
    await kiosk.getByRole('heading', { level: 1, name: chrome.en.offline }).waitFor({ state: 'detached' });
    await kioskShows('Collect your parcel');
    await sim.goto(new URL('/sim', url).href);
    await sim.getByRole('heading', { level: 1, name: /Simulated hardware/ }).waitFor();
    await expectAxeClean(sim, '/sim');

    // The scanner box: the parcel's barcode text, then Scan.
    await sim.getByRole('textbox', { name: /Barcode text/ }).fill(`shop-a/${txn}`);
    await press('Scan');
    await kioskShows('Your code');

    // The hardware keypad: the code, shown on / as a count of digits, never the digits.
    await keypad('36914725');
    const entered = kiosk.getByRole('status', { name: 'Entered', exact: true });
    await expect.poll(() => entered.textContent()).toContain('8 digits');
    expect(await entered.textContent()).not.toContain('3691');
    await keypad('#');
    await kioskShows('Payment', /insert ¥1,500\./);
    const toPay = kiosk.getByRole('group', { name: 'To pay', exact: true });
    expect(await toPay.textContent()).toContain('¥1,500');
    // The panel reads the kiosk's screen back too.
    await sim.getByRole('region', { name: 'The kiosk shows' }).getByText(/¥1,500/).waitFor();
    await snapshot('pay');

    // The cash buttons: ¥1,000, then ¥500.
    await press('Insert ¥1,000');
    await kioskShows('Payment', /insert ¥500 more \(¥1,000 paid\)/);
    await expect.poll(() => toPay.textContent()).toMatch(/¥500$/);
    await press('Insert ¥500');
    await kioskShows('Door open', new RegExp(`Compartment ${cid} is open`));
    const door = kiosk.getByRole('figure', { name: `Compartment ${cid}`, exact: true });
    expect(await door.getByRole('img', { name: new RegExp(cid) }).isVisible()).toBe(true);
    expect(await toPay.count()).toBe(0);

    // The door buttons: the unlocked door opened, then closed.
    await press(new RegExp(`^Open door ${cid} \\(unlocked\\)$`));
    await sim.getByRole('button', { name: new RegExp(`^Close door ${cid}`) }).waitFor();
    await snapshot('door-open');
    await press(new RegExp(`^Close door ${cid}`));
    await kioskShows('Thank you');
    await sim.getByRole('button', { name: `Open door ${cid}`, exact: true }).waitFor();

    // The panel's event list has each coin, even two alike in one second.
    const events = sim.getByRole('region', { name: 'Events' }).getByRole('listitem');
    await expect.poll(() => events.filter({ hasText: `cash.inserted ${txn}` }).count()).toBe(2);
    await events.filter({ hasText: `unlock.pickup ${cid} ${txn}` }).waitFor();

    expect(h.k.store.parcels.get('shop-a', txn)).toMatchObject({ state: 'handed_over', paidAmount: 1500 });
    const c = (await h.state()).compartments.find((x) => x.id === cid);
    expect(c).toMatchObject({ doorOpen: false, locked: true, unlockPulses: 2 }); // the courier's load, then this pickup
  });
});
