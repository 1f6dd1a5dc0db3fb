import { describe, expect, it } from 'vitest';
import {
  createTrustStore,
  ed25519FromSeed,
  ed25519PublicKeyObject,
  findKey,
  generateEd25519,
  generateX25519,
  kidOf,
  x25519FromSeed,
  x25519Shared,
} from '../../../src/domain/index.js';
import { keys } from './vectors.js';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('keys.json', () => {
  for (const s of [...keys.sellers, keys.untrustedSigner]) {
    it(`seller ${s.id} ${s.kid}: public key and kid from the seed`, () => {
      const k = ed25519FromSeed(hex(s.ed25519Seed));
      expect(k.publicKey.toString('hex')).toBe(s.publicKey);
      expect(k.kid).toBe(s.kid);
      expect(kidOf(hex(s.publicKey))).toBe(s.kid);
      expect(k.seed.toString('hex')).toBe(s.ed25519Seed);
    });
  }

  it('kiosk: Ed25519 public key and kid, X25519 public key', () => {
    const ed = ed25519FromSeed(hex(keys.kiosk.ed25519Seed));
    expect(ed.publicKey.toString('hex')).toBe(keys.kiosk.ed25519Public);
    expect(ed.kid).toBe(keys.kiosk.kid);
    expect(x25519FromSeed(hex(keys.kiosk.x25519Seed)).publicKey.toString('hex')).toBe(keys.kiosk.x25519Public);
    expect(x25519FromSeed(hex(keys.otherKiosk.x25519Seed)).publicKey.toString('hex')).toBe(keys.otherKiosk.x25519Public);
  });
});

describe('key pairs', () => {
  it('generated Ed25519 keys round-trip through their seed', () => {
    const k = generateEd25519();
    const again = ed25519FromSeed(k.seed);
    expect(again.publicKey.equals(k.publicKey)).toBe(true);
    expect(k.kid).toMatch(/^[0-9a-f]{8}$/);
    expect(ed25519PublicKeyObject(k.publicKey).asymmetricKeyType).toBe('ed25519');
  });

  it('X25519 agreement gives the same secret on both sides', () => {
    const a = generateX25519();
    const b = generateX25519();
    const ab = x25519Shared(a.privateKey, b.publicKey);
    expect(ab.length).toBe(32);
    expect(ab.equals(x25519Shared(b.privateKey, a.publicKey))).toBe(true);
    expect(x25519FromSeed(a.seed).publicKey.equals(a.publicKey)).toBe(true);
  });

  it('X25519 with a low-order peer key throws instead of giving an all-zero secret', () => {
    const a = generateX25519();
    expect(() => x25519Shared(a.privateKey, Buffer.alloc(32))).toThrow(/X25519/);
    const one = Buffer.alloc(32);
    one[0] = 1;
    expect(() => x25519Shared(a.privateKey, one)).toThrow(/X25519/);
  });

  it('raw keys of the wrong length are refused with the length named', () => {
    expect(() => ed25519FromSeed(Buffer.alloc(31))).toThrow(/32 bytes, got 31/);
    expect(() => ed25519PublicKeyObject(Buffer.alloc(33))).toThrow(/32 bytes, got 33/);
    expect(() => x25519FromSeed(Buffer.alloc(0))).toThrow(/32 bytes, got 0/);
  });
});

describe('trust store', () => {
  const [a, b] = keys.sellers as [(typeof keys.sellers)[0], (typeof keys.sellers)[0]];

  it('finds a key by signer and kid, and nothing for other signers or kids', () => {
    const t = createTrustStore({ 'shop-a': [a.publicKey], 'shop-b': [b.publicKey.toUpperCase()] });
    expect(findKey(t, 'shop-a', a.kid, 0)?.publicKey.toString('hex')).toBe(a.publicKey);
    expect(findKey(t, 'shop-b', b.kid, 0)?.kid).toBe(b.kid);
    expect(findKey(t, 'shop-a', b.kid, 0)).toBeNull();
    expect(findKey(t, 'shop-z', a.kid, 0)).toBeNull();
    expect(t.keys('nobody')).toEqual([]);
  });

  it('respects notAfter: trusted up to and at that instant, not after', () => {
    const t = createTrustStore({ 'shop-a': [{ key: a.publicKey, notAfter: '2026-12-01T00:00:00Z' }] });
    const end = Date.parse('2026-12-01T00:00:00Z');
    expect(t.keys('shop-a')[0]?.notAfter).toBe(end);
    expect(findKey(t, 'shop-a', a.kid, end)).not.toBeNull();
    expect(findKey(t, 'shop-a', a.kid, end + 1)).toBeNull();
  });

  it('a rotated seller: the old key expires, the new one stays', () => {
    const t = createTrustStore({ 'shop-a': [{ key: a.publicKey, notAfter: '2026-01-01T00:00:00Z' }, b.publicKey] });
    const later = Date.parse('2026-06-01T00:00:00Z');
    expect(findKey(t, 'shop-a', a.kid, later)).toBeNull();
    expect(findKey(t, 'shop-a', b.kid, later)).not.toBeNull();
  });

  it('bad config throws an error that names the entry', () => {
    expect(() => createTrustStore({ 'shop-a': ['abcd'] })).toThrow(/trust\.shop-a\[0\]: expected an Ed25519 public key as 64 hex/);
    expect(() => createTrustStore({ 'shop a': [a.publicKey] })).toThrow(/signer id "shop a"/);
    expect(() => createTrustStore({ 'shop-a': [a.publicKey, { key: b.publicKey, notAfter: 'tomorrow' }] })).toThrow(
      /trust\.shop-a\[1\]\.notAfter: expected an RFC 3339 time/,
    );
    expect(() => createTrustStore({ 'shop-a': 'x' as unknown as string[] })).toThrow(/expected a list/);
  });
});
