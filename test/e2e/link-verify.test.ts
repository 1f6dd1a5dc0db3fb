import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64uDecode, deriveS, kVerify, parseVerifier } from '../../src/domain/index.js';
import type { Drop, OnlineResult } from '../../src/link/index.js';
import { ReferenceSeller } from '../../src/seller/index.js';
import { FakeClock } from '../support/fake-clock.js';
import {
  connectKiosk,
  makeKiosk,
  publicKeyOf,
  rawClient,
  sellerSigner,
  signed,
  sleep,
  startBroker,
  waitFor,
  type BrokerKind,
  type Kiosk,
  type TestBroker,
} from '../support/mqtt.js';
import { tempDir } from '../support/tmp.js';

const FAST = { logN: 14, r: 1, p: 1 };

/** K_verify of `code` under the parcel's manifest verifier, as the kiosk derives it. */
async function keyFor(kiosk: Kiosk, txn: string, code: string): Promise<{ kVerify: Buffer; salt: Buffer }> {
  const v = parseVerifier(kiosk.store.parcels.get('s1', txn)?.verifier)!;
  const salt = b64uDecode(v.salt)!;
  return { kVerify: kVerify(await deriveS(code, salt, v), salt), salt };
}

describe.each<BrokerKind>(['mosquitto', 'aedes'])('online checks over %s', (kind) => {
  let broker: TestBroker;
  let kiosk: Kiosk;
  let seller: ReferenceSeller;
  const dir = tempDir('pk-seller-');

  async function issue(txn: string): Promise<string> {
    const applied = new Promise<void>((resolve) => kiosk.link.once('manifest', () => resolve()));
    const r = await seller.issue({ kioskId: 'kiosk-1', txn, mode: 1, params: FAST, label: false });
    await applied;
    return r.code;
  }

  function check(txn: string, k: { kVerify: Buffer; salt: Buffer }, timeoutMs = 3000): Promise<OnlineResult> {
    return kiosk.link.verifyOnline({ sellerId: 's1', txn, method: 'code', kVerify: k.kVerify, salt: k.salt, timeoutMs });
  }

  beforeAll(async () => {
    broker = await startBroker(kind);
    const id = ReferenceSeller.keygen(dir.dir, 's1');
    seller = ReferenceSeller.open({ dir: dir.dir, failureLimit: 3 });
    kiosk = makeKiosk({ url: broker.url, sellers: { s1: publicKeyOf(id) } });
    seller.addKiosk(kiosk.identity);
    await seller.connect({ brokerUrl: broker.url });
    await connectKiosk(kiosk);
  });

  afterAll(async () => {
    await kiosk?.close();
    await seller?.close();
    await broker?.close();
    dir.cleanup();
  });

  it('answers ok for the right code, and the code never goes on the wire', async () => {
    const code = await issue('V-OK');
    const wire: string[] = [];
    const spy = await rawClient(broker.url);
    spy.on('message', (_t, p) => wire.push(Buffer.from(JSON.parse(p.toString()).body, 'base64url').toString()));
    await spy.subscribeAsync('pk/v1/seller/s1/verify', { qos: 1 });
    expect(await check('V-OK', await keyFor(kiosk, 'V-OK', code))).toEqual({ result: 'ok' });
    await waitFor(() => wire.length === 1, 'the spy to see the request');
    await spy.endAsync();
    const body = JSON.parse(wire[0]) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'verify.request', kioskId: 'kiosk-1', txn: 'V-OK', method: 'code' });
    expect(Object.keys(body).sort()).toEqual(['at', 'expiresAt', 'id', 'kioskId', 'method', 'proof', 'requestId', 'salt', 'txn', 'type']);
    expect(wire[0]).not.toContain(code);
  });

  it('answers denied with attempts left, then locked at the seller limit', async () => {
    const code = await issue('V-LOCK');
    const wrong = await keyFor(kiosk, 'V-LOCK', code === '00000000' ? '11111111' : '00000000');
    expect(await check('V-LOCK', wrong)).toEqual({ result: 'denied', attemptsLeft: 2 });
    expect(await check('V-LOCK', wrong)).toEqual({ result: 'denied', attemptsLeft: 1 });
    expect(await check('V-LOCK', wrong)).toEqual({ result: 'denied', attemptsLeft: 0 });
    // Locked: even the right code is refused now.
    expect(await check('V-LOCK', await keyFor(kiosk, 'V-LOCK', code))).toEqual({ result: 'locked', attemptsLeft: 0 });
    expect(seller.parcel('V-LOCK')?.failures).toBe(3);
  });

  it('answers unknown for a txn it never issued, and cancelled for a withdrawn parcel', async () => {
    expect(await check('NOPE', { kVerify: Buffer.alloc(32, 7), salt: Buffer.alloc(16, 1) })).toEqual({ result: 'unknown' });
    await issue('V-CXL');
    const cancelled = new Promise<void>((resolve) => kiosk.link.once('manifest', () => resolve()));
    await seller.cancel(['V-CXL']);
    await cancelled;
    expect(kiosk.store.parcels.get('s1', 'V-CXL')).toBeNull();
    expect(await check('V-CXL', { kVerify: Buffer.alloc(32), salt: Buffer.alloc(16) })).toEqual({ result: 'cancelled' });
  });

  it('answers offline at once when not connected', async () => {
    await broker.stop();
    await waitFor(() => !kiosk.link.connected, 'the kiosk to see the outage');
    const t0 = Date.now();
    expect(await check('V-OK', { kVerify: Buffer.alloc(32), salt: Buffer.alloc(16) })).toEqual({ result: 'offline' });
    expect(Date.now() - t0).toBeLessThan(100);
    await broker.start();
    await waitFor(() => kiosk.link.connected && seller.connected, 'both to reconnect', 15_000);
  });

  it('refuses bad requests with a reason', async () => {
    await expect(kiosk.link.verifyOnline({ sellerId: 's1', txn: 'x', method: 'code', kVerify: Buffer.alloc(3), salt: Buffer.alloc(16), timeoutMs: 100 })).rejects.toThrow(
      /kVerify must be 32 bytes/,
    );
    await expect(kiosk.link.verifyOnline({ sellerId: 'no spaces', txn: 'x', method: 'code', kVerify: Buffer.alloc(32), salt: Buffer.alloc(16), timeoutMs: 100 })).rejects.toThrow(
      /sellerId/,
    );
  });
});

