/**
 * Time from the recipient's final `#` to the unlock command, over 1,000
 * pickups on an in-process kiosk (simulated devices, a real SQLite store on
 * disk). The key derivation is timed apart, so the kiosk's own overhead shows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKiosk } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { deriveS, generateEd25519, makeSlip, type ScryptParams } from '../src/domain/index.js';
import type { Kiosk } from '../src/flows/kiosk.js';
import { silentLog } from '../src/log.js';

const N = 1000;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function waitScreen(k: Kiosk, id: string): Promise<void> {
  return new Promise((resolve) => {
    if (k.screen.get().id === id) return resolve();
    k.screen.onChange((s) => {
      if (s.id === id) resolve();
    });
  });
}

async function run1(params: ScryptParams, count: number): Promise<{ total: number[]; kdf: number[]; over: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'pk-bench-'));
  const seller = { id: 'shop-a', keys: generateEd25519() };
  const config = loadConfig({ overrides: { dataDir: dir, trust: [{ id: seller.id, key: seller.keys.publicKey.toString('hex') }] } });
  config.log.level = 'silent';
  config.compartments = Array.from({ length: count }, (_, i) => ({
    id: `${String.fromCharCode(65 + Math.floor(i / 100))}${String(i % 100).padStart(2, '0')}`,
    size: 'M' as const,
    channel: i + 1,
  }));
  config.attempts.kioskFreeFailures = 1_000_000;
  const k = await startKiosk({ config, log: silentLog, http: false });
  const sims = k.sims!;
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
  const total: number[] = [];
  const kdf: number[] = [];
  const over: number[] = [];
  for (let i = 0; i < count; i++) {
    sims.scanner!.scan(`shop-a/B-${i}`);
    await waitScreen(k.kiosk, 'enter-code');
    sims.keypad!.press(codes[i]);
    const opened = waitScreen(k.kiosk, 'door-open');
    const t0 = performance.now();
    sims.keypad!.press('#');
    await opened;
    total.push(unlockAt - t0);
    // The same key derivation timed right after, under the same conditions: a paired sample.
    const k0 = performance.now();
    await deriveS(codes[i], Buffer.alloc(16, i & 0xff), params);
    kdf.push(performance.now() - k0);
    over.push((total[i]) - (kdf[i]));
    const ch = config.compartments[i].channel;
    sims.locks!.openDoor(ch);
    sims.locks!.closeDoor(ch);
  }
  const handed = k.store.parcels.count('handed_over');
  await k.stop();
  rmSync(dir, { recursive: true, force: true });
  if (handed !== count) throw new Error(`only ${handed} of ${count} handed over`);
  return { total, kdf, over };
}

export async function run(): Promise<void> {
  const cases: Array<{ params: ScryptParams; count: number }> = [
    { params: { logN: 14, r: 1, p: 1 }, count: N },
    { params: { logN: 15, r: 8, p: 1 }, count: 100 },
  ];
  console.log('final # → unlock command (ms), mode-1 slip checked offline, store on disk (WAL, synchronous FULL)');
  console.log('"over KDF": per pickup, its time minus the same derivation timed right after it (paired samples)');
  console.log('scrypt            pickups   total p50   total p99   KDF p50   KDF p99   over KDF p50   over KDF p99');
  for (const c of cases) {
    const { total, kdf, over } = await run1(c.params, c.count);
    const over50 = pct(over, 50);
    const over99 = pct(over, 99);
    console.log(
      `logN ${c.params.logN} r ${c.params.r}`.padEnd(18) +
        String(c.count).padStart(7) +
        pct(total, 50).toFixed(2).padStart(12) +
        pct(total, 99).toFixed(2).padStart(12) +
        pct(kdf, 50).toFixed(2).padStart(10) +
        pct(kdf, 99).toFixed(2).padStart(10) +
        over50.toFixed(2).padStart(15) +
        over99.toFixed(2).padStart(15),
    );
  }
}
