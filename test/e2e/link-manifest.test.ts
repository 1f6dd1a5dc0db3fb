import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64uEncode, encodeEnvelope, generateEd25519, signEnvelope, signEnvelopeText, uuidv7 } from '../../src/domain/index.js';
import type { Drop, ManifestApplied, SellerLink } from '../../src/link/index.js';
import {
  connectKiosk,
  makeKiosk,
  manifestPayload,
  parcelRows,
  rawClient,
  sellerSigner,
  startBroker,
  type BrokerKind,
  type Kiosk,
  type TestBroker,
} from '../support/mqtt.js';

type Outcome = { kind: 'manifest'; m: ManifestApplied } | { kind: 'dropped'; d: Drop };

/** The link's reaction to the next inbound message: applied or dropped (each message gets exactly one). */
function nextOutcome(link: SellerLink): Promise<Outcome> {
  return new Promise((resolve) => {
    const onM = (m: ManifestApplied) => done({ kind: 'manifest', m });
    const onD = (d: Drop) => done({ kind: 'dropped', d });
    const done = (o: Outcome) => {
      link.off('manifest', onM);
      link.off('dropped', onD);
      resolve(o);
    };
    link.on('manifest', onM);
    link.on('dropped', onD);
  });
}

const verifier = { salt: b64uEncode(Buffer.alloc(16, 1)), logN: 15, r: 8, p: 1, key: b64uEncode(Buffer.alloc(32, 2)) };

