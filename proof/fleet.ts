/**
 * Fleet: many kiosks on one Mosquitto. Each is the kiosk's own link layer
 * (SellerLink: MQTT session, outbox sender, online checks, Ed25519-signed
 * PKP1), in this process, each with its own in-memory store; the seller is
 * two `pickup-kiosk seller serve` processes sharing `$share/fleet/…`. Kiosks
 * report events and ask online checks at a steady rate; halfway through, one
 * seller process is killed. Nothing may be lost.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rfc3339, systemClock } from '../src/core/clock.js';
import { silentLog } from '../src/core/log.js';
import { createTrustStore, deriveS, encodeEnvelope, generateEd25519, generateX25519, kVerify, parseSlip, signEnvelope, uuidv7, type Signer } from '../src/domain/index.js';
import { SellerLink } from '../src/link/index.js';
import { ReferenceSeller } from '../src/seller/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { Broker, procRssMiB } from './lib/mosquitto.js';
import { FAST, SellerServe, sellerReceipts } from './lib/seller.js';
import { percentile, sleep, until, type Say } from './lib/util.js';

export interface FleetResult {
  kiosks: number;
  connectSeconds: number;
  runSeconds: number;
  offeredEventsPerSecond: number;
  events: number;
  eventsAckedPerSecond: number;
  burst: { events: number; seconds: number; perSecond: number };
  recorded: number;
  lost: number;
  drainSeconds: number;
  verifies: number;
  verifyAnswers: Record<string, number>;
  verifyP50Ms: number;
  verifyP99Ms: number;
  brokerCpuPercent: number;
  brokerRssMiB: number;
  memoryPerKioskKiB: number;
  sellerKilledAt: number;
}

interface FleetKiosk {
  id: string;
  signer: Signer;
  store: Store;
  link: SellerLink;
  parcel: { txn: string; kv: Buffer; salt: Buffer } | null;
}

export async function fleetProof(o: { kiosks: number; seconds: number; eventsPerSecond: number; verifiesPerSecond: number; withParcels: number; say: Say }): Promise<FleetResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pk-proof-fleet-'));
  const broker = await Broker.start(['max_connections -1']);
  const sellerDir = join(dir, 'seller');
  ReferenceSeller.keygen(sellerDir, 'shop-f');
  const admin = ReferenceSeller.open({ dir: sellerDir });
  const sellerId = admin.identity().sellerId;
  const sellerPub = admin.identity().ed25519Public;
  const kiosks: FleetKiosk[] = [];
  const serves = [0, 1].map(() => new SellerServe({ sellerId, sellerDir, publicKey: sellerPub }, broker.url, 'fleet'));
  try {
    for (let i = 0; i < o.kiosks; i++) {
      const signer: Signer = { id: `fk-${String(i).padStart(4, '0')}`, keys: generateEd25519() };
      kiosks.push({ id: signer.id, signer, store: null as unknown as Store, link: null as unknown as SellerLink, parcel: null });
    }
    // Registered in one transaction: addKiosk rebuilds the seller's whole trust store each time (quadratic
    // for a fleet: about 0.75 s per kiosk at 500 on this machine), which is set-up, not what is measured.
    admin.store.tx(() => {
      for (const k of kiosks) admin.store.putKiosk({ kioskId: k.id, ed25519: k.signer.keys.publicKey.toString('hex'), x25519: generateX25519().publicKey.toString('hex') }, Date.now());
    });
    // Parcels to check online: the seller keeps K_verify, the kiosk derives it from the typed code.
    for (const k of kiosks.slice(0, o.withParcels)) {
      const p = await admin.issue({ kioskId: k.id, mode: 0, params: FAST, label: false, push: false });
      const slip = parseSlip(p.slip);
      if (slip === null) throw new Error('fleet: the seller issued an unreadable slip');
      k.parcel = { txn: p.txn, salt: slip.salt, kv: kVerify(await deriveS(p.code, slip.salt, slip.params), slip.salt) };
    }
    await admin.close();
    for (const s of serves) await s.start();
    o.say(`  fleet: ${o.kiosks} kiosks registered, ${o.withParcels} parcels issued, two seller processes serving`);

    const trust = createTrustStore({ [sellerId]: [sellerPub] });
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const t0 = Date.now();
    for (const k of kiosks) {
      k.store = openStore(':memory:');
      k.link = new SellerLink({
        kioskId: k.id,
        brokerUrl: broker.url,
        keepaliveSeconds: 60,
        reconnectMaxMs: 5000,
        store: k.store,
        signer: k.signer,
        sellers: trust,
        operators: createTrustStore({}),
        clock: systemClock,
        log: silentLog,
        outboxRetry: { startMs: 2000, maxMs: 10_000 },
        lockerCounts: () => ({ free: 10, total: 24 }),
        version: 'proof',
      });
      k.link.start();
      if (kiosks.indexOf(k) % 50 === 49) await sleep(20); // a reboot wave, not one instant
    }
    await until(() => kiosks.every((k) => k.link.connected), 120_000, 50);
    const connectSeconds = (Date.now() - t0) / 1000;
    global.gc?.();
    const memoryPerKioskKiB = (process.memoryUsage().rss - rss0) / 1024 / kiosks.length;
    o.say(`  fleet: all ${kiosks.filter((k) => k.link.connected).length} connected in ${connectSeconds.toFixed(1)} s`);

    let events = 0;
    const addEvent = (k: FleetKiosk, now: number): void => {
      const id = uuidv7(now);
      const txn = `F-${k.id}-${events}`;
      const body = { type: 'parcel.arrived', id, at: rfc3339(now), kioskId: k.id, txn, lockerId: 'A01' };
      k.store.outbox.add({ eventId: id, topic: `pk/v1/seller/${sellerId}/events`, payload: encodeEnvelope(signEnvelope(body, k.signer)), kind: 'parcel.arrived', parcelKey: `${sellerId}/${txn}` }, now);
      k.link.kick();
      events++;
    };
    const latencies: number[] = [];
    const answers: Record<string, number> = {};
    const inFlight: Array<Promise<void>> = [];
    const verify = (k: FleetKiosk): void => {
      const p = k.parcel;
      if (p === null) return;
      const right = randomInt(10) !== 0; // one wrong code in ten
      const t = performance.now();
      inFlight.push(
        k.link
          .verifyOnline({ sellerId, txn: p.txn, method: 'code', kVerify: right ? p.kv : randomBytes(32), salt: p.salt, timeoutMs: 5000 })
          .then((r) => {
            latencies.push(performance.now() - t);
            answers[r.result] = (answers[r.result] ?? 0) + 1;
          })
          .catch((e: unknown) => {
            const key = `error: ${(e as Error).message.slice(0, 40)}`;
            answers[key] = (answers[key] ?? 0) + 1;
          }),
      );
    };

    const withParcel = kiosks.filter((k) => k.parcel !== null);
    const cpu0 = broker.cpuSeconds();
    const t1 = Date.now();
    let killedAt = 0;
    const tick = 100;
    let evCarry = 0;
    let vCarry = 0;
    while (Date.now() - t1 < o.seconds * 1000) {
      const now = Date.now();
      evCarry += (o.eventsPerSecond * tick) / 1000;
      for (; evCarry >= 1; evCarry--) addEvent(kiosks[randomInt(kiosks.length)], now);
      vCarry += (o.verifiesPerSecond * tick) / 1000;
      for (; vCarry >= 1 && withParcel.length > 0; vCarry--) verify(withParcel[randomInt(withParcel.length)]);
      if (killedAt === 0 && now - t1 > (o.seconds * 1000) / 2) {
        killedAt = (now - t1) / 1000;
        await serves[0].kill('SIGKILL');
        o.say(`  fleet: one seller process killed at ${killedAt.toFixed(1)} s`);
      }
      await sleep(Math.max(0, tick - (Date.now() - now)));
    }
    const runSeconds = (Date.now() - t1) / 1000;
    const ackedInRun = events - kiosks.reduce((n, k) => n + k.store.outbox.pending(), 0);
    const cpu = broker.cpuSeconds() - cpu0;
    await Promise.all(inFlight);
    const t2 = Date.now();
    await until(() => kiosks.every((k) => k.store.outbox.pending() === 0), 120_000, 100);
    const drainSeconds = (Date.now() - t2) / 1000;

    // Burst: every kiosk reports five events at once (a power-cut backlog, a busy evening).
    const burstBefore = events;
    const t3 = Date.now();
    for (const k of kiosks) for (let j = 0; j < 5; j++) addEvent(k, t3);
    await until(() => kiosks.every((k) => k.store.outbox.pending() === 0), 180_000, 50);
    const burstSeconds = (Date.now() - t3) / 1000;
    const burstEvents = events - burstBefore;
    await sleep(1000);
    const recorded = sellerReceipts(sellerDir).events;
    return {
      kiosks: kiosks.length,
      connectSeconds,
      runSeconds,
      offeredEventsPerSecond: o.eventsPerSecond,
      events,
      eventsAckedPerSecond: ackedInRun / runSeconds,
      burst: { events: burstEvents, seconds: burstSeconds, perSecond: burstEvents / burstSeconds },
      recorded,
      lost: events - recorded,
      drainSeconds,
      verifies: latencies.length,
      verifyAnswers: answers,
      verifyP50Ms: percentile(latencies, 50),
      verifyP99Ms: percentile(latencies, 99),
      brokerCpuPercent: (100 * cpu) / runSeconds,
      brokerRssMiB: broker.pid === null ? 0 : procRssMiB(broker.pid),
      memoryPerKioskKiB,
      sellerKilledAt: killedAt,
    };
  } finally {
    for (const k of kiosks) {
      if (k.link) await k.link.stop();
      k.store?.close();
    }
    for (const s of serves) await s.kill();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
