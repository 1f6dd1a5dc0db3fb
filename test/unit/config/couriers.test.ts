import { describe, expect, it } from 'vitest';
import { hashCourierPin, isCourierPin, validateConfig, verifyCourierPin } from '../../../src/config/index.js';
import { deriveS } from '../../../src/domain/index.js';

const FAST = { logN: 14, r: 8, p: 1 };

describe('courier PIN hashes', () => {
  it('hashes a PIN into a couriers[] entry that validates, verifies it, refuses others', async () => {
    const pin = await hashCourierPin('482913', FAST);
    expect(pin).toMatchObject({ logN: 14, r: 8, p: 1 });
    expect(Buffer.from(pin.salt, 'base64url')).toHaveLength(16);
    // The hash is scrypt(PIN, salt) exactly: anyone holding the spec can check it.
    const s = await deriveS('482913', Buffer.from(pin.salt, 'base64url'), FAST);
    expect(pin.hash).toBe(s.toString('base64url'));
    expect(JSON.stringify(pin)).not.toContain('482913');

    const v = validateConfig({ kioskId: 'k1', couriers: [{ id: 'c-1', pin }] }, '/');
    expect(v.ok).toBe(true);

    expect(await verifyCourierPin('482913', pin)).toBe(true);
    expect(await verifyCourierPin('482914', pin)).toBe(false);
    expect(await verifyCourierPin('48291', pin)).toBe(false); // Not a PIN: no derivation at all.
  });

  it('salts every hash afresh', async () => {
    const a = await hashCourierPin('12345678', FAST);
    const b = await hashCourierPin('12345678', FAST);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
  });

  it('knows what a PIN is and refuses to hash anything else', async () => {
    expect(isCourierPin('123456')).toBe(true);
    expect(isCourierPin('1234567890123456')).toBe(true);
    expect(isCourierPin('12345')).toBe(false);
    expect(isCourierPin('12345678901234567')).toBe(false);
    expect(isCourierPin('12345a')).toBe(false);
    await expect(hashCourierPin('12ab56', FAST)).rejects.toThrow('6 to 16 digits');
  });
});
