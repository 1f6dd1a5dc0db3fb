import { describe, expect, it } from 'vitest';
import { b64uEncode } from '../../../src/domain/index.js';
import { readManifest } from '../../../src/link/messages.js';

const common = { id: 'm-1', at: '2026-11-21T09:00:00Z' };
const withBio = (bio: unknown) => readManifest({ type: 'manifest', ...common, sellerId: 's1', kioskId: 'k1', seq: 1, upserts: [{ txn: 'T', bio }] });

describe('a manifest fingerprint template', () => {
  it('is taken when it is an r30x-char template of 512 bytes of base64url', () => {
    const r = withBio({ format: 'r30x-char', template: b64uEncode(Buffer.alloc(512, 7)) });
    expect(r.ok && r.value.upserts[0].bio).toContain('r30x-char');
  });

  it.each([
    ['not base64url', { format: 'r30x-char', template: '%%%' }],
    ['standard base64 with padding', { format: 'r30x-char', template: Buffer.alloc(512, 7).toString('base64') }],
    ['511 bytes', { format: 'r30x-char', template: b64uEncode(Buffer.alloc(511)) }],
    ['another format', { format: 'iso-19794-2', template: b64uEncode(Buffer.alloc(512)) }],
    ['a number', { format: 'r30x-char', template: 5 }],
    ['a list', ['r30x-char']],
    ['a string', 'r30x-char'],
  ])('makes the manifest malformed when it is %s', (_what, bio) => {
    const r = withBio(bio);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/upserts\[0\]: bio/);
  });
});
