import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  b64uDecode,
  b64uEncode,
  checkSlip,
  generateX25519,
  makeSlip,
  parseSlip,
  slipText,
  type CheckOptions,
  type SlipPlaintext,
} from '../../../src/domain/index.js';
import { spyOnScrypt } from './scrypt-spy.js';
import { kioskX25519, sellerKeys, sellerTrust, slips } from './vectors.js';

const scrypt = spyOnScrypt();
const cheap = { logN: 14, r: 1, p: 1 };
const seller = sellerKeys[0];
const opts: CheckOptions = { trust: sellerTrust, allowMode0: true, kioskX25519 };

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: min, maxLength: max });
const txnArb = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 64 });
const plaintextArb: fc.Arbitrary<SlipPlaintext> = fc.record(
  {
    txn: txnArb,
    due: fc.record({ amount: fc.nat({ max: 10_000_000 }), currency: fc.constantFrom('JPY', 'EUR', 'USD') }),
    holdUntil: fc.constantFrom('2026-12-01T00:00:00Z', '2027-01-31T23:59:59+09:00'),
  },
  { requiredKeys: ['txn'] },
);

function make(mode: 0 | 1, code: string, plaintext: SlipPlaintext): Promise<string> {
  return makeSlip({ seller, mode, code, plaintext, params: cheap, kioskX25519Public: kioskX25519.publicKey });
}

/** Every single-bit flip of a slip's bytes, as slip text. */
function* flips(text: string): Generator<[number, string]> {
  const bytes = b64uDecode(text.slice(5))!;
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    const b = Buffer.from(bytes);
    b[bit >> 3] ^= 1 << (bit & 7);
    yield [bit, slipText(b)];
  }
}

describe('makeSlip → checkSlip', () => {
  for (const mode of [0, 1] as const) {
    it(`mode ${mode}: opens with its code, and with no other code`, async () => {
      await fc.assert(
        fc.asyncProperty(digits(6, 16), digits(6, 16), plaintextArb, async (code, other, plaintext) => {
          fc.pre(other !== code);
          const text = await make(mode, code, plaintext);
          const ok = await checkSlip(text, { ...opts, code, expectTxn: plaintext.txn });
          expect(ok).toMatchObject({ ok: true, txn: plaintext.txn, plaintext });
          expect(parseSlip(text)?.mode).toBe(mode);
          expect(await checkSlip(text, { ...opts, code: other })).toMatchObject({ ok: false, reason: 'wrong-code' });
        }),
        { numRuns: 6 },
      );
    });
  }

  it('a slip addressed by makeSlip to one kiosk is wrong-kiosk elsewhere', async () => {
    const other = generateX25519();
    const text = await makeSlip({
      seller,
      mode: 1,
      code: '12345678',
      plaintext: { txn: 'X-1' },
      params: cheap,
      kioskX25519Public: other.publicKey,
    });
    expect(await checkSlip(text, { ...opts, code: '12345678' })).toMatchObject({ ok: false, reason: 'wrong-kiosk' });
  });

  it('makeSlip refuses what a kiosk would refuse, with a reason', async () => {
    const base = { seller, mode: 0 as const, code: '12345678', plaintext: { txn: 'A-1' }, params: cheap };
    await expect(makeSlip({ ...base, code: '1234' })).rejects.toThrow(/6-16 ASCII digits/);
    await expect(makeSlip({ ...base, params: { logN: 19, r: 8, p: 1 } })).rejects.toThrow(/out of bounds/);
    await expect(makeSlip({ ...base, plaintext: { txn: 'A 1' } })).rejects.toThrow(/txn/);
    await expect(makeSlip({ ...base, plaintext: { txn: 'A', pad: 'x'.repeat(240) } })).rejects.toThrow(/at most 240/);
    await expect(makeSlip({ ...base, mode: 1 })).rejects.toThrow(/kiosk X25519 public key/);
    await expect(makeSlip({ ...base, seller: { ...seller, id: 'shop a' } })).rejects.toThrow(/seller id/);
    await expect(makeSlip({ ...base, plaintext: { txn: 'A', due: { amount: 1.5, currency: 'EUR' } } })).rejects.toThrow(/due/);
  });

  it('the largest plaintext that fits gives a 256-byte ciphertext, and checks', async () => {
    const plaintext = { txn: 'A', pad: 'x'.repeat(240 - '{"txn":"A","pad":""}'.length) };
    const text = await make(0, '12345678', plaintext);
    expect(parseSlip(text)?.ciphertext.length).toBe(256);
    expect(await checkSlip(text, { ...opts, code: '12345678' })).toMatchObject({ ok: true, plaintext });
  });
});

