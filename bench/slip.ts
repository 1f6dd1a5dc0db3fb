/**
 * PKS1 slip checks: how many a kiosk does per second without a code (steps
 * 1-3: parse, signature, kiosk key; what check-in and re-checks cost) and with
 * a code (steps 1-5: one scrypt each), and how long one full check takes, for
 * modes 0 and 1 at logN 14 and 15 (r = 8). Checks run one at a time, as a
 * kiosk with one keypad runs them.
 */
import {
  checkSlip,
  createTrustStore,
  generateEd25519,
  generateX25519,
  makeSlip,
  type CheckOptions,
} from '../src/domain/index.js';

const CODE = '24681357';
const NO_CODE_MS = 400; // run steps 1-3 for this long per row
const WITH_CODE_MS = 1500; // run full checks for at least this long per row (and at least 3)

interface Row {
  mode: 0 | 1;
  logN: number;
  noCodePerSec: number;
  withCodePerSec: number;
  fullMedianMs: number;
  fullMinMs: number;
}

async function measure(mode: 0 | 1, logN: number): Promise<Row> {
  const seller = { id: 'shop-bench', keys: generateEd25519() };
  const kiosk = generateX25519();
  const slip = await makeSlip({
    seller,
    mode,
    code: CODE,
    plaintext: { txn: 'T-2026-11-1', due: { amount: 3015, currency: 'JPY' }, holdUntil: '2026-12-01T00:00:00Z' },
    params: { logN, r: 8, p: 1 },
    kioskX25519Public: kiosk.publicKey,
  });
  const opts: CheckOptions = {
    trust: createTrustStore({ [seller.id]: [seller.keys.publicKey.toString('hex')] }),
    allowMode0: true,
    kioskX25519: kiosk,
  };

  // Warm up, and make sure the slip really checks: a bench of failures measures nothing.
  const first = await checkSlip(slip, { ...opts, code: CODE, expectTxn: 'T-2026-11-1' });
  if (!first.ok) throw new Error(`bench slip did not check: ${first.reason}`);

  let n = 0;
  let start = performance.now();
  while (performance.now() - start < NO_CODE_MS) {
    const r = await checkSlip(slip, opts);
    if (!r.ok) throw new Error(`check-in failed: ${r.reason}`);
    n++;
  }
  const noCodePerSec = n / ((performance.now() - start) / 1000);

  const times: number[] = [];
  start = performance.now();
  while (times.length < 3 || performance.now() - start < WITH_CODE_MS) {
    const t = performance.now();
    const r = await checkSlip(slip, { ...opts, code: CODE, expectTxn: 'T-2026-11-1' });
    times.push(performance.now() - t);
    if (!r.ok) throw new Error(`full check failed: ${r.reason}`);
  }
  const total = times.reduce((a, b) => a + b, 0);
  times.sort((a, b) => a - b);
  return {
    mode,
    logN,
    noCodePerSec,
    withCodePerSec: times.length / (total / 1000),
    fullMedianMs: times[Math.floor(times.length / 2)],
    fullMinMs: times[0],
  };
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const logN of [14, 15]) for (const mode of [0, 1] as const) rows.push(await measure(mode, logN));
  console.log('PKS1 slip checks (r = 8, p = 1; one check at a time)');
  console.log(
    ['mode', 'logN', 'scrypt MiB', 'no code /s', 'with code /s', 'full check ms (median)', 'min ms']
      .map((h, i) => (i < 2 ? h.padEnd(5) : h.padStart(i === 5 ? 23 : 13)))
      .join(' '),
  );
  for (const r of rows) {
    console.log(
      [
        String(r.mode).padEnd(5),
        String(r.logN).padEnd(5),
        String((128 * 8 * 2 ** r.logN) / 2 ** 20).padStart(13),
        r.noCodePerSec.toFixed(0).padStart(13),
        r.withCodePerSec.toFixed(2).padStart(13),
        r.fullMedianMs.toFixed(1).padStart(23),
        r.fullMinMs.toFixed(1).padStart(13),
      ].join(' '),
    );
  }
}
