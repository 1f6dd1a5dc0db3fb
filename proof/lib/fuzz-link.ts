/**
 * The kiosk's link on a real broker, fed random and mutated payloads on every
 * topic under its own: flipped bytes of valid messages, random JSON,
 * envelope-shaped objects, bodies a trusted seller signed, raw bytes, huge
 * arrays, deep nesting, a payload over the envelope cap. It must act on none,
 * stay connected, leave its parcels, seqs and outbox as they were, and still
 * apply a good manifest afterwards.
 */
import fc from 'fast-check';
import { b64uEncode, encodeEnvelope, signEnvelopeText, uuidv7 } from '../../src/domain/index.js';
import {
  connectKiosk,
  makeKiosk,
  manifestPayload,
  parcelRows,
  rawClient,
  sellerSigner,
  signed,
  startBroker,
  waitFor,
  type BrokerKind,
} from './link-kiosk.js';

export const LINK_TOPICS = ['manifest', 'ack', 'reply', 'status', 'alarm', 'other/sub'] as const;

/**
 * `count` payloads (10,000 in the tests; at least 100) a kiosk must survive without acting on any, the
 * same for a seed and a count: the random kinds scale with `count`, the 50 huge and deep ones are always there.
 */
export function linkPayloads(s1: ReturnType<typeof sellerSigner>, count: number, seed: number): Buffer[] {
  const share = (n: number): number => Math.round((n * (count - 50)) / 9950);
  const rng = fc.sample(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { seed, numRuns: Math.max(60_000, count * 6) });
  let i = 0;
  const next = (): number => rng[i++ % rng.length];

  // Valid messages (which must NOT be published unchanged) to mutate.
  const bases = [
    manifestPayload(s1, 'kiosk-1', 1000, [{ txn: 'FUZZ-1', size: 'S' }]),
    manifestPayload(s1, 'kiosk-1', 1001, [], ['PROTECTED']),
    signed(s1, { type: 'ack', eventIds: ['EV-PROTECTED'] }),
    signed(s1, { type: 'verify.reply', requestId: uuidv7(), result: 'ok' }),
  ];
  const out: Buffer[] = [];
  for (let n = 0; n < share(4000); n++) {
    const b = Buffer.from(bases[n % bases.length]);
    const flips = 1 + (next() % 4);
    for (let f = 0; f < flips; f++) b[next() % b.length] ^= 1 + (next() % 255);
    out.push(b);
  }
  for (const v of fc.sample(fc.jsonValue(), { seed, numRuns: share(1500) })) out.push(Buffer.from(JSON.stringify(v) ?? 'null'));
  const envShaped = fc.record({
    v: fc.oneof(fc.constant(1), fc.jsonValue()),
    by: fc.oneof(fc.constant('s1'), fc.string()),
    kid: fc.oneof(fc.constant(s1.keys.kid), fc.string()),
    body: fc.oneof(fc.base64String(), fc.string(), fc.jsonValue()),
    sig: fc.oneof(fc.base64String(), fc.string()),
  });
  for (const v of fc.sample(envShaped, { seed, numRuns: share(1500) })) out.push(Buffer.from(JSON.stringify(v)));
  // Signed by a trusted seller, bodies of any shape (no id/at: never a valid message).
  const bodies = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
  const types = ['manifest', 'ack', 'verify.reply', 'kiosk.status', 42, null];
  for (const [n, v] of fc.sample(bodies, { seed, numRuns: share(1500) }).entries()) {
    const body: Record<string, unknown> = { ...v, type: types[n % types.length] };
    delete body.id;
    out.push(encodeEnvelope(signEnvelopeText(JSON.stringify(body), s1)));
  }
  for (const v of fc.sample(fc.uint8Array({ maxLength: 600 }), { seed, numRuns: share(1450) })) out.push(Buffer.from(v));
  // Huge arrays: a signed manifest whose last upsert is bad, and a bare array of a million bytes.
  for (let n = 0; n < 10; n++) {
    const upserts: unknown[] = Array.from({ length: 20_000 }, (_, k) => ({ txn: `BIG-${k}` }));
    upserts.push({ txn: 'bad txn' });
    out.push(manifestPayload(s1, 'kiosk-1', 2000 + n, upserts));
    out.push(Buffer.from(`[${'0,'.repeat(500_000)}0]`));
  }
  out.push(Buffer.alloc(4 * 1024 * 1024 + 10, 0x20)); // Over the envelope cap.
  for (let n = 0; n < 19; n++) {
    const depth = 1000 * (n + 1) * 5;
    out.push(Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`));
    if (n < 10) out.push(Buffer.from(`{"v":1,"by":"s1","kid":"${s1.keys.kid}","body":"${b64uEncode(Buffer.from('{"a":'.repeat(depth)))}","sig":"x"}`));
  }
  while (out.length < count) out.push(Buffer.alloc(0));
  return out.slice(0, count);
}

export interface LinkFuzzResult {
  broker: BrokerKind;
  payloads: number;
  /** Payloads on a topic the kiosk handles (status and alarm are its own, not delivered to it). */
  expected: number;
  handled: number;
  /** Manifests applied and acks taken from the payloads: must be 0. */
  acted: number;
  disconnects: number;
  /** drop reason → count */
  reasons: Record<string, number>;
  connectedAtEnd: boolean;
  parcelsUnchanged: boolean;
  lastSeq: number | null;
  protectedEventAcked: boolean;
  /** The seq of a good manifest sent after the payloads, as applied (5001), or null. */
  goodAfter: number | null;
  goodAfterParcel: string | null;
  seconds: number;
}

export async function fuzzLink(o: { broker: BrokerKind; payloads: number; seed: number }): Promise<LinkFuzzResult> {
  const t0 = Date.now();
  const s1 = sellerSigner('s1');
  const broker = await startBroker(o.broker);
  const kiosk = makeKiosk({ url: broker.url, sellers: { s1: s1.keys } });
  const pub = await rawClient(broker.url);
  try {
    await connectKiosk(kiosk);
    // What must not change: a parcel in the kiosk, a pending event, the seller's seq.
    kiosk.store.parcels.insert({ sellerId: 's1', txn: 'PROTECTED', state: 'stored', compartmentId: null }, Date.now());
    await new Promise((resolve) => {
      kiosk.link.once('manifest', resolve);
      void pub.publishAsync('pk/v1/kiosk/kiosk-1/manifest', manifestPayload(s1, 'kiosk-1', 5000, [{ txn: 'BASELINE' }]), { qos: 1 });
    });
    kiosk.store.outbox.add({ eventId: 'EV-PROTECTED', topic: 'pk/v1/seller/s1/events', payload: Buffer.from('{}'), kind: 'parcel.arrived', parcelKey: 's1/X' }, Date.now() + 3_600_000);
    const before = JSON.stringify(parcelRows(kiosk.store));

    let handled = 0;
    let acted = 0;
    let disconnects = 0;
    const reasons: Record<string, number> = {};
    kiosk.link.on('dropped', (d) => {
      handled++;
      const key = d.reason.replace(/[:[(].*$/, '').trim();
      reasons[key] = (reasons[key] ?? 0) + 1;
    });
    kiosk.link.on('manifest', () => {
      handled++;
      acted++;
    });
    kiosk.link.on('ack', () => {
      handled++;
      acted++;
    });
    kiosk.link.on('disconnected', () => disconnects++);

    const all = linkPayloads(s1, o.payloads, o.seed);
    let expected = 0;
    for (let n = 0; n < all.length; n += 250) {
      await Promise.all(
        all.slice(n, n + 250).map((p, k) => {
          const sub = LINK_TOPICS[(n + k) % LINK_TOPICS.length];
          if (sub !== 'status' && sub !== 'alarm') expected++;
          return pub.publishAsync(`pk/v1/kiosk/kiosk-1/${sub}`, p, { qos: 1 });
        }),
      );
    }
    await waitFor(() => handled >= expected, `all ${expected} messages to be handled`, 60_000 + o.payloads * 10);
    const r: LinkFuzzResult = {
      broker: o.broker,
      payloads: all.length,
      expected,
      handled,
      acted,
      disconnects,
      reasons,
      connectedAtEnd: kiosk.link.connected,
      parcelsUnchanged: JSON.stringify(parcelRows(kiosk.store)) === before,
      lastSeq: kiosk.store.messages.lastSeq('s1'),
      protectedEventAcked: kiosk.store.outbox.get('EV-PROTECTED')?.ackedAt != null,
      goodAfter: null,
      goodAfterParcel: null,
      seconds: 0,
    };
    const applied = new Promise<{ seq: number }>((resolve) => kiosk.link.once('manifest', resolve));
    await pub.publishAsync('pk/v1/kiosk/kiosk-1/manifest', manifestPayload(s1, 'kiosk-1', 5001, [{ txn: 'AFTER' }]), { qos: 1 });
    r.goodAfter = (await Promise.race([applied, new Promise<null>((res) => setTimeout(() => res(null), 10_000))]))?.seq ?? null;
    r.goodAfterParcel = kiosk.store.parcels.get('s1', 'AFTER')?.state ?? null;
    r.seconds = (Date.now() - t0) / 1000;
    return r;
  } finally {
    await pub.endAsync();
    await kiosk.close();
    await broker.close();
  }
}
