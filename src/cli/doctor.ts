import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isDeviceError } from '../core/errors.js';
import type { DriverBase } from '../../drivers/lifecycle.js';
import type { LockBank, LockState } from '../../drivers/locks/contract.js';
import { Cu12LockBank } from '../../drivers/locks/cu12.js';
import { realCard, realCash, realFingerprint, realKeypad, realLocks, realScanner } from '../app/devices.js';
import { systemClock } from '../core/clock.js';
import type { Config } from '../config/index.js';
import { IdentityError, loadIdentity } from '../identity.js';
import { defaultWorkerUrl, selfCheck } from '../link/manifest-open.js';
import { openStore, SCHEMA_VERSION } from '../store/index.js';

type Check = { what: string; ok: boolean; words: string };

const OPEN_TIMEOUT_MS = 5000;

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<T>((_, reject) => {
        t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(t);
  }
}

function explain(e: unknown): string {
  if (isDeviceError(e)) {
    switch (e.code) {
      case 'missing-module':
        return `${e.message}`;
      case 'not-found':
        return `${e.message} — is it plugged in, and is the path in the config right?`;
      case 'timeout':
        return `${e.message} — is it powered, and are the wiring and the baud rate right?`;
      case 'checksum':
      case 'protocol':
        return `${e.message} — the line is noisy or the device speaks another protocol/baud rate`;
      case 'busy':
      case 'closed':
      case 'device-error':
      case 'disconnected':
      case 'unconfirmed':
        return e.message;
    }
  }
  return (e as Error).message;
}

/** Opens a real device, asks it something where it can be asked, and closes it. */
async function probe(what: string, d: DriverBase & { on?(ev: 'error', fn: (e: Error) => void): unknown }, ask?: () => Promise<string>): Promise<Check> {
  d.on?.('error', () => undefined);
  try {
    await withTimeout(d.open(), OPEN_TIMEOUT_MS, what);
    const extra = ask ? await withTimeout(ask(), OPEN_TIMEOUT_MS, what) : 'opened';
    return { what, ok: true, words: `${d.name}: ${extra}` };
  } catch (e) {
    return { what, ok: false, words: explain(e) };
  } finally {
    await d.close().catch(() => undefined);
  }
}

/** "; occupied: 2, 7; empty: 1, 3-6; 2 item sensors unknown" for the channels that have an item sensor; '' when none has. */
export function occupancy(states: readonly LockState[]): string {
  const sensed = states.filter((s) => s.itemPresent !== undefined && s.itemPresent !== null);
  if (sensed.length === 0) return '';
  const list = (xs: LockState[]): string => (xs.length ? ranges(xs.map((s) => s.channel)) : 'none');
  return `; occupied: ${list(sensed.filter((s) => s.itemPresent === true))}; empty: ${list(sensed.filter((s) => s.itemPresent === false))}`;
}

/**
 * Each configured compartment's occupancy by its item sensor, grouped:
 * "; compartments — item present: A02; empty: A01, A03; no sensor: A04"
 * (no sensor: none fitted, or its board did not answer).
 */
export function compartmentOccupancy(states: readonly LockState[], compartments: ReadonlyArray<{ id: string; channel: number }>): string {
  const byChannel = new Map(states.map((s) => [s.channel, s.itemPresent ?? null]));
  const groups: Array<[string, string[]]> = [['item present', []], ['empty', []], ['no sensor', []]];
  for (const c of compartments) {
    const v = byChannel.get(c.channel) ?? null;
    groups[v === true ? 0 : v === false ? 1 : 2]?.[1].push(c.id);
  }
  const parts = groups.filter(([, ids]) => ids.length > 0).map(([what, ids]) => `${what}: ${ids.join(', ')}`);
  return parts.length ? `; compartments — ${parts.join('; ')}` : '';
}

/** "; board 0 software 0x12, hardware 0x03; board 1 has no version query" for CU12 boards; '' for other banks. */
async function firmware(bank: unknown): Promise<string> {
  if (!(bank instanceof Cu12LockBank)) return '';
  const parts: string[] = [];
  for (const address of bank.boardAddresses) {
    const v = await bank.firmwareVersion(address).catch((e: unknown) => `not read (${(e as Error).message})`);
    parts.push(v === null ? `board ${address} has no version query` : `board ${address} ${v}`);
  }
  return `; ${parts.join('; ')}`;
}

/** [1, 3, 4, 5, 7] → "1, 3-5, 7". */
function ranges(channels: number[]): string {
  const out: string[] = [];
  const sorted = [...channels].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return out.join(', ');
}

