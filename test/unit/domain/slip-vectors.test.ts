import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkOpenedSlip,
  checkSlip,
  openSlip,
  createTrustStore,
  isTxn,
  kioskHintOf,
  parseSlip,
  readSlipPlaintext,
  slipText,
  writeSlipAad,
  type SlipCheck,
} from '../../../src/domain/index.js';
import { spyOnScrypt } from './scrypt-spy.js';
import { keys, kioskX25519, otherKioskX25519, sellerKeys, sellerTrust, slips, type SlipVector } from './vectors.js';

const scrypt = spyOnScrypt();

function run(v: SlipVector): Promise<SlipCheck> {
  return checkSlip(v.slip, {
    trust: sellerTrust,
    allowMode0: v.check.allowMode0 ?? true,
    kioskX25519,
    code: v.check.code,
    expectTxn: v.check.expectTxn,
  });
}

const byName = (name: string) => slips.find((s) => s.name === name)!;

describe('slips.json', () => {
  it('holds the 34 vectors', () => expect(slips.length).toBe(34));

  for (const v of slips) {
    it(`${v.name}: ${v.expect.ok ? 'ok' : v.expect.reason}`, async () => {
      const r = await run(v);
      if (v.expect.ok) {
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.txn).toBe(v.expect.txn);
        if (v.expect.plaintext !== undefined) expect(r.plaintext).toEqual(v.expect.plaintext);
        else expect(r.plaintext).toBeNull();
        expect(r.keys === null).toBe(v.check.code === null);
      } else {
        expect(r).toMatchObject({ ok: false, reason: v.expect.reason });
      }
    });
  }

  it('opened first (steps 1–3) and checked with the code after (4–5), every vector gives what checkSlip gives', async () => {
    for (const v of slips) {
      const o = openSlip(v.slip, { trust: sellerTrust, allowMode0: v.check.allowMode0 ?? true, kioskX25519 });
      const whole = await run(v);
      if (!o.ok || v.check.code === null) {
        expect(o.ok ? 'open' : o.reason, v.name).toBe(o.ok ? 'open' : (whole as { reason: string }).reason);
        continue;
      }
      const r = await checkOpenedSlip(o.opened, v.check.code, v.check.expectTxn);
      expect(r.ok ? { txn: r.txn, plaintext: r.plaintext, keys: r.keys } : r.reason, v.name).toEqual(
        whole.ok ? { txn: whole.txn, plaintext: whole.plaintext, keys: whole.keys } : whole.reason,
      );
    }
  });

  it('every vector that fails before step 4 runs no scrypt at all', async () => {
    const early = slips.filter((v) => !v.expect.ok && v.expect.reason !== 'wrong-code' && v.expect.reason !== 'txn-mismatch');
    const noDerivation = early.filter((v) => !v.name.startsWith('plaintext-') && v.name !== 'txn-with-space');
    expect(noDerivation.map((v) => v.name)).toEqual(
      expect.arrayContaining(['cost-out-of-bounds', 'logN-19', 'r-16-logN-18', 'p-2', 'tampered-ciphertext']),
    );
    for (const v of noDerivation) expect((await run(v)).ok).toBe(false);
    expect(scrypt.calls()).toBe(0);
  });

  it('cost-out-of-bounds and logN-19 are malformed at step 1, with no scrypt', async () => {
    for (const name of ['cost-out-of-bounds', 'logN-19']) {
      const v = byName(name);
      expect(parseSlip(v.slip)).toBeNull();
      expect(await run(v)).toEqual({ ok: false, reason: 'malformed', slip: null });
    }
    expect(scrypt.calls()).toBe(0);
  });

  it('a code that is not 6-16 digits is wrong-code with no derivation; a wrong code runs exactly one', async () => {
    expect(await run(byName('mode0-code-not-digits'))).toMatchObject({ ok: false, reason: 'wrong-code' });
    expect(await run(byName('mode0-code-too-short'))).toMatchObject({ ok: false, reason: 'wrong-code' });
    expect(scrypt.calls()).toBe(0);
    expect(await run(byName('mode0-wrong-code'))).toMatchObject({ ok: false, reason: 'wrong-code' });
    expect(scrypt.calls()).toBe(1);
  });

  it('a check-in (no code) runs steps 1-3 only, with no derivation', async () => {
    const r = await run({ ...byName('mode1-ok'), check: { code: null, expectTxn: null } });
    expect(r).toMatchObject({ ok: true, txn: null, plaintext: null, keys: null });
    expect(scrypt.calls()).toBe(0);
  });
});

