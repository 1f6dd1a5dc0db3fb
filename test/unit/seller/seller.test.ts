import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  b64uDecode,
  b64uEncode,
  checkSlip,
  createTrustStore,
  deriveS,
  generateEd25519,
  generateX25519,
  kReceipt,
  kVerify,
  recipientProof,
  type X25519KeyPair,
} from '../../../src/domain/index.js';
import { ReferenceSeller, SellerError } from '../../../src/seller/index.js';
import { checkReceipt, decideVerify, type VerifyRequest } from '../../../src/seller/checks.js';
import { tempDir } from '../../support/tmp.js';

const FAST = { logN: 14, r: 1, p: 1 };

describe('reference seller, in process', () => {
  let dir: ReturnType<typeof tempDir>;
  let seller: ReferenceSeller;
  let kioskX: X25519KeyPair;

  beforeEach(() => {
    dir = tempDir('pk-seller-unit-');
    ReferenceSeller.keygen(dir.dir, 'shop-1');
    seller = ReferenceSeller.open({ dir: dir.dir, failureLimit: 3 });
    kioskX = generateX25519();
    seller.addKiosk({
      kioskId: 'kiosk-1',
      ed25519Public: generateEd25519().publicKey.toString('hex'),
      x25519Public: kioskX.publicKey.toString('hex'),
      kid: 'ignored',
    });
  });

  afterEach(async () => {
    await seller.close();
    dir.cleanup();
  });

  it('keeps its key: keygen refuses to overwrite it, open without one says what to run', () => {
    expect(() => ReferenceSeller.keygen(dir.dir, 'shop-1')).toThrow(/refusing to overwrite/);
    expect(statSync(join(dir.dir, 'seller.json')).mode & 0o777).toBe(0o600);
    const empty = tempDir('pk-seller-empty-');
    try {
      expect(() => ReferenceSeller.open({ dir: empty.dir })).toThrow(/seller keygen --seller-id ID/);
    } finally {
      empty.cleanup();
    }
    const id = seller.identity();
    expect(id.sellerId).toBe('shop-1');
    expect(id.ed25519Public).toMatch(/^[0-9a-f]{64}$/);
    expect(id.kid).toMatch(/^[0-9a-f]{8}$/);
  });

  it('refuses a kiosk identity it cannot use, with a reason', () => {
    expect(() => seller.addKiosk({ kioskId: 'k 2', ed25519Public: 'ab' })).toThrow(/kioskId/);
    expect(() => seller.addKiosk({ kioskId: 'k2', ed25519Public: 'zz'.repeat(32) })).toThrow(/ed25519Public/);
    expect(() => seller.addKiosk('not an object')).toThrow(SellerError);
  });

  it('issues a mode-1 parcel: 8 digits, a slip the kiosk opens with that code, and keys instead of the code', async () => {
    const r = await seller.issue({ kioskId: 'kiosk-1', txn: 'T-100', size: 'M', due: { amount: 3015, currency: 'JPY' }, holdDays: 3, params: FAST, push: false, label: false });
    expect(r.code).toMatch(/^\d{8}$/);
    expect(r.mode).toBe(1);
    expect(r.seq).toBeNull();
    const trust = createTrustStore({ 'shop-1': [seller.identity().ed25519Public] });
    const c = await checkSlip(r.slip, { trust, allowMode0: false, kioskX25519: kioskX, code: r.code, expectTxn: 'T-100' });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.plaintext).toMatchObject({ txn: 'T-100', due: { amount: 3015, currency: 'JPY' } });
    // The seller's stored keys are those of the slip's salt.
    const keys = seller.store.keys('T-100', b64uEncode(c.keys!.salt))!;
    expect(keys.kVerify.equals(c.keys!.kVerify)).toBe(true);
    expect(keys.kReceipt.equals(c.keys!.kReceipt)).toBe(true);
    expect(seller.parcel('T-100')).toMatchObject({ kioskId: 'kiosk-1', state: 'issued', size: 'M', failures: 0 });
  });

  it('never writes the code to its database', async () => {
    const r = await seller.issue({ kioskId: 'kiosk-1', code: '8642097531', mode: 0, params: FAST, push: false, label: false });
    seller.store.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(dir.dir).filter((n) => n.startsWith('seller.db'))) {
      const bytes = readFileSync(join(dir.dir, f));
      expect(bytes.includes(Buffer.from(r.code)), `${f} holds the code`).toBe(false);
    }
  });

  it('makes 10-digit codes for mode 0 and refuses what it cannot issue', async () => {
    const r = await seller.issue({ kioskId: 'kiosk-1', mode: 0, params: FAST, push: false, label: false });
    expect(r.code).toMatch(/^\d{10}$/);
    await expect(seller.issue({ kioskId: 'kiosk-9', params: FAST, push: false })).rejects.toThrow(/X25519 key.*seller kiosk add/);
    await expect(seller.issue({ kioskId: 'kiosk-1', code: '12ab', push: false })).rejects.toThrow(/6-16 digits/);
    await expect(seller.issue({ kioskId: 'kiosk-1', txn: r.txn, mode: 0, params: FAST, push: false })).rejects.toThrow(/issued before/);
    await expect(seller.issue({ kioskId: 'kiosk-1', mode: 0, params: FAST })).rejects.toThrow(/not connected/);
  });

  describe('answers', () => {
    let code: string;
    let salt: string;
    let kv: Buffer;

    beforeEach(async () => {
      const r = await seller.issue({ kioskId: 'kiosk-1', txn: 'T-V', mode: 0, params: FAST, push: false, label: false });
      code = r.code;
      salt = seller.parcel('T-V')!.verifierSalt!;
      const s = b64uDecode(salt)!;
      kv = kVerify(await deriveS(code, s, FAST), s);
    });

    function request(proofKey: Buffer, over: Partial<VerifyRequest> = {}): VerifyRequest {
      const requestId = `req-${Math.random()}`;
      const proof = createHmac('sha256', proofKey).update('PKS1 online').update(requestId).digest();
      return { id: requestId, requestId, kioskId: 'kiosk-1', txn: 'T-V', method: 'code', proof: b64uEncode(proof), salt, expiresAt: Date.now() + 1000, ...over };
    }

    it('ok, denied with attempts left, locked at the limit; ok clears the count', () => {
      const now = Date.now();
      expect(decideVerify(seller.store, request(Buffer.alloc(32, 9)), 3, now)).toEqual({ result: 'denied', attemptsLeft: 2 });
      expect(decideVerify(seller.store, request(kv), 3, now)).toEqual({ result: 'ok' });
      expect(seller.parcel('T-V')?.failures).toBe(0);
      for (const left of [2, 1, 0]) expect(decideVerify(seller.store, request(Buffer.alloc(32)), 3, now)).toEqual({ result: 'denied', attemptsLeft: left });
      expect(decideVerify(seller.store, request(kv), 3, now)).toEqual({ result: 'locked', attemptsLeft: 0 });
    });

    it('unknown for another kiosk or txn, denied for a salt it never issued, cancelled once withdrawn', () => {
      const now = Date.now();
      expect(decideVerify(seller.store, request(kv, { kioskId: 'kiosk-2' }), 3, now)).toEqual({ result: 'unknown' });
      expect(decideVerify(seller.store, request(kv, { txn: 'T-NONE' }), 3, now)).toEqual({ result: 'unknown' });
      expect(decideVerify(seller.store, request(kv, { salt: b64uEncode(Buffer.alloc(16)) }), 3, now).result).toBe('denied');
      expect(decideVerify(seller.store, request(kv, { proof: 'short' }), 3, now).result).toBe('denied');
      seller.store.setState('T-V', 'cancelled', now);
      expect(decideVerify(seller.store, request(kv), 3, now)).toEqual({ result: 'cancelled' });
    });

    it('checks a handover receipt against K_receipt of the salt it names', async () => {
      const s = b64uDecode(salt)!;
      const kr = kReceipt(await deriveS(code, s, FAST), s);
      const ev = { id: 'ev-1', type: 'parcel.handed_over' as const, at: '2026-11-21T09:00:00Z', kioskId: 'kiosk-1', txn: 'T-V' };
      const good = { method: 'code', salt, recipientProof: b64uEncode(recipientProof(kr, 'ev-1', 'T-V')) };
      expect(checkReceipt(seller.store, ev, good)).toBe('ok');
      expect(checkReceipt(seller.store, { ...ev, id: 'ev-2' }, good)).toBe('mismatch');
      expect(checkReceipt(seller.store, ev, { ...good, recipientProof: null })).toBe('missing');
      expect(checkReceipt(seller.store, ev, { ...good, salt: b64uEncode(Buffer.alloc(16)) })).toBe('unknown-salt');
      expect(checkReceipt(seller.store, ev, { method: 'biometric', recipientProof: null })).toBe('none');
    });
  });
});
