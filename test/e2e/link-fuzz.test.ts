import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  type Kiosk,
  type TestBroker,
} from '../support/mqtt.js';

const SEED = 20261121;
const TOPICS = ['manifest', 'ack', 'reply', 'status', 'alarm', 'other/sub'] as const;

/** 10,000 payloads a kiosk must survive without acting on any. */
function payloads(s1: ReturnType<typeof sellerSigner>): Buffer[] {
  const rng = fc.sample(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { seed: SEED, numRuns: 60_000 });
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
  for (let n = 0; n < 4000; n++) {
    const b = Buffer.from(bases[n % bases.length]);
    const flips = 1 + (next() % 4);
    for (let f = 0; f < flips; f++) b[next() % b.length] ^= 1 + (next() % 255);
    out.push(b);
  }
  for (const v of fc.sample(fc.jsonValue(), { seed: SEED, numRuns: 1500 })) out.push(Buffer.from(JSON.stringify(v) ?? 'null'));
  const envShaped = fc.record({
    v: fc.oneof(fc.constant(1), fc.jsonValue()),
    by: fc.oneof(fc.constant('s1'), fc.string()),
    kid: fc.oneof(fc.constant(s1.keys.kid), fc.string()),
    body: fc.oneof(fc.base64String(), fc.string(), fc.jsonValue()),
    sig: fc.oneof(fc.base64String(), fc.string()),
  });
  for (const v of fc.sample(envShaped, { seed: SEED, numRuns: 1500 })) out.push(Buffer.from(JSON.stringify(v)));
  // Signed by a trusted seller, bodies of any shape (no id/at: never a valid message).
  const bodies = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
  const types = ['manifest', 'ack', 'verify.reply', 'kiosk.status', 42, null];
  for (const [n, v] of fc.sample(bodies, { seed: SEED, numRuns: 1500 }).entries()) {
    const body: Record<string, unknown> = { ...v, type: types[n % types.length] };
    delete body.id;
    out.push(encodeEnvelope(signEnvelopeText(JSON.stringify(body), s1)));
  }
  for (const v of fc.sample(fc.uint8Array({ maxLength: 600 }), { seed: SEED, numRuns: 1450 })) out.push(Buffer.from(v));
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
  while (out.length < 10_000) out.push(Buffer.alloc(0));
  return out.slice(0, 10_000);
}

describe.each<BrokerKind>(['mosquitto', 'aedes'])('fuzzing the kiosk topics over %s', (kind) => {
  let broker: TestBroker;
  let kiosk: Kiosk;
  let pub: MqttClient;
  const s1 = sellerSigner('s1');

  beforeAll(async () => {
    broker = await startBroker(kind);
    kiosk = makeKiosk({ url: broker.url, sellers: { s1: s1.keys } });
    await connectKiosk(kiosk);
    pub = await rawClient(broker.url);
  });

  afterAll(async () => {
    await pub?.endAsync();
    await kiosk?.close();
    await broker?.close();
  });

  it('survives 10,000 random and mutated payloads, acts on none, and still applies a good manifest', async () => {
    // What must not change: a parcel in the kiosk, a pending event, the seller's seq.
    kiosk.store.parcels.insert({ sellerId: 's1', txn: 'PROTECTED', state: 'stored', compartmentId: null }, Date.now());
    expect((await new Promise((resolve) => {
      kiosk.link.once('manifest', resolve);
      void pub.publishAsync('pk/v1/kiosk/kiosk-1/manifest', manifestPayload(s1, 'kiosk-1', 5000, [{ txn: 'BASELINE' }]), { qos: 1 });
    }))).toMatchObject({ seq: 5000 });
    kiosk.store.outbox.add({ eventId: 'EV-PROTECTED', topic: 'pk/v1/seller/s1/events', payload: Buffer.from('{}'), kind: 'parcel.arrived', parcelKey: 's1/X' }, Date.now() + 3_600_000);
    const before = parcelRows(kiosk.store);

    let outcomes = 0;
    let acted = 0;
    let disconnects = 0;
    const reasons = new Map<string, number>();
    kiosk.link.on('dropped', (d) => {
      outcomes++;
      const key = d.reason.replace(/[:[(].*$/, '').trim();
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    });
    kiosk.link.on('manifest', () => {
      outcomes++;
      acted++;
    });
    kiosk.link.on('ack', () => {
      outcomes++;
      acted++;
    });
    kiosk.link.on('disconnected', () => disconnects++);

    const all = payloads(s1);
    expect(all).toHaveLength(10_000);
    let expected = 0;
    for (let n = 0; n < all.length; n += 250) {
      await Promise.all(
        all.slice(n, n + 250).map((p, k) => {
          const sub = TOPICS[(n + k) % TOPICS.length];
          if (sub !== 'status' && sub !== 'alarm') expected++;
          return pub.publishAsync(`pk/v1/kiosk/kiosk-1/${sub}`, p, { qos: 1 });
        }),
      );
    }
    await waitFor(() => outcomes >= expected, `all ${expected} messages to be handled`, 60_000);

    // The payloads reach every layer: envelope shape, signature, body, and the message rules.
    for (const r of ['envelope malformed', 'envelope bad-signature', 'envelope bad-body', 'envelope signed by no trusted key of its signer', 'malformed manifest', 'not a topic a kiosk reads']) {
      expect(reasons.get(r) ?? 0, `drops for "${r}" in ${JSON.stringify([...reasons])}`).toBeGreaterThan(0);
    }
    expect(acted).toBe(0);
    expect(disconnects).toBe(0);
    expect(kiosk.link.connected).toBe(true);
    expect(parcelRows(kiosk.store)).toEqual(before);
    expect(kiosk.store.messages.lastSeq('s1')).toBe(5000);
    expect(kiosk.store.outbox.get('EV-PROTECTED')?.ackedAt).toBeNull();

    const applied = new Promise<{ seq: number }>((resolve) => kiosk.link.once('manifest', resolve));
    await pub.publishAsync('pk/v1/kiosk/kiosk-1/manifest', manifestPayload(s1, 'kiosk-1', 5001, [{ txn: 'AFTER' }]), { qos: 1 });
    expect((await applied).seq).toBe(5001);
    expect(kiosk.store.parcels.get('s1', 'AFTER')?.state).toBe('expected');
  }, 300_000);
});
