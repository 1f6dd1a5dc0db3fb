/**
 * Crash: kill -9 the kiosk process at random points of what couriers and
 * recipients do (a key press, after #, a door unlocked, open or just closed,
 * a load, receipts waiting in the outbox, the broker down), start it again,
 * and keep going. The runner keeps the physical truth (which parcel is in
 * which compartment, which one a person took) and at the end compares it
 * with what the kiosk and the seller recorded.
 */
import { randomInt } from 'node:crypto';
import { inspectKioskDb, livePendingByKind, pendingEvents } from './lib/kdb.js';
import { createScene, loadMany, loadSteps, pickupSteps, StepFailed, toIdle, type Medium, type Step } from './lib/scene.js';
import { issueParcels, sellerReceipts, type Parcel } from './lib/seller.js';
import { count, percentile, pick, sleep, until, type Say } from './lib/util.js';

export interface CrashResult {
  points: number;
  places: Record<string, number>;
  brokerDownPoints: number;
  loads: number;
  pickups: number;
  taken: number;
  kioskHandovers: number;
  receipts: number;
  duplicateReceipts: number;
  lostReceipts: number;
  unrecordedHandovers: number;
  doubleHandovers: number;
  /**
   * Parcels in a compartment whose right code does not bring them out at the
   * end, in a compartment the kiosk has NOT set aside: lost to the kiosk.
   */
  stranded: number;
  /** Of those, by the state the kiosk gives their compartment and the parcel. */
  strandedWhy: Record<string, number>;
  /**
   * Parcels whose code does not bring them out because the kiosk set their
   * compartment aside (`check`, out of service included) after a kill left
   * its content unknown: an interrupted load, or a handover whose door it
   * could not see. Not lost: the compartment is held shut for staff, who open
   * it and put it back in service (the runner plays no operator).
   */
  setAside: number;
  setAsideWhy: Record<string, number>;
  /** Compartments held for staff at the end (each one a load that found no room is waiting on). */
  setAsideCompartmentsAtEnd: number;
  /** Of `unrecordedHandovers`, those whose compartment the kiosk set aside: it did not know, and said so. */
  unrecordedSetAside: number;
  integrityFailures: number;
  integrityChecks: number;
  refusals: Record<string, number>;
  /** Unacked outbox rows at the end, all kinds. */
  pendingAtEnd: number;
  /** Of those, seller events (receipts, arrivals): these must be 0. */
  pendingEventsAtEnd: number;
  /** Of those, operator alarms (`kiosk.alarm`): no operator acks them in this run, so they stay. */
  pendingAlarmsAtEnd: number;
  /** Alarms the kiosk raised, by kind (from its audit trail, `alarm.…`). */
  alarms: Record<string, number>;
  /** Seconds from the end of the last point until every seller event was acked. */
  drainSeconds: number;
  /** Kiosks run side by side, each on its own data directory, broker and seller. */
  shards: number;
  /** When the result adds up runs made at the same time (`--load a.json,b.json`): each one's own figures. */
  runs?: Array<{ points: number; shards: number; seconds: number; restartMsP50: number; restartMsP99: number }>;
  restartMsP50: number;
  restartMsP99: number;
  seconds: number;
}

interface Truth extends Parcel {
  /** `stuck`: in a compartment, but its code no longer finds it. */
  where: 'courier' | 'in' | 'recipient' | 'stuck';
  compartment: string | null;
}

const MEDIA: Medium[] = ['keypad', 'scan', 'card', 'tag'];

export interface CrashOptions {
  points: number;
  say: Say;
  /** stop taking new points after this time (epoch ms) */
  deadline?: number;
  /** Kiosks run side by side (default 1), each with its share of the points. */
  shards?: number;
}

/** The points spread over `shards` kiosks run at once, each in a world of its own; their counts added up. */
export async function crashProof(o: CrashOptions): Promise<CrashResult> {
  const t0 = Date.now();
  const shards = Math.max(1, Math.min(o.shards ?? 1, o.points));
  const runs = await Promise.allSettled(
    Array.from({ length: shards }, (_, i) => crashShard({ ...o, points: Math.floor(o.points / shards) + (i < o.points % shards ? 1 : 0), name: shards === 1 ? 'crash' : `crash${i + 1}` })),
  );
  const failed = runs.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
  const done = runs.map((x) => (x as PromiseFulfilledResult<ShardResult>).value);
  const r = mergeCrash(done);
  r.shards = shards;
  r.seconds = (Date.now() - t0) / 1000;
  return r;
}

type ShardResult = CrashResult & { restartSamples: number[] };

/**
 * Adds up crash runs made at the same time on separate worlds (saved with
 * --save): counts summed, the time the longest, and each run's restart
 * figures kept apart (their samples are not saved).
 */
