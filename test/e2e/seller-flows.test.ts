/**
 * The kiosk's flows with its seller link, through a real broker (a private
 * Mosquitto, and the embedded aedes), against the reference seller.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { identityJson } from '../../src/identity.js';
import { makeSlip } from '../../src/domain/index.js';
import { ReferenceSeller } from '../../src/seller/index.js';
import { loadSellerKey } from '../../src/seller/keys.js';
import { FAST, load, startHarness, tryCode, waitFor, type Driven, type Harness } from '../support/kiosk.js';
import { rawClient, startBroker, type BrokerKind, type TestBroker } from '../support/mqtt.js';
import { createTrustStore, openEnvelope } from '../../src/domain/index.js';
import { tempDir } from '../support/tmp.js';

let h: Harness | null = null;
let broker: TestBroker | null = null;
let seller: ReferenceSeller | null = null;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await h?.stop();
  await seller?.close();
  await broker?.close();
  for (const c of cleanups.splice(0)) c();
  h = broker = seller = null;
});

/** Moves the kiosk's fake clock on (retries, reconnects, timeouts) until `cond`, in real time too. */
async function pump(what: string, cond: () => boolean, ms = 20_000, stepMs = 500): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    h!.clock.advance(stepMs);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function setUp(kind: BrokerKind, tune: (c: Harness['config']) => void = () => undefined, failureLimit = 5): Promise<{ d: Driven; s: ReferenceSeller }> {
  broker = await startBroker(kind);
  const t = tempDir('pk-seller-');
  cleanups.push(t.cleanup);
  ReferenceSeller.keygen(t.dir, 'shop-s');
  seller = ReferenceSeller.open({ dir: t.dir, failureLimit });
  const sid = seller.identity();
  h = await startHarness({
    withLink: true,
    tune: (c) => {
      c.broker.url = broker!.url;
      c.trust.sellers[sid.sellerId] = [sid.ed25519Public];
      c.compartments = Array.from({ length: 60 }, (_, i) => ({ id: `B${String(i).padStart(2, '0')}`, size: 'M' as const, channel: i + 1 }));
      c.attempts.kioskSprayParcels = 1000;
      c.attempts.parcelFreeFailures = 1000; // the seller's count is under test, not the kiosk's waits
      tune(c);
    },
  });
  seller.addKiosk(identityJson(h.config.kioskId, h.k.identity));
  await seller.connect({ brokerUrl: broker.url });
  const kiosk = h;
  await pump('the kiosk link to connect', () => kiosk.k.link!.connected);
  const key = loadSellerKey(t.dir);
  const d: Driven = {
    hands: h.hands,
    sellerId: 'shop-s',
    slip: (txn, code) => makeSlip({ seller: { id: key.sellerId, keys: key.keys }, mode: 1, code, plaintext: { txn }, params: FAST, kioskX25519Public: kiosk.k.identity.x25519.publicKey }),
  };
  return { d, s: seller };
}

function handedOver(s: ReferenceSeller, txn: string) {
  return s.events(100_000).filter((e) => e.type === 'parcel.handed_over' && e.txn === txn);
}

describe.each(['mosquitto', 'aedes'] as const)('with the seller over %s', (kind) => {
  it('manifest → pickup through the manifest verifier → receipt recorded once by the seller, acked, outbox empty', async () => {
    const { d, s } = await setUp(kind, (c) => {
      c.policy.verification = 'offline';
    });
    let lastStatus: { lockers?: { free: number; total: number } } | null = null;
    const watcher = await rawClient(broker!.url);
    const trust = createTrustStore({ [h!.config.kioskId]: [h!.k.identity.ed25519.publicKey.toString('hex')] });
    watcher.on('message', (_t, p) => {
      const o = openEnvelope(p, trust);
      if (o.ok) lastStatus = o.body;
    });
    await watcher.subscribeAsync(`pk/v1/kiosk/${h!.config.kioskId}/status`, { qos: 1 });
    cleanups.push(() => void watcher.endAsync());
    const issued = await s.issue({ kioskId: h!.config.kioskId, size: 'S', mode: 1, params: FAST, label: false });
    await pump('the manifest to be applied', () => h!.k.store.parcels.get('shop-s', issued.txn)?.state === 'expected');
    expect(h!.k.store.parcels.get('shop-s', issued.txn)?.verifier).not.toBeNull();
    const cid = await load(d, issued.txn, issued.code, { noSlip: true }); // the number alone: the manifest gives the size
    // the retained status follows the lockers: one fewer free
    const total = h!.config.compartments.length;
    await pump('the status to show the load', () => (lastStatus as { lockers?: { free: number } } | null)?.lockers?.free === total - 1);
    await tryCode(d, issued.txn, issued.code, 'door-open');
    await d.hands.door(cid, true);
    await d.hands.door(cid, false);
    await waitFor(d.hands, 'thanks');
    await pump('the receipt to reach the seller and be acked', () => handedOver(s, issued.txn).length === 1 && h!.k.store.outbox.pending() === 0);
    const [e] = handedOver(s, issued.txn);
    expect(e.body).toMatchObject({ method: 'code', lockerId: cid, kioskId: h!.config.kioskId });
    expect(e.proof).toBe('ok');
    expect(handedOver(s, issued.txn)).toHaveLength(1);
  });
});

