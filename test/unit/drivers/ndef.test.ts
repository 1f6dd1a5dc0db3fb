import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildNtagMemory,
  buildTextMessage,
  buildTlvArea,
  decodeTextPayload,
  findNdefMessage,
  firstTextRecord,
  textFromTlvArea,
} from '../../../drivers/card/ndef.js';
import { readNdefText, type Transmit } from '../../../drivers/card/session.js';
import { VirtualNtag } from '../../../drivers/card/virtual-card.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('NDEF Text records', () => {
  it('builds the standard short record for "hello" in English', () => {
    expect(buildTextMessage('hello').toString('hex')).toBe('d101085402656e68656c6c6f');
    expect(buildTlvArea(buildTextMessage('hello')).toString('hex')).toBe('030cd101085402656e68656c6c6ffe');
  });

  it('round-trips a slip longer than 255 bytes (long record, 3-byte TLV length)', () => {
    const text = 'PKS1.' + 'A'.repeat(700);
    const area = buildTlvArea(buildTextMessage(text));
    expect(area[1]).toBe(0xff);
    expect(textFromTlvArea(area)).toEqual({ ok: true, text, lang: 'en' });
  });

  it('decodes UTF-8 text with non-ASCII characters', () => {
    expect(textFromTlvArea(buildTlvArea(buildTextMessage('Grüße 受取', 'de')))).toEqual({ ok: true, text: 'Grüße 受取', lang: 'de' });
  });

  it('decodes UTF-16 text, big-endian by default and little-endian after a BOM', () => {
    expect(decodeTextPayload(h('82 6a61 0048 0069'))).toEqual({ ok: true, text: 'Hi', lang: 'ja' });
    expect(decodeTextPayload(h('80 fffe 4800 6900'))).toEqual({ ok: true, text: 'Hi', lang: '' });
    expect(decodeTextPayload(h('80 00'))).toMatchObject({ ok: false });
  });

  it('skips NULL, lock control and memory control TLVs before the NDEF message', () => {
    const area = Buffer.concat([h('00 00 01 03 a0 0c 44 02 03 00 10 44'), buildTlvArea(buildTextMessage('PKS1.x'))]);
    expect(textFromTlvArea(area)).toMatchObject({ ok: true, text: 'PKS1.x' });
  });

  it('finds the first Text record after other records', () => {
    const uri = h('91 01 05 55 04 61 2e 6a 70'); // MB, SR, 'U' https://a.jp
    const text = buildTextMessage('PKS1.y');
    text[0] = 0x51; // ME, SR, TNF 1 (not MB)
    expect(firstTextRecord(Buffer.concat([uri, text]))).toMatchObject({ ok: true, text: 'PKS1.y' });
  });

  it('says why when there is nothing to read', () => {
    expect(textFromTlvArea(h('fe'))).toEqual({ ok: false, reason: 'the tag holds no NDEF message' });
    expect(firstTextRecord(h('d1 01 05 55 04 61 2e 6a 70'))).toEqual({ ok: false, reason: 'the NDEF message has no Text record' });
    expect(firstTextRecord(h('d1 01 04 54 02 65 6e ff'))).toEqual({ ok: false, reason: 'Text record is not valid UTF-8' });
    expect(firstTextRecord(h('d1 01 09 54 02 65 6e'))).toMatchObject({ ok: false, reason: expect.stringMatching(/runs past/) });
    expect(decodeTextPayload(h('02 65 6e c3 28'))).toEqual({ ok: false, reason: 'Text record is not valid UTF-8' });
  });

  it('asks for more bytes when a TLV runs past what was read', () => {
    const area = buildTlvArea(buildTextMessage('PKS1.' + 'z'.repeat(40)));
    expect(findNdefMessage(area.subarray(0, 16))).toEqual({ ok: false, needMore: true, needed: area.length - 1 });
    expect(findNdefMessage(h('03'))).toEqual({ ok: false, needMore: true, needed: 2 });
    expect(findNdefMessage(h('03 ff 01'))).toEqual({ ok: false, needMore: true, needed: 4 });
  });

  it('an NTAG216 image carries the capability container and the TLV at page 4', () => {
    const mem = buildNtagMemory('PKS1.abc');
    expect(mem.length).toBe(231 * 4);
    expect(mem.subarray(12, 16).toString('hex')).toBe('e1106d00');
    expect(textFromTlvArea(mem.subarray(16))).toMatchObject({ ok: true, text: 'PKS1.abc' });
  });

  it('readNdefText reads 16 bytes at a time and stops once the message is complete', async () => {
    const tag = new VirtualNtag('PKS1.' + 'q'.repeat(100));
    const tx: Transmit = async (c) => tag.process(c);
    expect(await readNdefText(tx)).toBe('PKS1.' + 'q'.repeat(100));
    // TLV area: 4 header + 3 + 2 + 105 + terminator → 114 bytes → 8 reads of 16
    expect(tag.log).toEqual([4, 8, 12, 16, 20, 24, 28, 32].map((p) => `READ PAGE ${p} 16`));
  });

  it('readNdefText rejects with a reason when the tag memory ends inside the message', async () => {
    const tag = new VirtualNtag('PKS1.x');
    tag.memory[17] = 0xff; // NDEF TLV length → 3-byte form claiming more than the tag holds
    tag.memory[18] = 0x7f;
    tag.memory[19] = 0xff;
    const tx: Transmit = async (c) => tag.process(c);
    await expect(readNdefText(tx)).rejects.toMatchObject({ code: 'failed', message: /runs past/ });
  });
});