export function addCrashRuns(xs: CrashResult[]): CrashResult {
  const runs = xs.flatMap((x) => x.runs ?? [{ points: x.points, shards: x.shards, seconds: x.seconds, restartMsP50: x.restartMsP50, restartMsP99: x.restartMsP99 }]);
  const sum = mergeCrash(xs.map((x) => ({ ...x, runs: undefined, restartSamples: [] })));
  return { ...sum, runs, shards: runs.reduce((n, x) => n + x.shards, 0), seconds: Math.max(...xs.map((x) => x.seconds)), restartMsP50: Math.max(...runs.map((x) => x.restartMsP50)), restartMsP99: Math.max(...runs.map((x) => x.restartMsP99)) };
}

function mergeCrash(xs: ShardResult[]): CrashResult {
  const out = { ...xs[0] } as Record<string, unknown>;
  for (const x of xs.slice(1)) {
    for (const [k, v] of Object.entries(x)) {
      const cur = out[k];
      if (typeof v === 'number' && typeof cur === 'number') out[k] = cur + v;
      else if (Array.isArray(v) && Array.isArray(cur)) out[k] = [...(cur as number[]), ...(v as number[])];
      else if (v !== null && typeof v === 'object' && cur !== null && typeof cur === 'object') {
        const m = { ...(cur as Record<string, number>) };
        for (const [kk, vv] of Object.entries(v as Record<string, number>)) count(m, kk, vv);
        out[k] = m;
      }
    }
  }
  const samples = xs.flatMap((x) => x.restartSamples);
  const { restartSamples: _, ...r } = out as unknown as ShardResult;
  return { ...r, drainSeconds: Math.max(...xs.map((x) => x.drainSeconds)), restartMsP50: percentile(samples, 50), restartMsP99: percentile(samples, 99) };
}

