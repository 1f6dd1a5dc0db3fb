import { describe, expect, it } from 'vitest';
import { createTrustStore, generateEd25519, onlineProof, b64uDecode, openEnvelope } from '../../../src/domain/index.js';
import { OnlineChecks, type OnlineResult } from '../../../src/link/verify.js';
import { FakeClock } from '../../support/fake-clock.js';

function setup(opts: { up?: boolean; publishFails?: boolean } = {}) {
  const clock = new FakeClock(Date.parse('2026-11-21T09:00:00.250Z'));
  const keys = generateEd25519();
  const published: Array<{ topic: string; payload: Buffer }> = [];
  const checks = new OnlineChecks({
    kioskId: 'kiosk-1',
    signer: { id: 'kiosk-1', keys },
    clock,
    isUp: () => opts.up ?? true,
    publish: (topic, payload) => {
      published.push({ topic, payload });
      return opts.publishFails ? Promise.reject(new Error('gone')) : Promise.resolve();
    },
  });
  const trust = createTrustStore({ 'kiosk-1': [keys.publicKey.toString('hex')] });
  const body = (i = 0) => {
    const o = openEnvelope(published[i].payload, trust, clock.now());
    if (!o.ok) throw new Error(o.reason);
    return o.body;
  };
  return { clock, checks, published, body };
}

const kVerify = Buffer.alloc(32, 5);
const salt = Buffer.alloc(16, 6);
const req = (timeoutMs = 1500) => ({ sellerId: 's1', txn: 'T-1', method: 'code' as const, kVerify, salt, timeoutMs });

describe('online checks', () => {
  it('sends a signed request whose proof is HMAC(K_verify, "PKS1 online" || requestId), expiring to the millisecond', () => {
    const { checks, published, body, clock } = setup();
    void checks.request(req(1500));
    expect(published[0].topic).toBe('pk/v1/seller/s1/verify');
    const b = body();
    expect(b).toMatchObject({ type: 'verify.request', kioskId: 'kiosk-1', txn: 'T-1', method: 'code', expiresAt: '2026-11-21T09:00:01.750Z' });
    expect(b.id).toBe(b.requestId);
    expect(b64uDecode(b.proof as string)!.equals(onlineProof(kVerify, b.requestId as string))).toBe(true);
    expect(b64uDecode(b.salt as string)!.equals(salt)).toBe(true);
    expect(clock.pending()).toBe(1);
  });

  it('resolves with the seller reply, and times out exactly at expiresAt otherwise', async () => {
    const { checks, body, clock } = setup();
    const p = checks.request(req());
    expect(checks.onReply('s1', { id: 'r1', requestId: body().requestId as string, result: 'denied', attemptsLeft: 2 })).toBe('matched');
    expect(await p).toEqual({ result: 'denied', attemptsLeft: 2 });

    let got: OnlineResult | null = null;
    const q = checks.request(req());
    void q.then((r) => (got = r));
    clock.advance(1499);
    await Promise.resolve();
    expect(got).toBeNull();
    clock.advance(1);
    expect(await q).toEqual({ result: 'timeout' });
    expect(checks.pending).toBe(0);
  });

  it('never takes a reply from another seller, a late one, or one for no request', async () => {
    const { checks, body, clock } = setup();
    const p = checks.request(req());
    const requestId = body().requestId as string;
    expect(checks.onReply('s2', { id: 'x', requestId, result: 'ok' })).toBe('wrong-seller');
    expect(checks.onReply('s1', { id: 'y', requestId: 'other', result: 'ok' })).toBe('no-request');
    clock.advance(1500);
    expect(await p).toEqual({ result: 'timeout' });
    expect(checks.onReply('s1', { id: 'z', requestId, result: 'ok' })).toBe('no-request');
  });

  it('answers offline at once when not connected, when the publish fails, and when the link drops', async () => {
    expect(await setup({ up: false }).checks.request(req())).toEqual({ result: 'offline' });
    expect(await setup({ publishFails: true }).checks.request(req())).toEqual({ result: 'offline' });
    const { checks } = setup();
    const p = checks.request(req());
    checks.allOffline();
    expect(await p).toEqual({ result: 'offline' });
  });

  it('rejects waiting and later requests once stopped, and bad requests always', async () => {
    const { checks, clock } = setup();
    const p = checks.request(req());
    checks.stop();
    await expect(p).rejects.toThrow(/stopped/);
    expect(clock.pending()).toBe(0);
    await expect(checks.request(req())).rejects.toThrow(/stopped/);
    const fresh = setup().checks;
    await expect(fresh.request({ ...req(), timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
    await expect(fresh.request({ ...req(), txn: 'has space' })).rejects.toThrow(/txn/);
  });
});
