import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  b64uDecode,
  b64uEncode,
  isCode,
  isId,
  isRfc3339,
  isTxn,
  parseRfc3339,
  txnDigits,
  uuidv7,
} from '../../../src/domain/index.js';

describe('base64url', () => {
  it('encodes without padding in the url alphabet', () => {
    expect(b64uEncode(Buffer.from([0xfb, 0xff]))).toBe('-_8');
    expect(b64uEncode(new Uint8Array(0))).toBe('');
    // a view into a larger buffer encodes only its own bytes
    const big = Buffer.from([1, 2, 3, 4, 5]);
    expect(b64uEncode(big.subarray(1, 3))).toBe(b64uEncode(Buffer.from([2, 3])));
  });

  it('decodes canonical text and refuses every other spelling', () => {
    expect(b64uDecode('-_8')).toEqual(Buffer.from([0xfb, 0xff]));
    expect(b64uDecode('')).toEqual(Buffer.alloc(0));
    expect(b64uDecode('-_8=')).toBeNull(); // padding
    expect(b64uDecode('+/8')).toBeNull(); // standard alphabet
    expect(b64uDecode('-_ 8')).toBeNull(); // white space
    expect(b64uDecode('-_8\n')).toBeNull();
    expect(b64uDecode('-_9')).toBeNull(); // unused low bits set
    expect(b64uDecode('AAAAA')).toBeNull(); // a lone sixth of a byte
    expect(b64uDecode('AB')).toBeNull(); // 'B' leaves bits in the unused part
    expect(b64uDecode('AA')).toEqual(Buffer.from([0]));
  });

  it('round-trips any bytes, and whatever decodes re-encodes to itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(b64uDecode(b64uEncode(bytes))).toEqual(Buffer.from(bytes));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQgw_-=+/ \nZz09'.split('')), maxLength: 40 }), (text) => {
        const out = b64uDecode(text);
        if (out !== null) expect(b64uEncode(out)).toBe(text);
      }),
    );
  });
});

describe('ids, txns and codes', () => {
  it('isId: 1-64 of [A-Za-z0-9._-]', () => {
    expect(isId('kiosk-1')).toBe(true);
    expect(isId('a.B_9-z')).toBe(true);
    expect(isId('x'.repeat(64))).toBe(true);
    expect(isId('x'.repeat(65))).toBe(false);
    expect(isId('')).toBe(false);
    expect(isId('shop a')).toBe(false);
    expect(isId('shop/a')).toBe(false);
    expect(isId('shöp')).toBe(false);
  });

  it('isTxn: 1-64 printable ASCII without space', () => {
    expect(isTxn('T-2026-11-1')).toBe(true);
    expect(isTxn('!~')).toBe(true);
    expect(isTxn('T 1')).toBe(false);
    expect(isTxn('')).toBe(false);
    expect(isTxn('x'.repeat(65))).toBe(false);
    expect(isTxn('T\u00e91')).toBe(false);
    expect(isTxn('T\x7f')).toBe(false);
  });

  it('txnDigits keeps the digits in order', () => {
    expect(txnDigits('T-2026-11-1')).toBe('2026111');
    expect(txnDigits('B-77')).toBe('77');
    expect(txnDigits('ABC')).toBe('');
  });

  it('isCode: 6-16 ASCII digits only', () => {
    expect(isCode('000000')).toBe(true);
    expect(isCode('9876543210123456')).toBe(true);
    expect(isCode('12345')).toBe(false);
    expect(isCode('12345678901234567')).toBe(false);
    expect(isCode('2468135a')).toBe(false);
    expect(isCode('１２３４５６')).toBe(false); // full-width digits
    expect(isCode('123456\n')).toBe(false);
  });

  it('isRfc3339 accepts real times and refuses impossible ones', () => {
    expect(isRfc3339('2026-12-01T00:00:00Z')).toBe(true);
    expect(isRfc3339('2026-12-01T09:30:00.123+09:00')).toBe(true);
    expect(isRfc3339('2028-02-29T00:00:00Z')).toBe(true);
    expect(isRfc3339('2026-02-29T00:00:00Z')).toBe(false);
    expect(isRfc3339('2026-13-01T00:00:00Z')).toBe(false);
    expect(isRfc3339('2026-12-01T24:00:00Z')).toBe(false);
    expect(isRfc3339('2026-12-01 00:00:00Z')).toBe(false);
    expect(isRfc3339('2026-12-01T00:00:00')).toBe(false);
    expect(isRfc3339('tomorrow')).toBe(false);
    expect(parseRfc3339('2026-12-01T09:00:00+09:00')).toBe(Date.parse('2026-12-01T00:00:00Z'));
    expect(parseRfc3339('nope')).toBeNull();
  });

  it('uuidv7 carries the time, version 7 and the RFC variant', () => {
    const at = Date.parse('2026-11-21T09:30:00Z');
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    expect(uuidv7(at)).not.toBe(id);
    expect(isId(id)).toBe(true);
  });
});