describe.each<BrokerKind>(['mosquitto', 'aedes'])('manifests over %s', (kind) => {
  let broker: TestBroker;
  let kiosk: Kiosk;
  let pub: MqttClient;
  const s1 = sellerSigner('s1');
  const s2 = sellerSigner('s2');
  const topic = 'pk/v1/kiosk/kiosk-1/manifest';

  async function send(payload: Buffer | string, t = topic): Promise<Outcome> {
    const out = nextOutcome(kiosk.link);
    await pub.publishAsync(t, payload, { qos: 1 });
    return out;
  }

  async function expectDropped(payload: Buffer | string, reason: RegExp): Promise<void> {
    const before = parcelRows(kiosk.store);
    const seq = kiosk.store.messages.lastSeq('s1');
    const o = await send(payload);
    expect(o.kind).toBe('dropped');
    if (o.kind === 'dropped') expect(o.d.reason).toMatch(reason);
    expect(parcelRows(kiosk.store)).toEqual(before);
    expect(kiosk.store.messages.lastSeq('s1')).toBe(seq);
  }

  beforeAll(async () => {
    broker = await startBroker(kind);
    kiosk = makeKiosk({ url: broker.url, sellers: { s1: s1.keys, s2: s2.keys } });
    await connectKiosk(kiosk);
    pub = await rawClient(broker.url);
  });

  afterAll(async () => {
    await pub?.endAsync();
    await kiosk?.close();
    await broker?.close();
  });

  it('applies upserts as expected parcels with every field', async () => {
    const o = await send(
      manifestPayload(s1, 'kiosk-1', 1, [
        { txn: 'T-1', verifier, size: 'M', holdUntil: '2026-12-01T00:00:00Z', due: { amount: 3015, currency: 'JPY' } },
        { txn: 'T-2', size: 'S' },
        { txn: 'T-3' },
      ]),
    );
    expect(o.kind).toBe('manifest');
    if (o.kind === 'manifest') expect(o.m).toMatchObject({ sellerId: 's1', seq: 1, inserted: 3, updated: 0, gap: false });
    const p = kiosk.store.parcels.get('s1', 'T-1')!;
    expect(p).toMatchObject({
      state: 'expected',
      size: 'M',
      verifier,
      holdUntil: Date.parse('2026-12-01T00:00:00Z'),
      due: { amount: 3015, currency: 'JPY' },
      withdrawn: false,
    });
    expect(kiosk.store.parcels.get('s1', 'T-3')).toMatchObject({ state: 'expected', size: null, verifier: null });
    expect(kiosk.store.messages.lastSeq('s1')).toBe(1);
    expect(kiosk.store.audit.ofKind('manifest.applied').at(-1)?.detail).toMatch(/seq 1: 3 upserts \(3 new/);
  });

  it('updates a parcel already in the kiosk without touching its state, and cancels by state', async () => {
    // T-2 was loaded by a courier; T-3 has been handed over.
    kiosk.store.parcels.update('s1', 'T-2', { state: 'stored' }, Date.now());
    kiosk.store.parcels.update('s1', 'T-3', { state: 'handed_over' }, Date.now());
    const o = await send(manifestPayload(s1, 'kiosk-1', 2, [{ txn: 'T-2', size: 'L', due: { amount: 5, currency: 'EUR' } }], ['T-1', 'T-2', 'T-3', 'T-404']));
    expect(o.kind).toBe('manifest');
    if (o.kind === 'manifest') expect(o.m).toMatchObject({ seq: 2, inserted: 0, updated: 1, deleted: 1, withdrawn: 1, ignoredCancels: 2 });
    expect(kiosk.store.parcels.get('s1', 'T-1')).toBeNull();
    expect(kiosk.store.parcels.get('s1', 'T-2')).toMatchObject({ state: 'stored', size: 'L', due: { amount: 5, currency: 'EUR' }, withdrawn: true });
    expect(kiosk.store.parcels.get('s1', 'T-3')).toMatchObject({ state: 'handed_over', withdrawn: false });
    expect(kiosk.store.audit.ofKind('parcel.withdrawn').map((a) => a.txn)).toEqual(['T-2']);
  });

  it('drops a manifest signed by another key under the seller id (forged)', async () => {
    const forger = { id: 's1', keys: generateEd25519() };
    await expectDropped(manifestPayload(forger, 'kiosk-1', 50, [{ txn: 'FORGED' }]), /trusted key/);
  });

  it('drops a valid signature over a tampered body', async () => {
    const good = JSON.parse(manifestPayload(s1, 'kiosk-1', 51, [{ txn: 'X' }]).toString()) as Record<string, string>;
    const other = JSON.parse(manifestPayload(s1, 'kiosk-1', 52, [{ txn: 'Y' }]).toString()) as Record<string, string>;
    await expectDropped(JSON.stringify({ ...good, body: other.body }), /bad-signature/);
  });

  it('drops a replay of an applied manifest (same id)', async () => {
    const payload = manifestPayload(s1, 'kiosk-1', 3, [{ txn: 'T-R' }]);
    expect((await send(payload)).kind).toBe('manifest');
    kiosk.store.parcels.delete('s1', 'T-R'); // A replay must not bring it back.
    await expectDropped(payload, /repeated/);
    expect(kiosk.store.parcels.get('s1', 'T-R')).toBeNull();
  });

  it('drops a manifest whose seq is not above the last applied', async () => {
    await expectDropped(manifestPayload(s1, 'kiosk-1', 3, [{ txn: 'STALE' }]), /stale manifest: seq 3 is not above 3/);
    await expectDropped(manifestPayload(s1, 'kiosk-1', 1, [{ txn: 'STALE' }]), /stale/);
  });

  it('drops a manifest for another kiosk, even on this kiosk topic', async () => {
    await expectDropped(manifestPayload(s1, 'kiosk-2', 10, [{ txn: 'OTHER' }]), /for kiosk kiosk-2/);
  });

  it('drops a manifest whose sellerId is not its signer', async () => {
    await expectDropped(manifestPayload(s2, 'kiosk-1', 10, [{ txn: 'WRONG-BY' }], [], { sellerId: 's1' }), /for seller s1 signed by s2/);
    expect(kiosk.store.messages.lastSeq('s2')).toBeNull();
  });

  it('drops a manifest from an operator or an unknown signer', async () => {
    await expectDropped(manifestPayload(sellerSigner('s9'), 'kiosk-1', 10, [{ txn: 'X' }]), /trusted key/);
  });

  it('drops malformed payloads and bodies without applying any part', async () => {
    const cases: Array<[Buffer | string, RegExp]> = [
      ['', /malformed/],
      ['not json', /malformed/],
      ['[]', /malformed/],
      [JSON.stringify({ v: 2, by: 's1', kid: s1.keys.kid, body: '', sig: '' }), /malformed/],
      [Buffer.from([0xff, 0xfe, 0x00]), /malformed/],
      // Signed, but the body breaks the rules: nothing of it may be applied.
      [manifestPayload(s1, 'kiosk-1', 20, [{ txn: 'GOOD' }, { txn: 'bad txn with spaces' }]), /upserts\[1\]: txn/],
      [manifestPayload(s1, 'kiosk-1', 20, [{ txn: 'GOOD', verifier: { ...verifier, logN: 30 } }]), /upserts\[0\]: verifier/],
      [manifestPayload(s1, 'kiosk-1', 20, [{ txn: 'GOOD', size: 'XL' }]), /size/],
      [manifestPayload(s1, 'kiosk-1', 20, [{ txn: 'GOOD', due: { amount: -1, currency: 'JPY' } }]), /due/],
      [manifestPayload(s1, 'kiosk-1', 20, [{ txn: 'GOOD', holdUntil: 'tomorrow' }]), /holdUntil/],
      [manifestPayload(s1, 'kiosk-1', 20, [{ txn: 'GOOD', bio: { format: 'r30x-char', template: 'AAAA' } }]), /bio/],
      [manifestPayload(s1, 'kiosk-1', 20, [], [42]), /cancels\[0\]/],
      [manifestPayload(s1, 'kiosk-1', 20, 'nope' as unknown as unknown[]), /upserts is not a list/],
      [manifestPayload(s1, 'kiosk-1', 1.5, []), /seq/],
      [manifestPayload(s1, 'kiosk-1', 20, [], [], { type: 'ack' }), /type "ack" on the manifest topic/],
      [manifestPayload(s1, 'kiosk-1', 20, [], [], { at: 'yesterday' }), /at is not/],
      [encodeEnvelope(signEnvelopeText('[1,2,3]', s1)), /bad-body/],
      [encodeEnvelope(signEnvelope({ type: 'manifest', id: uuidv7() }, s1)), /bad-body/],
    ];
    for (const [payload, reason] of cases) await expectDropped(payload, reason);
    expect(kiosk.store.parcels.get('s1', 'GOOD')).toBeNull();
  });

  it('applies a manifest after a seq gap, and records the gap', async () => {
    const o = await send(manifestPayload(s1, 'kiosk-1', 7, [{ txn: 'T-GAP' }]));
    expect(o.kind).toBe('manifest');
    if (o.kind === 'manifest') expect(o.m).toMatchObject({ seq: 7, previousSeq: 3, gap: true });
    expect(kiosk.store.parcels.get('s1', 'T-GAP')?.state).toBe('expected');
    expect(kiosk.store.audit.ofKind('manifest.gap').at(-1)?.detail).toMatch(/seq 7 follows 3: 3 manifest/);
  });

  it('ignores topics a kiosk does not read, and its own status', async () => {
    const o = await send(manifestPayload(s1, 'kiosk-1', 30, [{ txn: 'SIDEWAYS' }]), 'pk/v1/kiosk/kiosk-1/other');
    expect(o.kind).toBe('dropped');
    expect(kiosk.store.parcels.get('s1', 'SIDEWAYS')).toBeNull();
  });

  it('applies a big manifest in chunks, and the one sent right after it only after it, in order', async () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ txn: `BIG-${String(i).padStart(5, '0')}`, size: 'S' }));
    const outcomes: Outcome[] = [];
    const both = new Promise<void>((resolve) => {
      const onM = (m: ManifestApplied): void => {
        outcomes.push({ kind: 'manifest', m });
        if (outcomes.length === 2) {
          kiosk.link.off('manifest', onM);
          resolve();
        }
      };
      kiosk.link.on('manifest', onM);
    });
    await Promise.all([
      pub.publishAsync(topic, manifestPayload(s1, 'kiosk-1', 100, big), { qos: 1 }),
      pub.publishAsync(topic, manifestPayload(s1, 'kiosk-1', 101, [{ txn: 'BIG-00000', size: 'L' }]), { qos: 1 }),
    ]);
    await both;
    expect(outcomes.map((o) => (o.kind === 'manifest' ? [o.m.seq, o.m.inserted, o.m.updated] : o.kind))).toEqual([
      [100, 5000, 0],
      [101, 0, 1],
    ]);
    expect(kiosk.store.parcels.get('s1', 'BIG-04999')?.size).toBe('S');
    expect(kiosk.store.parcels.get('s1', 'BIG-00000')?.size).toBe('L');
    expect(kiosk.store.messages.lastSeq('s1')).toBe(101);
    expect(kiosk.store.db.prepare('SELECT count(*) AS n FROM manifest_pending').get()).toEqual({ n: 0 });
  });
});
