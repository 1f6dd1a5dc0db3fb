import { describe, expect, it } from 'vitest';
import {
  b64uDecode,
  b64uEncode,
  checkVerifier,
  deriveS,
  kReceipt,
  kSlip,
  kVerify,
  makeVerifier,
  onlineProof,
  parseVerifier,
  recipientProof,
  scryptParamsOk,
} from '../../../src/domain/index.js';
import { spyOnScrypt } from './scrypt-spy.js';
import { derivations, envelopes } from './vectors.js';

const scrypt = spyOnScrypt();
const salt = (s: string) => b64uDecode(s)!;

describe('derivations.json', () => {
  for (const d of derivations) {
    it(`code ${d.code} at logN ${d.logN} r ${d.r}: S, K_verify, K_receipt and both proofs`, async () => {
      const S = await deriveS(d.code, salt(d.salt), d);
      expect(S.toString('hex')).toBe(d.S);
      const kv = kVerify(S, salt(d.salt));
      const kr = kReceipt(S, salt(d.salt));
      expect(b64uEncode(kv)).toBe(d.K_verify);
      expect(b64uEncode(kr)).toBe(d.K_receipt);
      expect(b64uEncode(onlineProof(kv, d.requestId))).toBe(d.onlineProof);
      expect(b64uEncode(recipientProof(kr, d.eventId, d.txn))).toBe(d.recipientProof);
      expect(scrypt.calls()).toBe(1);
    });
  }

  it('the manifest vector carries the K_verify of the first derivation', () => {
    const body = JSON.parse(envelopes.find((e) => e.name === 'seller-manifest')!.body!);
    const v = parseVerifier(body.upserts[0].verifier);
    expect(v).not.toBeNull();
    expect(v!.key).toBe(derivations[0].K_verify);
    expect(v!.salt).toBe(derivations[0].salt);
  });
});

describe('scrypt parameters', () => {
  it('accepts the bounds of slip.md and nothing outside them', () => {
    expect(scryptParamsOk({ logN: 14, r: 1, p: 1 })).toBe(true);
    expect(scryptParamsOk({ logN: 15, r: 8, p: 1 })).toBe(true);
    expect(scryptParamsOk({ logN: 18, r: 8, p: 1 })).toBe(true); // exactly 256 MiB
    expect(scryptParamsOk({ logN: 17, r: 16, p: 1 })).toBe(true); // exactly 256 MiB
    expect(scryptParamsOk({ logN: 18, r: 9, p: 1 })).toBe(false);
    expect(scryptParamsOk({ logN: 18, r: 16, p: 1 })).toBe(false);
    expect(scryptParamsOk({ logN: 13, r: 8, p: 1 })).toBe(false);
    expect(scryptParamsOk({ logN: 19, r: 1, p: 1 })).toBe(false);
    expect(scryptParamsOk({ logN: 21, r: 8, p: 1 })).toBe(false);
    expect(scryptParamsOk({ logN: 15, r: 0, p: 1 })).toBe(false);
    expect(scryptParamsOk({ logN: 15, r: 17, p: 1 })).toBe(false);
    expect(scryptParamsOk({ logN: 15, r: 8, p: 2 })).toBe(false);
    expect(scryptParamsOk({ logN: 15, r: 8, p: 0 })).toBe(false);
    expect(scryptParamsOk({ logN: 14.5, r: 8, p: 1 })).toBe(false);
    expect(scryptParamsOk({ logN: 15, r: Number.NaN, p: 1 })).toBe(false);
    expect(scryptParamsOk(null as never)).toBe(false);
  });

  it('deriveS refuses bad parameters and bad codes before any work', async () => {
    await expect(deriveS('12345678', Buffer.alloc(16), { logN: 19, r: 8, p: 1 })).rejects.toThrow(/out of bounds/);
    await expect(deriveS('1234', Buffer.alloc(16), { logN: 14, r: 1, p: 1 })).rejects.toThrow(/6-16 ASCII digits/);
    expect(scrypt.calls()).toBe(0);
  });

  it('deriveS runs the largest allowed cost (256 MiB) that OpenSSL refuses by default', async () => {
    // logN 17, r 16 is 256 MiB; node's default maxmem is 32 MiB.
    const S = await deriveS('12345678', Buffer.alloc(16), { logN: 17, r: 16, p: 1 });
    expect(S.length).toBe(32);
  });

  it('kSlip binds S, Z, salt and slip id', () => {
    const S = Buffer.alloc(32, 1);
    const s = Buffer.alloc(16, 2);
    const id = Buffer.alloc(16, 3);
    const base = kSlip(S, Buffer.alloc(0), s, id);
    expect(kSlip(S, Buffer.alloc(32, 4), s, id).equals(base)).toBe(false);
    expect(kSlip(S, Buffer.alloc(0), s, Buffer.alloc(16, 5)).equals(base)).toBe(false);
    expect(kSlip(S, Buffer.alloc(0), Buffer.alloc(16, 6), id).equals(base)).toBe(false);
    expect(base.equals(kVerify(S, s))).toBe(false);
  });
});

