import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { arbGarbage, decodeAll as decodeWith, mutated } from './cu-codec-support.js';
import { describe, expect, it } from 'vitest';
import {
  BROADCAST_ADDRESS,
  describeVersion,
  encodeBusStatus,
  encodeCu12Reply,
  encodeCu12Request,
  encodeVersionReply,
  encodeVersionRequest,
  isBusStatus,
} from '../../../drivers/locks/cu12-codec.js';
import { CU16_CMD, Cu16Decoder, type Cu16Event } from '../../../drivers/locks/cu16-codec.js';

const CU12 = { busReplies: true, versionFrames: true } as const;

const decodeAll = (bytes: Uint8Array, cuts: number[] = []): Cu16Event[] => decodeWith(bytes, cuts, CU12);

const frames = (evs: Cu16Event[]): Cu16Event[] => evs.filter((e) => e.type !== 'garbage' && e.type !== 'checksum');

const arbReply = fc
  .record({ board: fc.integer({ min: 0, max: 15 }), lock: fc.integer({ min: 1, max: 12 }), hooks: fc.integer({ min: 0, max: 0xfff }), items: fc.integer({ min: 0, max: 0xfff }), bus: fc.boolean() })
  .map((r) => ({ ...r, bytes: encodeCu12Reply(r.board, r.lock, r.hooks, r.items, r.bus) }));
const arbRequest = fc
  .record({ board: fc.integer({ min: 0, max: 15 }), lock: fc.integer({ min: 1, max: 12 }), cmd: fc.constantFrom(CU16_CMD.status, CU16_CMD.unlock) })
  .map((r) => encodeCu12Request(r.board, r.lock, r.cmd));
const arbVersion = fc.oneof(
  fc.integer({ min: 0, max: 15 }).map((b) => encodeVersionRequest(b)),
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([b, s, h]) => encodeVersionReply(b, s, h)),
);
const arbFrame = fc.oneof(arbReply.map((r) => r.bytes), arbRequest, arbVersion, fc.constant(encodeBusStatus()));
const arbMutated = mutated(arbFrame);

describe('CU12 codec: exact bytes', () => {
  it('the bus-wide status request is 02 F0 32 03 27, and it is recognised as such', () => {
    expect(encodeBusStatus().toString('hex')).toBe('02f0320327');
    const [ev] = decodeAll(encodeBusStatus());
    expect(ev.type === 'request' && isBusStatus(ev.request)).toBe(true);
    expect(BROADCAST_ADDRESS).toBe(0xf0);
  });

  it('status and unlock requests address lock 1-12 and refuse 13', () => {
    expect(encodeCu12Request(1, 12, CU16_CMD.unlock).toString('hex')).toBe('021b310351');
    expect(encodeCu12Request(0, 1, CU16_CMD.status).toString('hex')).toBe('0200300335');
    expect(() => encodeCu12Request(0, 13, CU16_CMD.unlock)).toThrow(RangeError);
  });

  it('a bus reply (36) carries hooks and infrared item bits and is marked bus', () => {
    const b = encodeCu12Reply(2, 1, 0x0801, 0x0004, true);
    // SUM = 02+20+36+01+08+04+00+03 = 0x68
    expect(b.toString('hex')).toBe('0220360108040003' + '68');
    expect(decodeAll(b)).toEqual([{ type: 'reply', reply: { board: 2, lock: 1, hooks: 0x0801, sensors: 0x0004, bus: true } }]);
    // A CU16 decoder does not take a 36 reply for a frame.
    expect(new Cu16Decoder().push(b).some((e) => e.type === 'reply')).toBe(false);
  });

  it('version query F5 B6 ADDR 00 5F SUM and its reply', () => {
    expect(encodeVersionRequest(3).toString('hex')).toBe('f5b603005f' + '0d');
    const r = encodeVersionReply(3, 0x12, 0x03);
    expect(r.toString('hex')).toBe('f5b60302' + '1203' + '5f' + '24');
    expect(decodeAll(Buffer.concat([encodeVersionRequest(3), r]))).toEqual([
      { type: 'version-request', board: 3 },
      { type: 'version', reply: { board: 3, data: Buffer.from([0x12, 0x03]) } },
    ]);
    expect(describeVersion(Buffer.from([0x12, 0x03]))).toBe('software 0x12, hardware 0x03');
    expect(describeVersion(Buffer.alloc(0))).toBe('unknown (no data)');
  });

  it('a version frame with a bad SUM is reported and the next frame still decodes', () => {
    const bad = encodeVersionReply(1, 1, 1);
    bad[bad.length - 1] ^= 0xff;
    const evs = decodeAll(Buffer.concat([bad, encodeCu12Reply(1, 1, 0, 1)]));
    expect(evs.map((e) => e.type)).toEqual(['checksum', 'reply']);
  });
});