describe.each<BrokerKind>(['mosquitto', 'aedes'])('online check timing over %s (fake clock)', (kind) => {
  let broker: TestBroker;
  let kiosk: Kiosk;
  let fakeSeller: MqttClient;
  const clock = new FakeClock();
  const s3 = sellerSigner('s3');
  const s4 = sellerSigner('s4');
  const requests: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    broker = await startBroker(kind);
    kiosk = makeKiosk({ url: broker.url, sellers: { s3: s3.keys, s4: s4.keys }, clock });
    await connectKiosk(kiosk);
    fakeSeller = await rawClient(broker.url);
    fakeSeller.on('message', (_t, p) => requests.push(JSON.parse(Buffer.from(JSON.parse(p.toString()).body, 'base64url').toString())));
    await fakeSeller.subscribeAsync('pk/v1/seller/s3/verify', { qos: 1 });
  });

  afterAll(async () => {
    await fakeSeller?.endAsync();
    await kiosk?.close();
    await broker?.close();
  });

  it('gives up at expiresAt when no seller answers', async () => {
    let settled: OnlineResult | null = null;
    const p = kiosk.link.verifyOnline({ sellerId: 's9', txn: 'T', method: 'code', kVerify: Buffer.alloc(32), salt: Buffer.alloc(16), timeoutMs: 4000 });
    void p.then((r) => (settled = r));
    await sleep(150);
    clock.advance(3999);
    await sleep(10);
    expect(settled).toBeNull();
    clock.advance(1);
    expect(await p).toEqual({ result: 'timeout' });
  });

  it('drops a late reply, and a reply from another seller, and never turns them into an answer', async () => {
    const drops: Drop[] = [];
    kiosk.link.on('dropped', (d) => drops.push(d));
    requests.length = 0;
    const p = kiosk.link.verifyOnline({ sellerId: 's3', txn: 'T', method: 'code', kVerify: Buffer.alloc(32), salt: Buffer.alloc(16), timeoutMs: 2000 });
    await waitFor(() => requests.length === 1, 'the request to reach the fake seller');
    const requestId = requests[0].requestId as string;
    expect(Date.parse(requests[0].expiresAt as string)).toBe(clock.now() + 2000);

    // Another (trusted) seller answers first: dropped, the request keeps waiting.
    await fakeSeller.publishAsync('pk/v1/kiosk/kiosk-1/reply', signed(s4, { type: 'verify.reply', requestId, result: 'ok' }), { qos: 1 });
    await waitFor(() => drops.length === 1, 'the wrong-seller reply to be dropped');
    expect(drops[0].reason).toMatch(/another seller/);

    clock.advance(2000);
    expect(await p).toEqual({ result: 'timeout' });
    await fakeSeller.publishAsync('pk/v1/kiosk/kiosk-1/reply', signed(s3, { type: 'verify.reply', requestId, result: 'ok' }), { qos: 1 });
    await waitFor(() => drops.length === 2, 'the late reply to be dropped');
    expect(drops[1].reason).toMatch(/no waiting request/);
  });

  it('takes the right seller in time, and rejects waiting checks on stop', async () => {
    requests.length = 0;
    const p = kiosk.link.verifyOnline({ sellerId: 's3', txn: 'T', method: 'code', kVerify: Buffer.alloc(32), salt: Buffer.alloc(16), timeoutMs: 2000 });
    await waitFor(() => requests.length === 1, 'the request');
    const requestId = requests[0].requestId as string;
    await fakeSeller.publishAsync('pk/v1/kiosk/kiosk-1/reply', signed(s3, { type: 'verify.reply', requestId, result: 'denied', attemptsLeft: 4 }), { qos: 1 });
    expect(await p).toEqual({ result: 'denied', attemptsLeft: 4 });

    const waiting = kiosk.link.verifyOnline({ sellerId: 's3', txn: 'T', method: 'code', kVerify: Buffer.alloc(32), salt: Buffer.alloc(16), timeoutMs: 2000 });
    await kiosk.link.stop();
    await expect(waiting).rejects.toThrow(/stopped/);
  });
});
