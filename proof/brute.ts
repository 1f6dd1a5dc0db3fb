/**
 * Brute force: wrong codes typed as fast as the keypad takes them, spread
 * over several parcels (the strongest guessing there is at a kiosk), then the
 * same paced: the guesser waits out every wait screen. What counts is how
 * many guesses the kiosk really checked, and whether a recipient with the
 * right code for another parcel still gets their door.
 */
import { DEFAULT_LIMITS, kioskNextTry, type AttemptLimits } from '../src/domain/attempts.js';
import { liveSpray } from './lib/kdb.js';
import { createScene, loadMany, toIdle } from './lib/scene.js';
import type { KioskProcess } from './lib/kiosk.js';
import { issueParcels, type Parcel } from './lib/seller.js';
import { count, sleep, type Say } from './lib/util.js';

export interface BruteResult {
  fast: { tries: number; seconds: number; outcomes: Record<string, number>; checked: number; opened: number };
  paced: { tries: number; seconds: number; outcomes: Record<string, number>; checked: number; opened: number; perHour: number };
  other: {
    screen: string;
    waitedSeconds: number;
    opened: boolean;
    /** The first answer to the right code: `wait` with its reason (`kiosk`: the spray rule; `parcel`) and length, or the screen itself. */
    first: { screen: string; why: string | null; waitSeconds: number | null };
    /** The kiosk-wide count at that moment: different parcels with wrong codes in the window, and seconds since the last wrong code. */
    spray: { parcels: number; sinceLastSeconds: number | null } | null;
    /** What the attempt policy (src/domain/attempts.ts, the kiosk's limits) gives for that count: the wait in seconds from the last wrong code. */
    policyWaitSeconds: number | null;
  };
  /** The kiosk-wide wait's start in this run (seconds; the default is 30). */
  backoffStartSeconds?: number;
}

/** One guess: name the parcel, type a wrong code. Returns the screen the kiosk ends on. */
async function guess(k: KioskProcess, sellerId: string, p: Parcel, wrong: string): Promise<{ id: string; until: number | null }> {
  await k.scan(`${sellerId}/${p.txn}`);
  let s = await k.waitScreen(['enter-code', 'wait', 'locked-out', 'contact-seller'], 3000);
  if (s.id === 'enter-code') {
    await k.keys(`${wrong}#`);
    s = await k.waitScreen(['denied', 'locked-out', 'wait', 'door-open', 'contact-seller', 'refused'], 5000);
  }
  const until = typeof s.params?.until === 'number' ? s.params.until : /wait (\d+) s/i.exec(s.text) ? Date.now() + 1000 * Number(/wait (\d+) s/i.exec(s.text)![1]) : null;
  await k.keys('*');
  return { id: s.id, until };
}

/** A denied code was checked; door-open would be a wrong code accepted. */
const CHECKED = new Set(['denied', 'door-open']);

function wrongFor(p: Parcel, i: number): string {
  let w = String(10_000_000 + ((i * 7919) % 89_999_999)).slice(0, p.code.length);
  if (w === p.code) w = w.replace(/.$/, (d) => String((Number(d) + 1) % 10));
  return w;
}

