import { Writable } from 'node:stream';
import { expect } from 'vitest';
import type { CashAcceptor } from '../../drivers/cash/contract.js';
import { buildDevices } from '../../src/app/devices.js';
import { startKiosk, type RunningKiosk, type StartOptions } from '../../src/app.js';
import { linkFromConfig } from '../../src/app-link.js';
import { hashCourierPin, loadConfig, type Config } from '../../src/config/index.js';
import { createLogger } from '../../src/core/log.js';
import { generateEd25519, makeSlip, type Ed25519KeyPair, type SlipPlaintext } from '../../src/domain/index.js';
import type { Screen } from '../../src/domain/screens.js';
import { FakeClock } from './fake-clock.js';
import { tempDir } from './tmp.js';

export const FAST = { logN: 14, r: 1, p: 1 };
export const COURIER = { id: '7001', pin: '246810' };

/** A screen as /sim/state gives it: its id, what it is about, and its words in the default language. */
export interface SimScreen {
  id: string;
  params: Record<string, unknown>;
  text: string;
}

/** A kiosk's in-process screen as /sim/state would give it (the words left out). */
export function simScreen(s: Screen): SimScreen {
  const { id, ...params } = s;
  return { id, params, text: '' };
}

/** GET /sim/state, as sim-control.md gives it. */
export interface SimState {
  compartments: Array<{ id: string; size: string; locked: boolean | null; doorOpen: boolean | null; itemPresent: boolean | null; unlockPulses: number }>;
  screen: SimScreen;
  card: { files: Record<string, string> } | null;
}

export interface Harness extends Driven {
  k: RunningKiosk;
  clock: FakeClock;
  seller: { id: string; keys: Ed25519KeyPair };
  config: Config;
  dataDir: string;
  logText(): string;
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  state(): Promise<SimState>;
  waitScreen(id: string, timeoutMs?: number): Promise<SimState>;
  slip(txn: string, code: string, extra?: Partial<SlipPlaintext>): Promise<string>;
  restart(whileDown?: () => void): Promise<void>;
  stop(): Promise<void>;
}

/** A simulated kiosk on free ports with a fake clock, a trusted test seller and one courier. */
export async function startHarness(opts: { tune?: (c: Config) => void; link?: StartOptions['link']; withLink?: boolean; cash?: CashAcceptor } = {}): Promise<Harness> {
  const t = tempDir('pk-e2e-');
  const seller = { id: 'shop-a', keys: generateEd25519() };
  const config = loadConfig({
    overrides: { dataDir: t.dir, httpPort: 0, trust: [{ id: seller.id, key: seller.keys.publicKey.toString('hex') }] },
  });
  config.couriers = [{ id: COURIER.id, pin: await hashCourierPin(COURIER.pin, FAST) }];
  config.log.level = 'debug';
  opts.tune?.(config);
  const clock = new FakeClock(Date.now()); // near real time: a seller on the wall clock checks expiresAt
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logged += chunk.toString();
      cb();
    },
  });
  // The harness owns the (simulated) hardware, so a kiosk restart finds doors as people left them.
  const hw = await buildDevices(config, clock);
  // A real cash driver (on a pty) in place of the in-process one; the caller closes it.
  if (opts.cash) {
    hw.devices.cash = opts.cash;
    hw.sims.cash = null;
  }
  const start = () =>
    startKiosk({ config, clock, log: createLogger({ level: 'debug', destination: sink }), link: opts.withLink ? linkFromConfig(config) : opts.link, devices: { devices: hw.devices, sims: hw.sims } });
  const h: Harness = {
    sellerId: seller.id,
    hands: {
      press: async (keys) => void (await h.post('/sim/keypad', { keys })),
      scan: async (text) => void (await h.post('/sim/scan', { text })),
      door: async (id, open) => void (await h.post(`/sim/door/${id}`, { open })),
      screen: async () => (await h.state()).screen,
      pulses: async () => Object.fromEntries((await h.state()).compartments.map((c) => [c.id, c.unlockPulses])),
    },
    k: await start(),
    clock,
    seller,
    config,
    dataDir: t.dir,
    logText: () => logged,
    async post(path, body) {
      const r = await fetch(new URL(path, h.k.ui!.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    },
    async state() {
      return (await (await fetch(new URL('/sim/state', h.k.ui!.url))).json()) as SimState;
    },
    async waitScreen(id, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      let s: SimState | undefined;
      while (Date.now() < end) {
        s = await h.state();
        if (s.screen.id === id) return s;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(s?.screen, `waiting for screen ${id}`).toMatchObject({ id });
      return s!;
    },
    slip(txn, code, extra = {}) {
      return makeSlip({ seller, mode: 1, code, plaintext: { txn, ...extra }, params: FAST, kioskX25519Public: h.k.identity.x25519.publicKey });
    },
    async restart(whileDown) {
      await h.k.stop();
      whileDown?.();
      h.k = await start();
    },
    async stop() {
      await h.k.stop();
      for (const d of [hw.devices.keypad, hw.devices.scanner, hw.devices.locks, hw.devices.fingerprint, hw.devices.card]) await d?.close();
      t.cleanup();
    },
  };
  return h;
}

/** What a person does at a kiosk, whatever the hardware behind it (in-process sims over HTTP, or wire-level sims). */
export interface Hands {
  press(keys: string): Promise<void>;
  scan(text: string): Promise<void>;
  door(compartmentId: string, open: boolean): Promise<void>;
  screen(): Promise<SimScreen>;
  /** Unlock pulses per compartment so far. */
  pulses(): Promise<Record<string, number>>;
}

/** A kiosk a scenario can be run against. */
export interface Driven {
  hands: Hands;
  sellerId: string;
  slip(txn: string, code: string): Promise<string>;
}

export async function waitFor(hands: Hands, id: string, timeoutMs = 10_000): Promise<SimScreen> {
  const end = Date.now() + timeoutMs;
  let s = await hands.screen();
  while (s.id !== id && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5));
    s = await hands.screen();
  }
  expect(s, `waiting for screen ${id}`).toMatchObject({ id });
  return s;
}