describe('tampering', () => {
  const vectorSlips = ['mode0-ok', 'mode1-ok', 'seller-b-ok'].map((n) => slips.find((s) => s.name === n)!.slip);

  it('every single-bit flip of the valid vector slips is refused before any key derivation', async () => {
    let n = 0;
    for (const text of vectorSlips) {
      for (const [bit, flipped] of flips(text)) {
        const r = await checkSlip(flipped, { ...opts, code: '24681357' });
        if (r.ok) throw new Error(`bit ${bit} flipped still checks`);
        n++;
      }
    }
    expect(n).toBe((163 + 273 + 193) * 8);
    expect(scrypt.calls()).toBe(0); // the signature stops every one of them first
  });

  it('a random bit flip of a freshly made slip is refused (modes 0 and 1)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0 as const, 1 as const), plaintextArb, fc.nat(), async (mode, plaintext, pick) => {
        const text = await make(mode, '24681357', plaintext);
        const all = [...flips(text)];
        const [bit, flipped] = all[pick % all.length];
        const r = await checkSlip(flipped, { ...opts, code: '24681357' });
        if (r.ok) throw new Error(`bit ${bit} flipped still checks`);
      }),
      { numRuns: 10 },
    );
  });
});

describe('never throws', () => {
  const valid = slips.find((s) => s.name === 'mode1-ok')!.slip;
  const validBytes = b64uDecode(valid.slice(5))!;

  it('every truncation of a valid slip is malformed', async () => {
    for (let len = 0; len < valid.length; len++) {
      expect(await checkSlip(valid.slice(0, len), { ...opts, code: '24681357' })).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
    for (let len = 0; len < validBytes.length; len++) {
      expect(parseSlip(slipText(validBytes.subarray(0, len)))).toBeNull();
    }
  });

  it('parseSlip and checkSlip on arbitrary strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 700 }), fc.string({ unit: 'binary', maxLength: 300 })), async (s) => {
        expect(parseSlip(s)).toBeNull();
        const r = await checkSlip(s, { ...opts, code: '24681357', expectTxn: 'A' });
        expect(r).toEqual({ ok: false, reason: 'malformed', slip: null });
      }),
      { numRuns: 200 },
    );
  });

  it('checkSlip on PKS1. and arbitrary bytes, valid-looking headers and spliced tails', async () => {
    const header = validBytes.subarray(0, 3 + 6 + 4 + 16 + 3 + 16 + 36 + 12);
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.uint8Array({ maxLength: 400 }).map((tail) => Buffer.concat([header, tail])),
      fc.tuple(fc.nat({ max: validBytes.length }), fc.uint8Array({ maxLength: 80 }))
        .map(([cut, tail]) => Buffer.concat([validBytes.subarray(0, cut), tail]))
        .filter((b) => !b.equals(validBytes)), // the one splice that rebuilds the valid slip
    );
    await fc.assert(
      fc.asyncProperty(bytesArb, fc.option(digits(0, 20)), async (bytes, code) => {
        const text = slipText(bytes);
        const parsed = parseSlip(text);
        if (parsed !== null) expect(b64uEncode(parsed.bytes)).toBe(text.slice(5));
        const r = await checkSlip(text, { ...opts, code });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 400 },
    );
    expect(scrypt.calls()).toBe(0);
  });

  it('checkSlip with hostile options still resolves', async () => {
    const hostile = { trust: { keys: () => { throw new Error('boom'); } }, allowMode0: true, kioskX25519 };
    expect(await checkSlip(valid, hostile)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await checkSlip(undefined as unknown as string, opts)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