/** Bytes from a small PRNG (xorshift32): cheaper than per-byte arbitraries at 100,000 runs. */
function bytesFrom(seed: number, length: number, bias = false): Buffer {
  const out = Buffer.alloc(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = x >>> 0;
    // with bias, one byte in four is a TLV type or a record header, so real structure turns up
    out[i] = bias && (r & 3) === 0 ? [0x00, 0x03, 0xfe, 0xff, 0xd1, 0x54][(r >>> 4) % 6] : (r >>> 8) & 0xff;
  }
  return out;
}

const textArb = fc.string({ maxLength: 300 });

describe('fuzz: random and mutated NDEF blobs', () => {
  it('100,000 TLV areas (random, or valid with bytes flipped, cut or joined): never throw', () => {
    const blobArb = fc.oneof(
      fc.tuple(fc.integer(), fc.nat({ max: 400 })).map(([s, n]) => bytesFrom(s, n, true)),
      fc.tuple(fc.integer(), fc.integer({ min: 0, max: 3 }), fc.nat()).map(([s, how, at]) => {
        const area = buildTlvArea(buildTextMessage(bytesFrom(s, s & 0x3f).toString('latin1')));
        if (how === 0) {
          area[at % area.length] ^= (at >>> 8) | 1;
          return area;
        }
        if (how === 1) return area.subarray(0, at % (area.length + 1));
        if (how === 2) return Buffer.concat([area, bytesFrom(at, at % 40, true)]);
        return Buffer.concat([bytesFrom(at, at % 40, true), area]);
      }),
    );
    fc.assert(
      fc.property(blobArb, (blob) => {
        const r = textFromTlvArea(blob);
        const t = findNdefMessage(blob);
        if (t.ok) firstTextRecord(t.message);
        else if (t.needMore && !(t.needed > 0)) return false;
        return r.ok ? typeof r.text === 'string' : r.reason.length > 0;
      }),
      { numRuns: 100_000 },
    );
  }, 120_000);

  it('a Text record after any run of foreign TLVs is still found (resync over junk TLVs)', () => {
    const junkTlv = fc
      .tuple(fc.integer({ min: 0x04, max: 0xfd }), fc.integer(), fc.nat({ max: 40 }))
      .map(([type, s, n]) => Buffer.concat([Buffer.from([type, n]), bytesFrom(s, n)]));
    fc.assert(
      fc.property(fc.array(fc.oneof(junkTlv, fc.constant(Buffer.from([0x00]))), { maxLength: 8 }), textArb, (junk, text) => {
        const r = textFromTlvArea(Buffer.concat([...junk, buildTlvArea(buildTextMessage(text))]));
        return r.ok && r.text === text;
      }),
      { numRuns: 20_000 },
    );
  }, 120_000);
});
