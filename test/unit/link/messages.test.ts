import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { b64uEncode, parseVerifier } from '../../../src/domain/index.js';
import { kioskTopicKind, readAck, readManifest, readReply } from '../../../src/link/messages.js';

const common = { id: 'm-1', at: '2026-11-21T09:00:00Z' };
const manifestWith = (verifier: unknown) =>
  readManifest({ type: 'manifest', ...common, sellerId: 's1', kioskId: 'k1', seq: 1, upserts: [{ txn: 'T', verifier }] });

describe('inbound message shapes', () => {
  it('accepts exactly the verifiers the domain accepts, and stores only their five members', () => {
    const b64 = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => b64uEncode(b));
    const b64ish = (n: number) =>
      fc.oneof(
        { weight: 6, arbitrary: b64(n) },
        { weight: 1, arbitrary: fc.uint8Array({ minLength: n - 1, maxLength: n + 1 }).map((b) => b64uEncode(b)) },
        { weight: 1, arbitrary: fc.string({ minLength: 20, maxLength: 44 }) },
        // Canonical length, but non-zero unused bits in the last character.
        { weight: 1, arbitrary: b64(n).map((t) => `${t.slice(0, -1)}${n === 16 ? 'B' : 'F'}`) },
      );
    const verifier = fc.record({
      salt: b64ish(16),
      key: b64ish(32),
      logN: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 14, max: 18 }) }, fc.integer({ min: 10, max: 22 }), fc.double()),
      r: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 16 }) }, fc.integer({ min: -1, max: 40 })),
      p: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, fc.constantFrom(2, 0, 1.5)),
      extra: fc.anything(),
    });
    let accepted = 0;
    fc.assert(
      fc.property(verifier, (v) => {
        const domain = parseVerifier(v);
        if (domain !== null) accepted++;
        const r = manifestWith(v);
        expect(r.ok).toBe(domain !== null);
        if (r.ok && domain !== null) {
          expect(JSON.parse(r.value.upserts[0].verifier!)).toEqual({ salt: domain.salt, logN: domain.logN, r: domain.r, p: domain.p, key: domain.key });
        }
      }),
      { numRuns: 3000, seed: 7 },
    );
    expect(accepted).toBeGreaterThan(30); // Both sides of the boundary were exercised.
  });

  it('accepts a verifier without its key (online only), keeping salt and parameters; a key that is not one is refused', () => {
    const salt = b64uEncode(Buffer.alloc(16, 3));
    const r = manifestWith({ salt, logN: 14, r: 8, p: 1 });
    expect(r.ok && JSON.parse(r.value.upserts[0].verifier!)).toEqual({ salt, logN: 14, r: 8, p: 1 });
    expect(manifestWith({ salt, logN: 14, r: 8, p: 1, key: 7 }).ok).toBe(false);
    expect(manifestWith({ logN: 14, r: 8, p: 1 }).ok).toBe(false);
  });

  it('reads topics: this kiosk only, and knows its own status and alarm', () => {
    expect(kioskTopicKind('pk/v1/kiosk/k1/manifest', 'k1')).toBe('manifest');
    expect(kioskTopicKind('pk/v1/kiosk/k1/ack', 'k1')).toBe('ack');
    expect(kioskTopicKind('pk/v1/kiosk/k1/reply', 'k1')).toBe('reply');
    expect(kioskTopicKind('pk/v1/kiosk/k1/status', 'k1')).toBe('own');
    expect(kioskTopicKind('pk/v1/kiosk/k1/alarm', 'k1')).toBe('own');
    expect(kioskTopicKind('pk/v1/kiosk/k10/manifest', 'k1')).toBeNull();
    expect(kioskTopicKind('pk/v1/kiosk/k1/manifest/x', 'k1')).toBeNull();
  });

  it('reads acks and replies strictly', () => {
    expect(readAck({ type: 'ack', ...common, eventIds: ['a', 'b'] })).toEqual({ ok: true, value: { id: 'm-1', eventIds: ['a', 'b'] } });
    expect(readAck({ type: 'ack', ...common, eventIds: 'a' })).toMatchObject({ ok: false });
    expect(readAck({ type: 'ack', ...common, eventIds: ['ok', 'with space'] })).toMatchObject({ ok: false, reason: 'eventIds[1] is not an event id' });
    expect(readReply({ type: 'verify.reply', ...common, requestId: 'r', result: 'ok' })).toEqual({ ok: true, value: { id: 'm-1', requestId: 'r', result: 'ok' } });
    expect(readReply({ type: 'verify.reply', ...common, requestId: 'r', result: 'maybe' })).toMatchObject({ ok: false });
    expect(readReply({ type: 'verify.reply', ...common, requestId: 'r', result: 'denied', attemptsLeft: -1 })).toMatchObject({ ok: false });
    expect(readReply({ type: 'verify.reply', ...common, requestId: 'r', result: 'denied', attemptsLeft: 2 })).toMatchObject({ ok: true, value: { attemptsLeft: 2 } });
    expect(readReply({ type: 'ack', ...common, requestId: 'r', result: 'ok' })).toMatchObject({ ok: false });
  });

  it('parses each distinct holdUntil once but gives every parcel its own value', () => {
    const r = readManifest({
      type: 'manifest',
      ...common,
      sellerId: 's1',
      kioskId: 'k1',
      seq: 1,
      upserts: [
        { txn: 'A', holdUntil: '2026-12-01T00:00:00Z' },
        { txn: 'B', holdUntil: '2026-12-02T00:00:00+09:00' },
        { txn: 'C', holdUntil: '2026-12-01T00:00:00Z' },
        { txn: 'D', holdUntil: '2026-02-30T00:00:00Z' },
      ],
    });
    expect(r).toEqual({ ok: false, reason: 'upserts[3]: holdUntil is not an RFC 3339 time' });
    const ok = readManifest({ type: 'manifest', ...common, sellerId: 's1', kioskId: 'k1', seq: 1, upserts: [{ txn: 'A', holdUntil: '2026-12-01T00:00:00Z' }, { txn: 'B', holdUntil: '2026-12-02T00:00:00+09:00' }] });
    expect(ok.ok && ok.value.upserts.map((u) => u.holdUntil)).toEqual([Date.parse('2026-12-01T00:00:00Z'), Date.parse('2026-12-01T15:00:00Z')]);
  });
});
