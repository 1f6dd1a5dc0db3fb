import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTemplate, TEMPLATE_BYTES } from '../../../src/ui/finger-template.js';

describe('a /sim/finger template', () => {
  const t = Buffer.alloc(TEMPLATE_BYTES, 0x5a);

  it('is 512 bytes in base64 or base64url, padded or not', () => {
    for (const text of [t.toString('base64'), t.toString('base64url'), t.toString('base64').replace(/=+$/, '')]) {
      const r = readTemplate(text);
      expect(Buffer.isBuffer(r) && r.equals(t)).toBe(true);
    }
  });

  it.each([
    ['%%%', /not base64/],
    ['', /0 bytes/],
    [Buffer.alloc(511).toString('base64'), /511 bytes/],
    [Buffer.alloc(513).toString('base64url'), /513 bytes/],
    [`${t.toString('base64').slice(0, 100)} ${t.toString('base64').slice(100)}`, /not base64/],
    [`${t.toString('base64url').slice(0, -1)}F`, /not canonical/], // non-zero unused bits
    ['A'.repeat(5000), /longer/],
  ])('refuses %j', (text, reason) => {
    const r = readTemplate(text);
    expect(typeof r).toBe('string');
    expect(r).toMatch(reason);
  });

  it('accepts a string exactly when it is the encoding of 512 bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 700 }), fc.uint8Array({ minLength: 500, maxLength: 520 }).map((b) => Buffer.from(b).toString('base64'))), (text) => {
        const r = readTemplate(text);
        if (Buffer.isBuffer(r)) {
          expect(r.length).toBe(TEMPLATE_BYTES);
          expect(r.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '') || r.toString('base64url') === text).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