describe('manifest verifiers', () => {
  const d = derivations[1]; // logN 14, r 1: cheap

  it('makeVerifier with the vector salt gives the vector K_verify', async () => {
    const v = await makeVerifier(d.code, d, salt(d.salt));
    expect(v).toEqual({ salt: d.salt, logN: 14, r: 1, p: 1, key: d.K_verify });
  });

  it('checkVerifier: the right code gives both keys, a wrong one neither', async () => {
    const v = parseVerifier({ salt: d.salt, logN: d.logN, r: d.r, p: d.p, key: d.K_verify })!;
    const ok = await checkVerifier(d.code, v);
    expect(ok.ok).toBe(true);
    expect(b64uEncode(ok.kVerify!)).toBe(d.K_verify);
    expect(b64uEncode(ok.kReceipt!)).toBe(d.K_receipt);
    expect(b64uEncode(ok.salt)).toBe(d.salt);
    const bad = await checkVerifier('000001', v);
    expect(bad).toEqual({ ok: false, kVerify: null, kReceipt: null, salt: salt(d.salt) });
    expect(scrypt.calls()).toBe(2);
  });

  it('checkVerifier: a code that is not 6-16 digits is refused without a derivation', async () => {
    const v = parseVerifier({ salt: d.salt, logN: d.logN, r: d.r, p: d.p, key: d.K_verify })!;
    for (const code of ['12345', '00000a', '12345678901234567', '', ' 000000']) {
      expect((await checkVerifier(code, v)).ok).toBe(false);
    }
    expect(scrypt.calls()).toBe(0);
  });

  it('parseVerifier refuses wrong shapes, bounds and sizes', () => {
    const good = { salt: d.salt, logN: 14, r: 1, p: 1, key: d.K_verify };
    expect(parseVerifier({ ...good, extra: 1 })).toEqual(good);
    expect(parseVerifier(null)).toBeNull();
    expect(parseVerifier([good])).toBeNull();
    expect(parseVerifier({ ...good, logN: 19 })).toBeNull();
    expect(parseVerifier({ ...good, p: 2 })).toBeNull();
    expect(parseVerifier({ ...good, r: '1' })).toBeNull();
    expect(parseVerifier({ ...good, salt: b64uEncode(Buffer.alloc(15)) })).toBeNull();
    expect(parseVerifier({ ...good, key: b64uEncode(Buffer.alloc(31)) })).toBeNull();
    expect(parseVerifier({ ...good, key: `${d.K_verify}=` })).toBeNull();
    const { key: _key, ...noKey } = good;
    expect(parseVerifier(noKey)).toBeNull();
  });

  it('checkVerifier on an unusable verifier is ok false without a derivation', async () => {
    const r = await checkVerifier(d.code, { salt: d.salt, logN: 30, r: 1, p: 1, key: d.K_verify });
    expect(r.ok).toBe(false);
    expect(scrypt.calls()).toBe(0);
  });
});