describe('CU12 codec: 100,000 random and mutated streams', () => {
  it('never throws on random bytes in random chunks, and decodes a valid frame fed after them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat({ max: 64 }), { maxLength: 6 }), (bytes, cuts) => {
        const d = new Cu16Decoder(CU12);
        let from = 0;
        for (const cut of [...cuts, bytes.length].sort((a, b) => a - b)) {
          d.push(bytes.subarray(from, Math.max(from, cut)));
          from = Math.max(from, cut);
        }
        // A version frame held from the junk can span 22 bytes: three replies are past it.
        const tail = encodeCu12Reply(5, 1, 0x123, 0x321, true);
        const evs = d.push(Buffer.concat([tail, tail, tail]));
        const want = { type: 'reply', reply: { board: 5, lock: 1, hooks: 0x123, sensors: 0x321, bus: true } };
        if (!isDeepStrictEqual(frames(evs).at(-1), want)) expect(frames(evs).at(-1)).toEqual(want);
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);

  it('decodes every valid frame of a clean stream, however it is chunked', () => {
    fc.assert(
      fc.property(fc.array(arbFrame, { minLength: 1, maxLength: 6 }), fc.array(fc.nat({ max: 80 }), { maxLength: 8 }), (fs, cuts) => {
        const evs = decodeAll(Buffer.concat(fs), cuts);
        if (evs.length !== fs.length) expect(evs).toHaveLength(fs.length);
        if (!evs.every((e) => e.type !== 'garbage' && e.type !== 'checksum')) expect(evs.map((e) => e.type)).toEqual(fs.map(() => 'a frame'));
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);

  it('mutated frames (flipped, cut, joined, garbage between) never throw and chunking does not change the result', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbGarbage, arbMutated), { maxLength: 5 }), fc.array(fc.nat({ max: 150 }), { maxLength: 8 }), (parts, cuts) => {
        const stream = Buffer.concat(parts.flatMap(([g, f]) => [g, f]));
        const strip = (evs: Cu16Event[]): Cu16Event[] => evs.filter((e) => e.type !== 'garbage');
        const [chunked, whole] = [strip(decodeAll(stream, cuts)), strip(decodeAll(stream))];
        if (!isDeepStrictEqual(chunked, whole)) expect(chunked).toEqual(whole);
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);

  it('resyncs: the last of several valid frames after any junk is decoded', () => {
    fc.assert(
      fc.property(arbGarbage, arbMutated, arbReply, arbReply, arbReply, fc.array(fc.nat({ max: 80 }), { maxLength: 5 }), (g, m, a, b, r, cuts) => {
        const evs = frames(decodeAll(Buffer.concat([m, g, a.bytes, b.bytes, r.bytes]), cuts));
        const want = { type: 'reply', reply: { board: r.board, lock: r.lock, hooks: r.hooks, sensors: r.items, ...(r.bus ? { bus: true } : {}) } };
        if (!isDeepStrictEqual(evs.at(-1), want)) expect(evs.at(-1)).toEqual(want);
      }),
      { numRuns: 25_000 },
    );
  }, 120_000);
});