describe('with the broker down', () => {
  it('completes 50 pickups offline; when it returns all 50 receipts reach the seller once and the outbox drains', async () => {
    const { d, s } = await setUp('mosquitto', (c) => {
      c.policy.verification = 'online-then-offline';
      c.policy.onlineTimeoutMs = 1000;
    });
    const parcels: Array<{ txn: string; code: string; cid: string }> = [];
    for (let i = 0; i < 50; i++) {
      const p = await s.issue({ kioskId: h!.config.kioskId, size: 'M', mode: 1, params: FAST, label: false });
      parcels.push({ txn: p.txn, code: p.code, cid: await load(d, p.txn, p.code, { slip: p.slip }) });
    }
    await pump('the arrivals to be acked', () => h!.k.store.outbox.pending() === 0);
    await broker!.stop();
    await pump('the link to notice', () => !h!.k.link!.connected);
    for (const p of parcels) {
      await tryCode(d, p.txn, p.code, 'door-open');
      await d.hands.door(p.cid, true);
      await d.hands.door(p.cid, false);
      await waitFor(d.hands, 'thanks');
    }
    expect(h!.k.store.parcels.count('handed_over')).toBe(50);
    expect(h!.k.store.outbox.pending()).toBe(50);
    await broker!.start();
    await pump('all 50 receipts to arrive and be acked', () => h!.k.store.outbox.pending() === 0, 60_000, 1000);
    const got = s.events(100_000).filter((e) => e.type === 'parcel.handed_over');
    expect(got).toHaveLength(50);
    expect(new Set(got.map((e) => e.eventId)).size).toBe(50);
    expect(got.filter((e) => e.body.method !== 'slip' || e.proof !== 'ok').map((e) => [e.body.method, e.proof])).toEqual([]);
  }, 300_000); // about 35 s alone
});

describe('online checks through the seller', () => {
  it('ok, denied, locked, unknown, and no answer (timeout → the configured fallback)', async () => {
    const { d, s } = await setUp('mosquitto', (c) => {
      c.policy.verification = 'online';
      c.policy.onlineTimeoutMs = 2000;
    }, 3);
    const a = await s.issue({ kioskId: h!.config.kioskId, size: 'M', mode: 1, params: FAST, label: false, verifier: false });
    const b = await s.issue({ kioskId: h!.config.kioskId, size: 'M', mode: 1, params: FAST, label: false, verifier: false });
    const cidA = await load(d, a.txn, a.code, { slip: a.slip });
    await load(d, b.txn, b.code, { slip: b.slip });
    // The seller judges a request's expiresAt on the wall clock: the kiosk's fake clock must not lag it,
    // so it is brought up to the wall clock before each check (a busy machine lets seconds pass between them).
    const toWallClock = (): void => h!.clock.advance(Math.max(0, Date.now() - h!.clock.now()));
    toWallClock();

    // ok: the seller decides
    await tryCode(d, a.txn, a.code, 'door-open');
    await d.hands.door(cidA, true);
    await d.hands.door(cidA, false);
    await waitFor(d.hands, 'thanks');
    expect(h!.k.store.outbox.all().find((r) => r.kind === 'parcel.handed_over')).toBeTruthy();
    await pump('the receipt', () => handedOver(s, a.txn).length === 1);
    expect(handedOver(s, a.txn)[0].body.method).toBe('online');

    // denied, counted by the kiosk too; then locked by the seller's limit (3)
    toWallClock();
    const denied = await tryCode(d, b.txn, '99999999', 'denied');
    expect(denied.params).toEqual({ triesLeft: 2, reason: 'wrong-code' });
    expect(h!.k.store.attempts.parcelFailures('shop-s', b.txn)).toBe(1);
    toWallClock();
    await tryCode(d, b.txn, '99999998', 'denied');
    // the seller's last try gone: locked out at once, never "0 tries left" beside a prompt
    toWallClock();
    expect((await tryCode(d, b.txn, '99999997', 'locked-out')).params).toEqual({ who: 'parcel' });
    toWallClock();
    await tryCode(d, b.txn, b.code, 'locked-out'); // even the right code: the seller says locked

    // unknown: a slip the seller never issued (signed with its key, for this kiosk)
    const cidU = await load(d, 'NEVER-ISSUED', '12345678');
    toWallClock();
    await tryCode(d, 'NEVER-ISSUED', '12345678', 'contact-seller');
    expect(h!.k.store.parcels.get('shop-s', 'NEVER-ISSUED')?.state).toBe('stored');
    expect(h!.k.store.compartments.get(cidU)?.state).toBe('occupied');

    // no answer: the seller is gone; with `online` the kiosk cannot decide…
    const c = await s.issue({ kioskId: h!.config.kioskId, size: 'M', mode: 1, params: FAST, label: false, verifier: false });
    const cidC = await load(d, c.txn, c.code, { slip: c.slip });
    await s.stop();
    await d.hands.scan(`shop-s/${c.txn}`);
    await waitFor(d.hands, 'enter-code');
    await d.hands.press(`${c.code}#`);
    // the seller silent is "try again later", never "contact the seller"
    await pump('the online check to time out', () => h!.k.kiosk.screen.get().id === 'try-later', 20_000, 250);
    // …and with `online-then-offline` it falls back to the slip
    h!.config.policy.verification = 'online-then-offline';
    await d.hands.scan(`shop-s/${c.txn}`);
    await waitFor(d.hands, 'enter-code');
    await d.hands.press(`${c.code}#`);
    await pump('the fallback to the offline check', () => h!.k.kiosk.screen.get().id === 'door-open', 20_000, 250);
    await d.hands.door(cidC, true);
    await d.hands.door(cidC, false);
    const rows = h!.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over');
    expect(rows).toHaveLength(2);
    expect(JSON.parse(Buffer.from(JSON.parse(rows[1].payload.toString()).body, 'base64url').toString()).method).toBe('slip');
  }, 60_000);
});
