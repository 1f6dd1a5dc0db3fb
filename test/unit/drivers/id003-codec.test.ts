import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16Kermit, encodeFrame, Id003Decoder, SYNC, type Id003Event } from '../../../drivers/cash/id003-codec.js';

/** Bytes from xorshift32; one byte in eight is SYNC, so false frame starts turn up often. */
function bytesFrom(seed: number, length: number, syncs = true): Buffer {
  const out = Buffer.alloc(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = x >>> 0;
    const b = (r >>> 8) & 0xff;
    out[i] = syncs && (r & 7) === 0 ? SYNC : !syncs && b === SYNC ? 0x00 : b;
  }
  return out;
}

function frames(events: Id003Event[]): string[] {
  return events.flatMap((e) => (e.type === 'frame' ? [`${e.frame.cmd}:${e.frame.data.toString('hex')}`] : []));
}

describe('ID-003 codec', () => {
  it('CRC-16/KERMIT has its check value, and a status request is the documented FC 05 11 27 56', () => {
    expect(crc16Kermit(Buffer.from('123456789'))).toBe(0x2189);
    expect(encodeFrame(0x11).toString('hex')).toBe('fc05112756');
  });

  it('finds a frame after garbage and a frame with a bad CRC, reporting both', () => {
    const good = encodeFrame(0x13, Buffer.from([0x63]));
    const bad = encodeFrame(0x11);
    bad[4] ^= 1;
    const d = new Id003Decoder();
    const ev = d.push(Buffer.concat([Buffer.from([0x00, 0x13]), bad, good]));
    expect(ev.map((e) => e.type)).toEqual(['garbage', 'checksum', 'frame']);
    expect(frames(ev)).toEqual(['19:63']);
  });

  it('fuzz: 100,000 lines of frames split anywhere between garbage without SYNC decode to exactly those frames', () => {
    const frameArb = fc.record({ cmd: fc.nat({ max: 255 }), seed: fc.integer(), len: fc.nat({ max: 12 }) });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(frameArb, fc.integer(), fc.nat({ max: 6 })), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (parts, cuts) => {
          const want: string[] = [];
          const bytes: Buffer[] = [];
          for (const [f, junkSeed, junkLen] of parts) {
            const data = bytesFrom(f.seed, f.len);
            want.push(`${f.cmd}:${data.toString('hex')}`);
            bytes.push(bytesFrom(junkSeed, junkLen, false), encodeFrame(f.cmd, data));
          }
          const line = Buffer.concat(bytes);
          const points = [...new Set(cuts.map((c) => c % (line.length + 1)))].sort((a, b) => a - b);
          const d = new Id003Decoder();
          const got: Id003Event[] = [];
          let at = 0;
          for (const p of [...points, line.length]) {
            got.push(...d.push(line.subarray(at, p)));
            at = p;
          }
          if (!isDeepStrictEqual(frames(got), want)) expect(frames(got)).toEqual(want); // deep-equal only to report a failure
        },
      ),
      { numRuns: 100_000 },
    );
  }, 120_000);

  it('fuzz: arbitrary bytes never throw, every frame found is really in them, and after a reset a valid frame decodes', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat({ max: 300 }), (seed, n) => {
        const d = new Id003Decoder();
        const input = bytesFrom(seed, n);
        for (const e of d.push(input)) {
          if (e.type === 'frame' && !input.includes(encodeFrame(e.frame.cmd, e.frame.data))) expect(e.frame).toBe('a frame found in the input');
        }
        d.reset(); // what a reply timeout does
        const after = frames(d.push(encodeFrame(0x50)));
        if (after.length !== 1 || after[0] !== '80:') expect(after).toEqual(['80:']);
      }),
      { numRuns: 20_000 },
    );
  }, 120_000);
});
