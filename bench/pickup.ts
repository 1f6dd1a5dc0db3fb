/**
 * Time from the recipient's final `#` to the unlock command, over 1,000
 * pickups on an in-process kiosk (simulated devices, a real SQLite store on
 * disk). The key derivation is timed apart, so the kiosk's own overhead shows:
 * the one the kiosk runs, timed in its path (node's crypto.scrypt, from the
 * call to its callback), and the same derivation run again right after.
 */
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKiosk } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { deriveS, generateEd25519, makeSlip, type ScryptParams } from '../src/domain/index.js';
import type { Kiosk } from '../src/flows/kiosk.js';
import { silentLog } from '../src/core/log.js';

const N = 1000;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Waits for a screen through one listener (a listener per wait would pile up over 1,000 pickups). */
function screenWaiter(k: Kiosk): (id: string) => Promise<void> {
  let want: { id: string; resolve: () => void } | null = null;
  k.screen.onChange((s) => {
    if (want && s.id === want.id) {
      const w = want;
      want = null;
      w.resolve();
    }
  });
  return (id) =>
    new Promise((resolve) => {
      if (k.screen.get().id === id) return resolve();
      want = { id, resolve };
    });
}

/** Times every crypto.scrypt run from its call to its callback (src/domain/kdf.ts calls it through the module object). */
function timeScrypt(): { last(): number; reset(): void; restore(): void } {
  const real = crypto.scrypt;
  let ms = NaN;
  const timed = (...args: unknown[]): void => {
    const cb = args.pop() as (err: Error | null, key: Buffer) => void;
    const t0 = performance.now();
    (real as (...a: unknown[]) => void)(...args, (err: Error | null, key: Buffer) => {
      ms = performance.now() - t0;
      cb(err, key);
    });
  };
  crypto.scrypt = timed;
  return {
    last: () => ms,
    reset: () => {
      ms = NaN;
    },
    restore: () => {
      crypto.scrypt = real;
    },
  };
}

interface Samples {
  total: number[];
  kdf: number[];
  over: number[];
  kdfAgain: number[];
  overPaired: number[];
}

async function run1(params: ScryptParams, count: number): Promise<Samples> {
  const dir = mkdtempSync(join(tmpdir(), 'pk-bench-'));
  const seller = { id: 'shop-a', keys: generateEd25519() };
  const config = loadConfig({ overrides: { dataDir: dir, trust: [{ id: seller.id, key: seller.keys.publicKey.toString('hex') }] } });
  config.log.level = 'silent';
  config.compartments = Array.from({ length: count }, (_, i) => ({
    id: `${String.fromCharCode(65 + Math.floor(i / 100))}${String(i % 100).padStart(2, '0')}`,
    size: 'M' as const,
    channel: i + 1,
  }));
  config.attempts.kioskSprayParcels = 1_000_000;
  const k = await startKiosk({ config, log: silentLog, http: false });
  const sims = k.sims!;
  const waitScreen = screenWaiter(k.kiosk);
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const code = String(10_000_000 + i);
    codes.push(code);
    const txn = `B-${i}`;
    const slip = await makeSlip({ seller, mode: 1, code, plaintext: { txn }, params, kioskX25519Public: k.identity.x25519.publicKey });
    k.store.parcels.insert({ sellerId: 'shop-a', txn, state: 'stored', compartmentId: config.compartments[i].id, slip }, Date.now());
    k.store.compartments.setState(config.compartments[i].id, 'occupied', null, Date.now());
  }
  let unlockAt = 0;
  const unlock = sims.locks!.unlock.bind(sims.locks);
  sims.locks!.unlock = (ch: number) => {
    unlockAt = performance.now();
    return unlock(ch);
  };
  const s: Samples = { total: [], kdf: [], over: [], kdfAgain: [], overPaired: [] };
  const scrypt = timeScrypt();
  for (let i = 0; i < count; i++) {
    sims.scanner!.scan(`shop-a/B-${i}`);
    await waitScreen('enter-code');
    sims.keypad!.press(codes[i]);
    const opened = waitScreen('door-open');
    scrypt.reset();
    const t0 = performance.now();
    sims.keypad!.press('#');
    await opened;
    const total = unlockAt - t0;
    s.total.push(total);
    s.kdf.push(scrypt.last());
    s.over.push(total - scrypt.last());
    // The same key derivation run again right after: a paired sample (noisier: two derivations vary apart).
    const k0 = performance.now();
    await deriveS(codes[i], Buffer.alloc(16, i & 0xff), params);
    s.kdfAgain.push(performance.now() - k0);
    s.overPaired.push(total - s.kdfAgain[i]);
    const ch = config.compartments[i].channel;
    sims.locks!.openDoor(ch);
    sims.locks!.closeDoor(ch);
  }
  scrypt.restore();
  const handed = k.store.parcels.count('handed_over');
  await k.stop();
  rmSync(dir, { recursive: true, force: true });
  if (handed !== count) throw new Error(`only ${handed} of ${count} handed over`);
  if (s.kdf.some((x) => !Number.isFinite(x))) throw new Error('a pickup ran no timed key derivation');
  return s;
}

export async function run(): Promise<void> {
  const cases: Array<{ params: ScryptParams; count: number }> = [
    { params: { logN: 14, r: 1, p: 1 }, count: N },
    { params: { logN: 15, r: 8, p: 1 }, count: 100 },
  ];
  console.log('final # → unlock command (ms), mode-1 slip checked offline, store on disk (WAL, synchronous FULL)');
  console.log('KDF: the derivation in the pickup, crypto.scrypt call → callback; over KDF: the pickup minus it');
  console.log('paired: minus the same derivation run again right after (the earlier method)');
  console.log('scrypt            pickups   total p50   total p99   KDF p50   KDF p99   over KDF p50   over KDF p99   paired p50   paired p99');
  const f = (x: number, w: number): string => x.toFixed(2).padStart(w);
  for (const c of cases) {
    const s = await run1(c.params, c.count);
    console.log(
      `logN ${c.params.logN} r ${c.params.r}`.padEnd(18) +
        String(c.count).padStart(7) +
        f(pct(s.total, 50), 12) +
        f(pct(s.total, 99), 12) +
        f(pct(s.kdf, 50), 10) +
        f(pct(s.kdf, 99), 10) +
        f(pct(s.over, 50), 15) +
        f(pct(s.over, 99), 15) +
        f(pct(s.overPaired, 50), 13) +
        f(pct(s.overPaired, 99), 13),
    );
  }
}