export async function bruteProof(o: { tries: number; pacedSeconds: number; backoffStartMs?: number | null; say: Say }): Promise<BruteResult> {
  const limits: AttemptLimits = { ...DEFAULT_LIMITS, ...(o.backoffStartMs == null ? {} : { kioskBackoffStartMs: o.backoffStartMs }) };
  const scene = await createScene({
    name: 'brute',
    compartments: 12,
    failureLimit: 5,
    ...(o.backoffStartMs == null ? {} : { extra: { attempts: { kioskBackoffStartMs: o.backoffStartMs } } }),
  });
  const { kiosk: k, seller } = scene;
  try {
    const parcels = await issueParcels(seller, scene.kioskId, 9, 'B');
    await loadMany(k, seller.sellerId, parcels);
    const victims = parcels.slice(0, 8);
    const other = parcels[8];

    const fast = { tries: 0, seconds: 0, outcomes: {} as Record<string, number>, checked: 0, opened: 0 };
    let t0 = Date.now();
    for (let i = 0; i < o.tries; i++) {
      const g = await guess(k, seller.sellerId, victims[i % victims.length], wrongFor(victims[i % victims.length], i));
      fast.tries++;
      count(fast.outcomes, g.id);
      if (CHECKED.has(g.id)) fast.checked++;
      if (g.id === 'door-open') fast.opened++;
      if ((i + 1) % 250 === 0) o.say(`  brute force: ${i + 1}/${o.tries} wrong codes at full speed`);
    }
    fast.seconds = (Date.now() - t0) / 1000;
    // What the kiosk itself counted as wrong codes checked (a wrong code may be answered with `wait` at once).
    const afterFast = liveSpray(k.dataDir, 0)?.rows ?? null;
    if (afterFast !== null) fast.checked = afterFast;

    // Paced: the guesser obeys every wait, on the parcels not yet locked out.
    const paced = { tries: 0, seconds: 0, outcomes: {} as Record<string, number>, checked: 0, opened: 0, perHour: 0 };
    t0 = Date.now();
    const end = t0 + o.pacedSeconds * 1000;
    let i = 0;
    while (Date.now() < end) {
      const p = victims[i % victims.length];
      const g = await guess(k, seller.sellerId, p, wrongFor(p, 100_000 + i));
      i++;
      paced.tries++;
      count(paced.outcomes, g.id);
      if (CHECKED.has(g.id)) paced.checked++;
      if (g.id === 'door-open') paced.opened++;
      if (g.id === 'wait' && g.until !== null) await sleep(Math.min(Math.max(0, g.until - Date.now()) + 50, Math.max(0, end - Date.now())));
      if (paced.outcomes['locked-out'] !== undefined && paced.outcomes['locked-out'] >= victims.length * 3) break; // everything locked: nothing left to guess
    }
    paced.seconds = (Date.now() - t0) / 1000;
    const afterPaced = liveSpray(k.dataDir, 0)?.rows ?? null;
    if (afterPaced !== null && afterFast !== null) paced.checked = afterPaced - afterFast;
    paced.perHour = Math.round((paced.checked / paced.seconds) * 3600);

    // The next person, with the right code for a parcel nobody guessed at.
    await toIdle(k);
    const t1 = Date.now();
    const spray = liveSpray(k.dataDir, t1 - limits.kioskWindowMs);
    const policyAt = spray === null ? null : kioskNextTry(spray.things, spray.lastAt, limits);
    let first: BruteResult['other']['first'] | null = null;
    let screen = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      await k.scan(`${seller.sellerId}/${other.txn}`);
      let s = await k.waitScreen(['enter-code', 'wait', 'locked-out', 'contact-seller'], 3000);
      if (s.id === 'enter-code') {
        await k.keys(`${other.code}#`);
        s = await k.waitScreen(['door-open', 'denied', 'wait', 'locked-out', 'contact-seller'], 5000);
      }
      screen = s.id;
      const until = typeof s.params?.until === 'number' ? s.params.until : Date.now() + 1000 * Number(/(\d+) s/.exec(s.text)?.[1] ?? '1');
      first ??= { screen: s.id, why: typeof s.params?.why === 'string' ? s.params.why : null, waitSeconds: s.id === 'wait' ? (until - Date.now()) / 1000 : null };
      if (s.id !== 'wait') break;
      if (until - Date.now() > 120_000) break; // longer than a person waits
      await k.keys('*');
      await sleep(Math.max(0, until - Date.now()) + 100);
    }
    return {
      fast,
      paced,
      other: {
        screen,
        waitedSeconds: (Date.now() - t1) / 1000,
        opened: screen === 'door-open',
        first: first ?? { screen, why: null, waitSeconds: null },
        spray: spray === null ? null : { parcels: spray.things, sinceLastSeconds: spray.lastAt === null ? null : (t1 - spray.lastAt) / 1000 },
        policyWaitSeconds: spray === null || policyAt === null || spray.lastAt === null || policyAt === 0 ? null : (policyAt - spray.lastAt) / 1000,
      },
      backoffStartSeconds: limits.kioskBackoffStartMs / 1000,
    };
  } finally {
    await scene.close();
  }
}