describe('slip check details', () => {
  it('parses the fields of the mode-1 vector', () => {
    const s = parseSlip(byName('mode1-ok').slip)!;
    expect(s).toMatchObject({ version: 1, mode: 1, sellerId: 'shop-a', kid: keys.sellers[0].kid });
    expect(s.params).toEqual({ logN: 14, r: 8, p: 1 });
    expect(s.ephPublic?.length).toBe(32);
    expect(s.kioskHint?.length).toBe(4);
    expect(s.signed.length + 64).toBe(s.bytes.length);
    expect(s.aad.length + s.ciphertext.length).toBe(s.signed.length);
    expect(s.signed.equals(s.bytes.subarray(0, s.bytes.length - 64))).toBe(true);
  });

  it('returns the keys whose proofs the seller checks, with the slip salt', async () => {
    const r = await run(byName('mode0-ok'));
    if (!r.ok || r.keys === null) throw new Error('expected keys');
    expect(r.keys.salt.equals(r.slip.salt)).toBe(true);
    expect(r.keys.kVerify.length).toBe(32);
    expect(r.keys.kReceipt.equals(r.keys.kVerify)).toBe(false);
  });

  it('the kiosk the mode-1 slip names opens it; another kiosk is wrong-kiosk; no X25519 key is wrong-kiosk', async () => {
    const v = byName('mode1-wrong-kiosk');
    const base = { trust: sellerTrust, allowMode0: true, code: '24681357' };
    const other = await checkSlip(v.slip, { ...base, kioskX25519: otherKioskX25519 });
    expect(other.ok).toBe(true);
    expect(other.ok && isTxn(other.txn ?? '')).toBe(true);
    expect(await checkSlip(byName('mode1-ok').slip, { ...base, kioskX25519: null })).toMatchObject({
      ok: false,
      reason: 'wrong-kiosk',
    });
  });

  it('a signed mode-1 slip whose ephemeral key is low-order (all-zero X25519) is malformed at step 3', async () => {
    const seller = sellerKeys[0];
    for (const eph of [Buffer.alloc(32), Buffer.concat([Buffer.of(1), Buffer.alloc(31)])]) {
      const aad = writeSlipAad({
        mode: 1,
        sellerId: seller.id,
        kid: seller.keys.kid,
        slipId: Buffer.alloc(16, 7),
        params: { logN: 14, r: 1, p: 1 },
        salt: Buffer.alloc(16, 8),
        ephPublic: eph,
        kioskHint: kioskHintOf(kioskX25519.publicKey),
        nonce: Buffer.alloc(12, 9),
        ciphertextLength: 17,
      });
      const signed = Buffer.concat([aad, Buffer.alloc(17, 1)]);
      const text = slipText(Buffer.concat([signed, sign(null, signed, seller.keys.privateKey)]));
      expect(parseSlip(text)?.ephPublic?.equals(eph)).toBe(true);
      const opts = { trust: sellerTrust, allowMode0: false, kioskX25519 };
      expect(await checkSlip(text, opts)).toMatchObject({ ok: false, reason: 'malformed' });
      expect(await checkSlip(text, { ...opts, code: '24681357' })).toMatchObject({ ok: false, reason: 'malformed' });
    }
    expect(scrypt.calls()).toBe(0);
  });

  it('mode 1 is accepted where mode 0 is refused', async () => {
    const r = await checkSlip(byName('mode1-ok').slip, { trust: sellerTrust, allowMode0: false, kioskX25519 });
    expect(r.ok).toBe(true);
  });

  it('a seller key past its notAfter makes the slip untrusted', async () => {
    const a = keys.sellers[0];
    const trust = createTrustStore({ 'shop-a': [{ key: a.publicKey, notAfter: '2026-11-01T00:00:00Z' }] });
    const opts = { trust, allowMode0: true, kioskX25519 };
    const slip = byName('mode0-ok').slip;
    expect((await checkSlip(slip, { ...opts, now: Date.parse('2026-10-31T00:00:00Z') })).ok).toBe(true);
    expect(await checkSlip(slip, { ...opts, now: Date.parse('2026-11-02T00:00:00Z') })).toMatchObject({
      ok: false,
      reason: 'untrusted',
    });
  });

  it('an ill-formed due or holdUntil is dropped, the rest kept', () => {
    // makeSlip refuses such members, so no slip carries them: check the reader itself.
    const p = (o: unknown) => readSlipPlaintext(Buffer.from(JSON.stringify(o)));
    expect(p({ txn: 'A1', due: { amount: 1.5, currency: 'JPY' }, holdUntil: 'soon', x: 1 })).toEqual({ txn: 'A1', x: 1 });
    expect(p({ txn: 'A1', due: { amount: 100, currency: 'jpy' } })).toEqual({ txn: 'A1' });
    expect(p({ txn: 'A1', due: { amount: -1, currency: 'EUR' } })).toEqual({ txn: 'A1' });
    expect(p({ txn: 'A1', due: { amount: 100, currency: 'EUR', extra: true } })).toEqual({
      txn: 'A1',
      due: { amount: 100, currency: 'EUR' },
    });
    expect(p({ txn: 'A1', holdUntil: '2026-12-01T00:00:00Z' })).toEqual({ txn: 'A1', holdUntil: '2026-12-01T00:00:00Z' });
    expect(p({ txn: 7 })).toBeNull();
    expect(p({ txn: 'A 1' })).toBeNull();
    expect(p('A1')).toBeNull();
    expect(readSlipPlaintext(Buffer.from('{"txn":"A1","__proto__":{"polluted":1}}'))).toEqual(
      JSON.parse('{"txn":"A1","__proto__":{"polluted":1}}'),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

});
