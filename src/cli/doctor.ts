import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isDeviceError } from '../../drivers/errors.js';
import type { DriverBase } from '../../drivers/lifecycle.js';
import { realCard, realFingerprint, realKeypad, realLocks, realScanner } from '../../drivers/real.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/index.js';
import { IdentityError, loadIdentity } from '../identity.js';
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

async function devices(c: Config): Promise<Check[]> {
  const out: Check[] = [];
  const d = c.devices;
  const clock = systemClock;
  const sim = (what: string): Check => ({ what, ok: true, words: 'simulated (nothing to check)' });
  const build = async (what: string, make: () => DriverBase, ask?: (x: never) => Promise<string>): Promise<void> => {
    try {
      const drv = make();
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
    await build('locks', () => realLocks(d.locks as Exclude<typeof d.locks, { driver: 'sim' }>, clock), async (bank: ReturnType<typeof realLocks>) => {
      const states = await bank.states();
      const open = states.filter((s) => s.doorOpen === true).map((s) => s.channel);
      const unknown = states.filter((s) => s.doorOpen === null).length;
      return `${states.length} locks answered; doors open: ${open.length ? open.join(', ') : 'none'}${unknown ? `; ${unknown} door sensors unknown` : ''}`;
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

/** `pickup-kiosk doctor`: what is configured, whether each part answers, and what to do when not. */
export async function doctorCommand(config: Config): Promise<number> {
  const checks = [...storage(config), await broker(config), ...(await devices(config))];
  const sellers = Object.keys(config.trust.sellers);
  checks.push({ what: 'trusted sellers', ok: sellers.length > 0 || config.demo.parcels > 0, words: sellers.length ? sellers.join(', ') : 'none: add seller keys under trust.sellers (or pass --trust ID=HEX)' });
  for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.what.padEnd(16)} ${c.words}\n`);
  const bad = checks.filter((c) => !c.ok).length;
  process.stdout.write(bad === 0 ? '\nEverything answers.\n' : `\n${bad} problem${bad === 1 ? '' : 's'}: see above.\n`);
  return bad === 0 ? 0 : 1;
}