async function crashShard(o: CrashOptions & { name: string }): Promise<ShardResult> {
  const t0 = Date.now();
  const compartments = 24;
  const scene = await createScene({ name: o.name, compartments });
  const { kiosk: k, seller } = scene;
  const r: ShardResult = {
    points: 0, places: {}, brokerDownPoints: 0, loads: 0, pickups: 0, taken: 0, kioskHandovers: 0, receipts: 0, duplicateReceipts: 0,
    lostReceipts: 0, unrecordedHandovers: 0, doubleHandovers: 0, stranded: 0, strandedWhy: {}, setAside: 0, setAsideWhy: {},
    setAsideCompartmentsAtEnd: 0, unrecordedSetAside: 0, integrityFailures: 0, integrityChecks: 0,
    refusals: {}, pendingAtEnd: 0, pendingEventsAtEnd: 0, pendingAlarmsAtEnd: 0, alarms: {}, drainSeconds: 0, shards: 1,
    restartMsP50: 0, restartMsP99: 0, seconds: 0, restartSamples: [],
  };
  const restarts = r.restartSamples;
  try {
    const pool: Truth[] = (await issueParcels(seller, scene.kioskId, Math.ceil(o.points * 0.6) + compartments + 10, 'C')).map((p) => ({ ...p, where: 'courier', compartment: null }));
    // A few parcels inside from the start, so pickups are cut from the first point on, not only loads.
    const preload = pool.slice(0, Math.min(4, Math.ceil(o.points / 3)));
    for (const [txn, c] of await loadMany(k, seller.sellerId, preload)) Object.assign(pool.find((p) => p.txn === txn)!, { where: 'in', compartment: c });
    const restart = async (): Promise<void> => {
      const t = Date.now();
      await k.start();
      restarts.push(Date.now() - t);
    };
    let brokerDown = false;
    while (r.points < o.points && Date.now() < (o.deadline ?? Infinity)) {
      // The broker goes down for a stretch of about one point in six.
      if (!brokerDown && randomInt(12) === 0) {
        await scene.broker.stop();
        brokerDown = true;
      } else if (brokerDown && randomInt(3) === 0) {
        await scene.broker.start();
        brokerDown = false;
      }
      await toIdle(k);
      const inside = pool.filter((p) => p.where === 'in');
      const waiting = pool.filter((p) => p.where === 'courier');
      let steps: Step[];
      let settle: () => void;
      let stuckIfRefused: Truth | null = null;
      if ((inside.length < 4 || randomInt(2) === 0) && inside.length < compartments - 2 && waiting.length > 0) {
        const p = waiting[0];
        const where = { compartment: null as string | null, placed: false };
        steps = loadSteps(k, seller.sellerId, p, where);
        settle = () => {
          if (where.placed) Object.assign(p, { where: 'in', compartment: where.compartment });
        };
        r.loads++;
      } else if (inside.length > 0) {
        const p = pick(inside);
        const out = { compartment: null as string | null, taken: false };
        steps = pickupSteps(k, seller.sellerId, p, pick(MEDIA), out);
        settle = () => {
          if (out.taken) p.where = 'recipient';
        };
        stuckIfRefused = p;
        r.pickups++;
      } else {
        break; // nothing left to do: every parcel issued has been through
      }
      // Kill during step `at` (after a random few ms of it), or just after the last step.
      const at = randomInt(steps.length + 1);
      const place = at < steps.length ? steps[at].name : 'just after the action (receipt in the outbox)';
      try {
        for (let i = 0; i < at; i++) await steps[i].run();
        if (at < steps.length) {
          const inFlight = steps[at].run().catch(() => undefined);
          await sleep(randomInt(25));
          await k.kill9();
          await inFlight;
        } else {
          await sleep(randomInt(40));
          await k.kill9();
        }
        count(r.places, brokerDown ? `${place}, broker down` : place);
      } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
        count(r.refusals, `${e.step}: ${e.screen.id}`);
        if (stuckIfRefused !== null && e.step === 'name') stuckIfRefused.where = 'stuck';
        await k.kill9();
        count(r.places, 'after a refusal');
      }
      settle();
      r.points++;
      if (brokerDown) r.brokerDownPoints++;
      const view = inspectKioskDb(k.dataDir);
      r.integrityChecks++;
      if (view.integrity !== 'ok') r.integrityFailures++;
      await restart();
      if (r.points % 100 === 0) o.say(`  ${o.name}: ${r.points}/${o.points} points, ${pool.filter((p) => p.where === 'recipient').length} parcels handed over so far`);
    }
    if (brokerDown) await scene.broker.start();

    // The end: every parcel still inside must come out with its code; then the receipts drain.
    await toIdle(k);
    for (const p of pool.filter((x) => x.where === 'in')) {
      const out = { compartment: null as string | null, taken: false };
      try {
        for (const s of pickupSteps(k, seller.sellerId, p, 'scan', out)) await s.run();
      } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
        p.where = 'stuck';
        await toIdle(k);
      }
      if (out.taken) p.where = 'recipient';
    }
    const taken = pool.filter((p) => p.where === 'recipient');
    r.taken = taken.length;
    // Until the kiosk holds no unacked seller event: every receipt it recorded has been acked by the seller
    // (alarms wait for an operator, and none plays here). Then no more sends can come from it.
    const t1 = Date.now();
    await until(() => {
      const pending = livePendingByKind(k.dataDir);
      return pending !== null && pendingEvents({ pendingByKind: pending }) === 0;
    }, 60_000, 100);
    r.drainSeconds = (Date.now() - t1) / 1000;
    await sleep(500); // a duplicate already on its way would land now
    await k.kill9();
    const view = inspectKioskDb(k.dataDir);
    r.integrityChecks++;
    if (view.integrity !== 'ok') r.integrityFailures++;
    r.pendingAtEnd = view.pending;
    r.pendingEventsAtEnd = pendingEvents(view);
    r.pendingAlarmsAtEnd = view.pendingByKind['kiosk.alarm'] ?? 0;
    r.alarms = view.alarms;
    // A compartment in `check` is one the kiosk holds shut for staff: what is in it is not lost,
    // it waits for an operator. Only a parcel stuck anywhere else is stranded.
    const heldForStaff = (c: string | null): boolean => c !== null && view.compartments.get(c) === 'check';
    r.setAsideCompartmentsAtEnd = [...view.compartments.values()].filter((s) => s === 'check').length;
    for (const p of pool.filter((x) => x.where === 'stuck')) {
      const why = `compartment ${p.compartment === null ? 'unknown' : (view.compartments.get(p.compartment) ?? 'unknown')}, parcel ${view.parcels.get(p.txn)?.state ?? 'unknown to the kiosk'}`;
      if (heldForStaff(p.compartment)) {
        r.setAside++;
        count(r.setAsideWhy, why);
      } else {
        r.stranded++;
        count(r.strandedWhy, why);
      }
    }
    const handed = [...view.parcels].filter(([, v]) => v.state === 'handed_over').map(([txn]) => txn);
    r.kioskHandovers = handed.length;
    const receipts = sellerReceipts(seller.sellerDir);
    r.receipts = receipts.handovers.size;
    for (const n of receipts.handovers.values()) r.duplicateReceipts += n - 1;
    r.lostReceipts = handed.filter((txn) => !receipts.handovers.has(txn)).length;
    // A parcel a person took that the kiosk does not know as handed over: would its code open the door again?
    const unrecorded = taken.filter((p) => view.parcels.get(p.txn)?.state !== 'handed_over');
    r.unrecordedHandovers = unrecorded.length;
    r.unrecordedSetAside = unrecorded.filter((p) => heldForStaff(p.compartment)).length;
    await restart();
    for (const p of unrecorded) {
      await toIdle(k);
      const out = { compartment: null as string | null, taken: false };
      const steps = pickupSteps(k, seller.sellerId, p, 'scan', out);
      try {
        for (const s of steps.slice(0, -2)) await s.run();
        r.doubleHandovers++;
      } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
      }
    }
    r.restartMsP50 = percentile(restarts, 50);
    r.restartMsP99 = percentile(restarts, 99);
    r.seconds = (Date.now() - t0) / 1000;
    o.say(`  ${o.name}: ${r.points} points in ${r.seconds.toFixed(0)} s`);
    return r;
  } finally {
    await scene.close();
  }
}