/** `*` until the idle screen: `*` is back / start over everywhere, and staff sign in from idle. */
export async function toIdle(hands: Hands): Promise<void> {
  for (let i = 0; i < 4 && (await hands.screen()).id !== 'idle'; i++) await hands.press('*');
  await waitFor(hands, 'idle');
}

/** Signs a courier in, scans slip and number, picks size M if asked: resolves with the compartment unlocked for it (door still closed). */
export async function openLoad(d: Driven, txn: string, code: string, opts: { slip?: string; noSlip?: boolean } = {}): Promise<string> {
  const { hands } = d;
  await toIdle(hands);
  await hands.press('**');
  await waitFor(hands, 'courier-id');
  await hands.press(`${COURIER.id}#`);
  await waitFor(hands, 'courier-pin');
  await hands.press(`${COURIER.pin}#`);
  await waitFor(hands, 'courier-scan');
  if (!opts.noSlip) {
    await hands.scan(opts.slip ?? (await d.slip(txn, code)));
    await waitFor(hands, 'courier-number');
  }
  await hands.scan(`${d.sellerId}/${txn}`);
  const end = Date.now() + 10_000;
  let s = await hands.screen();
  while ((s.id === 'courier-number' || s.id === 'courier-scan') && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5));
    s = await hands.screen();
  }
  if (s.id === 'courier-size') await hands.press('2');
  s = await waitFor(hands, 'courier-door');
  return s.params.compartment as string;
}

/** A whole courier load: openLoad, then the door opens and closes and the courier signs out. Returns the compartment. */
export async function load(
  d: Driven,
  txn: string,
  code: string,
  opts: { slip?: string; noSlip?: boolean; beforeClose?: (compartmentId: string) => Promise<void> } = {},
): Promise<string> {
  const { hands } = d;
  const id = await openLoad(d, txn, code, opts);
  await hands.door(id, true);
  await opts.beforeClose?.(id);
  await hands.door(id, false);
  await waitFor(hands, 'courier-scan');
  await hands.press('*');
  await waitFor(hands, 'idle');
  return id;
}

/** Names the parcel by scan, types the code, returns the screen reached. */
export async function tryCode(d: Driven, txn: string, code: string, expect: string): Promise<SimScreen> {
  await d.hands.scan(`${d.sellerId}/${txn}`);
  await waitFor(d.hands, 'enter-code');
  await d.hands.press(`${code}#`);
  return waitFor(d.hands, expect);
}