async function devices(c: Config): Promise<Check[]> {
  const out: Check[] = [];
  const d = c.devices;
  const clock = systemClock;
  const sim = (what: string): Check => ({ what, ok: true, words: 'simulated (nothing to check)' });
  const build = async (what: string, make: () => Promise<DriverBase>, ask?: (x: never) => Promise<string>): Promise<void> => {
    try {
      const drv = await make();
      out.push(await probe(what, drv, ask ? () => ask(drv as never) : undefined));
    } catch (e) {
      out.push({ what, ok: false, words: explain(e) });
    }
  };
  if (d.keypad.driver === 'sim') out.push(sim('keypad'));
  else await build('keypad', () => realKeypad(d.keypad as Exclude<typeof d.keypad, { driver: 'sim' }>, clock));
  if (d.scanner.driver === 'sim') out.push(sim('scanner'));
  else await build('scanner', () => realScanner(d.scanner as Exclude<typeof d.scanner, { driver: 'sim' }>, clock));
  if (d.locks.driver === 'sim') out.push(sim('locks'));
  else {
    await build('locks', () => realLocks(d.locks as Exclude<typeof d.locks, { driver: 'sim' }>, clock), async (bank: LockBank) => {
      const states = await bank.states();
      const open = states.filter((s) => s.doorOpen === true).map((s) => s.channel);
      const unknown = states.filter((s) => s.doorOpen === null).length;
      return `${states.length} locks answered; doors open: ${open.length ? open.join(', ') : 'none'}${unknown ? `; ${unknown} door sensors unknown` : ''}${occupancy(states)}${compartmentOccupancy(states, c.compartments)}${await firmware(bank)}`;
    });
  }
  if (d.fingerprint === null) out.push({ what: 'fingerprint', ok: true, words: 'not configured' });
  else if (d.fingerprint.driver === 'sim') out.push(sim('fingerprint'));
  else {
    const f = d.fingerprint;
    await build('fingerprint', () => realFingerprint(f, clock), async () => 'password accepted');
  }
  if (d.card === null) out.push({ what: 'card reader', ok: true, words: 'not configured' });
  else if (d.card.driver === 'sim') out.push(sim('card reader'));
  else {
    const cc = d.card;
    await build('card reader', () => realCard(cc, clock));
  }
  if (d.cash === null) out.push({ what: 'cash acceptor', ok: true, words: 'not configured' });
  else if (d.cash.driver === 'sim') out.push(sim('cash acceptor'));
  else {
    const cc = d.cash;
    // Opening resets the validator and leaves it inhibited: it answered, and takes no money while checked.
    await build('cash acceptor', () => realCash(cc, clock), async () => `answers; inhibited (takes no money); ${cc.currency} notes`);
  }
  return out;
}

function storage(c: Config): Check[] {
  const out: Check[] = [];
  try {
    mkdirSync(c.dataDir, { recursive: true });
    accessSync(c.dataDir, constants.W_OK);
    out.push({ what: 'data directory', ok: true, words: `${c.dataDir} is writable` });
  } catch (e) {
    out.push({ what: 'data directory', ok: false, words: `${c.dataDir}: ${(e as Error).message}` });
    return out;
  }
  try {
    loadIdentity(c.dataDir);
    out.push({ what: 'kiosk keys', ok: true, words: 'present' });
  } catch (e) {
    const missing = e instanceof IdentityError && e.problem === 'missing';
    out.push({ what: 'kiosk keys', ok: missing, words: missing ? 'none yet: `start` makes them, or run `pickup-kiosk keygen`' : (e as Error).message });
  }
  const db = join(c.dataDir, 'kiosk.db');
  if (!existsSync(db)) {
    out.push({ what: 'database', ok: true, words: 'none yet: made at the first start' });
  } else {
    try {
      const s = openStore(db);
      const pending = s.outbox.pending();
      s.close();
      out.push({ what: 'database', ok: true, words: `schema ${SCHEMA_VERSION}, ${pending} reports waiting to be sent` });
    } catch (e) {
      out.push({ what: 'database', ok: false, words: (e as Error).message });
    }
  }
  return out;
}

async function broker(c: Config): Promise<Check> {
  if (c.broker.url === 'embedded') return { what: 'broker', ok: true, words: 'embedded (started with the kiosk)' };
  for (const f of [c.broker.ca, c.broker.cert, c.broker.key]) {
    if (f && !existsSync(f)) return { what: 'broker', ok: false, words: `TLS file ${f} does not exist` };
  }
  const u = new URL(c.broker.url);
  const port = Number(u.port || (u.protocol === 'mqtts:' ? 8883 : 1883));
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port, timeout: OPEN_TIMEOUT_MS });
    const done = (ok: boolean, words: string): void => {
      s.destroy();
      resolve({ what: 'broker', ok, words });
    };
    s.once('connect', () => done(true, `${u.hostname}:${port} accepts connections`));
    s.once('timeout', () => done(false, `${u.hostname}:${port} did not answer: check the network and firewall`));
    s.once('error', (e) => done(false, `${u.hostname}:${port}: ${e.message}`));
  });
}

/** The worker thread that opens big manifests: found beside the code, and opening a signed test manifest. */
async function manifestWorker(): Promise<Check> {
  const what = 'manifest worker';
  const url = defaultWorkerUrl();
  if (url === null) return { what, ok: false, words: 'manifest-worker.js is not beside the code: big manifests would be opened on the main thread (rebuild)' };
  try {
    return { what, ok: true, words: `opens a signed test manifest in a worker thread (${await selfCheck(url)} ms)` };
  } catch (e) {
    return { what, ok: false, words: (e as Error).message };
  }
}

/** `pickup-kiosk doctor`: what is configured, whether each part answers, and what to do when not. */
export async function doctorCommand(config: Config): Promise<number> {
  const checks = [...storage(config), await broker(config), await manifestWorker(), ...(await devices(config))];
  const sellers = Object.keys(config.trust.sellers);
  checks.push({ what: 'trusted sellers', ok: sellers.length > 0 || config.demo.parcels > 0, words: sellers.length ? sellers.join(', ') : 'none: add seller keys under trust.sellers (or pass --trust ID=HEX)' });
  for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.what.padEnd(16)} ${c.words}\n`);
  const bad = checks.filter((c) => !c.ok).length;
  process.stdout.write(bad === 0 ? '\nEverything answers.\n' : `\n${bad} problem${bad === 1 ? '' : 's'}: see above.\n`);
  return bad === 0 ? 0 : 1;
}
