import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { arbGarbage, decodeAll, mutated } from './cu-codec-support.js';
import { describe, expect, it } from 'vitest';
import {
  CU16_CMD,
  Cu16Decoder,
  checksum,
  encodeReply,
  encodeRequest,
  type Cu16Event,
  type Cu16RequestCmd,
} from '../../../drivers/locks/cu16-codec.js';

const frames = (evs: Cu16Event[]): Cu16Event[] => evs.filter((e) => e.type === 'reply' || e.type === 'request');

const arbReply = fc
  .record({ board: fc.integer({ min: 0, max: 15 }), lock: fc.integer({ min: 1, max: 16 }), hooks: fc.integer({ min: 0, max: 0xffff }), sensors: fc.integer({ min: 0, max: 0xffff }) })
  .map((r) => ({ ...r, bytes: encodeReply(r.board, r.lock, r.hooks, r.sensors) }));
const arbCmd = fc.constantFrom<Cu16RequestCmd>(CU16_CMD.status, CU16_CMD.unlock, CU16_CMD.boardStatus);
const arbRequest = fc
  .record({ board: fc.integer({ min: 0, max: 15 }), lock: fc.integer({ min: 1, max: 16 }), cmd: arbCmd })
  .map((r) => ({ ...r, bytes: encodeRequest(r.board, r.lock, r.cmd) }));
const arbFrame = fc.oneof(arbReply.map((r) => r.bytes), arbRequest.map((r) => r.bytes));

const arbMutated = mutated(arbFrame);

describe('CU16 codec: exact bytes', () => {
  it('encodes requests as 02 ADDR CMD 03 SUM with ADDR = board << 4 | lock - 1', () => {
    expect(encodeRequest(0, 1, CU16_CMD.status).toString('hex')).toBe('0200300335');
    expect(encodeRequest(0, 3, CU16_CMD.unlock).toString('hex')).toBe('0202310338');
    expect(encodeRequest(1, 16, CU16_CMD.unlock).toString('hex')).toBe('021f310355');
    expect(encodeRequest(2, 1, CU16_CMD.boardStatus).toString('hex')).toBe('0220320357');
  });

  it('encodes and decodes a reply: hooks and sensors little-endian by lock', () => {
    const b = encodeReply(1, 1, 0x8001, 0x0102);
    // SUM = 02+10+35+01+80+02+01+03 = 0xce
    expect(b.toString('hex')).toBe('02103501800201' + '03' + 'ce');
    expect(checksum(b, 8)).toBe(0xce);
    expect(decodeAll(b)).toEqual([{ type: 'reply', reply: { board: 1, lock: 1, hooks: 0x8001, sensors: 0x0102 } }]);
  });

  it('rejects out-of-range addresses when encoding (a config error, not device input)', () => {
    expect(() => encodeRequest(16, 1, CU16_CMD.unlock)).toThrow(RangeError);
    expect(() => encodeRequest(0, 17, CU16_CMD.unlock)).toThrow(RangeError);
  });

  it('reports a bad checksum once and still decodes the next frame', () => {
    const bad = encodeReply(0, 1, 0xffff, 0);
    bad[8] ^= 0x01;
    const good = encodeReply(0, 1, 0x0000, 0x0001);
    const evs = decodeAll(Buffer.concat([bad, good]));
    expect(evs.map((e) => e.type)).toEqual(['checksum', 'reply']);
  });

  it('holds a half frame until the rest comes', () => {
    const f = encodeRequest(3, 4, CU16_CMD.unlock);
    const d = new Cu16Decoder();
    expect(d.push(f.subarray(0, 2))).toEqual([]);
    expect(d.push(f.subarray(2))).toEqual([{ type: 'request', request: { board: 3, lock: 4, cmd: CU16_CMD.unlock } }]);
  });

  it('skips garbage, including fake STX bytes, and reports it', () => {
    const good = encodeRequest(0, 2, CU16_CMD.status);
    const evs = decodeAll(Buffer.concat([Buffer.from([0xff, 0x02, 0x99, 0x02, 0x35, 0x00]), good]));
    expect(evs.at(-1)).toEqual({ type: 'request', request: { board: 0, lock: 2, cmd: CU16_CMD.status } });
    expect(evs.some((e) => e.type === 'garbage')).toBe(true);
  });
});

describe('CU16 codec: 100,000 random and mutated streams', () => {
  it('never throws on random bytes in random chunks, and decodes a valid frame fed after them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat({ max: 64 }), { maxLength: 6 }), (bytes, cuts) => {
        const d = new Cu16Decoder();
        let from = 0;
        for (const cut of [...cuts, bytes.length].sort((a, b) => a - b)) {
          d.push(bytes.subarray(from, Math.max(from, cut)));
          from = Math.max(from, cut);
        }
        // Whatever was fed, a valid frame after it is decoded once the partial is resolved.
        const tail = encodeReply(5, 1, 0x1234, 0x4321);
        const evs = d.push(Buffer.concat([tail, tail]));
        const want = { type: 'reply', reply: { board: 5, lock: 1, hooks: 0x1234, sensors: 0x4321 } };
        if (!isDeepStrictEqual(frames(evs).at(-1), want)) expect(frames(evs).at(-1)).toEqual(want);
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);

  it('decodes every valid frame of a clean stream, however it is chunked', () => {
    fc.assert(
      fc.property(fc.array(arbFrame, { minLength: 1, maxLength: 6 }), fc.array(fc.nat({ max: 60 }), { maxLength: 8 }), (fs, cuts) => {
        const evs = decodeAll(Buffer.concat(fs), cuts);
        if (evs.length !== fs.length) expect(evs).toHaveLength(fs.length);
        if (!evs.every((e) => e.type === 'reply' || e.type === 'request')) expect(evs.map((e) => e.type)).toEqual(fs.map(() => 'reply or request'));
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);

  it('mutated frames (flipped, cut, joined, garbage between) never throw and chunking does not change the result', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbGarbage, arbMutated), { maxLength: 5 }), fc.array(fc.nat({ max: 150 }), { maxLength: 8 }), (parts, cuts) => {
        const stream = Buffer.concat(parts.flatMap(([g, f]) => [g, f]));
        const whole = decodeAll(stream);
        const chunked = decodeAll(stream, cuts);
        // Garbage may be reported in different pieces; frames and checksum reports must match exactly.
        const strip = (evs: Cu16Event[]): Cu16Event[] => evs.filter((e) => e.type !== 'garbage');
        if (!isDeepStrictEqual(strip(chunked), strip(whole))) expect(strip(chunked)).toEqual(strip(whole));
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);

  it('resyncs: a valid frame after garbage is decoded (and the one before it too when no STX is in the last 8 garbage bytes)', () => {
    fc.assert(
      fc.property(arbGarbage, arbMutated, arbReply, arbRequest, fc.array(fc.nat({ max: 80 }), { maxLength: 5 }), (g, m, r, q, cuts) => {
        const junk = Buffer.concat([m, g]);
        const evs = frames(decodeAll(Buffer.concat([junk, r.bytes, q.bytes]), cuts));
        const last = { type: 'request', request: { board: q.board, lock: q.lock, cmd: q.cmd } };
        if (!isDeepStrictEqual(evs.at(-1), last)) expect(evs.at(-1)).toEqual(last);
        if (!junk.subarray(-8).includes(0x02)) {
          const before = { type: 'reply', reply: { board: r.board, lock: r.lock, hooks: r.hooks, sensors: r.sensors } };
          if (!isDeepStrictEqual(evs.at(-2), before)) expect(evs.at(-2)).toEqual(before);
        }
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);
});
