/**
 * The CU48 frame decoder under 100,000 random and mutated streams: it never
 * throws, a clean stream decodes whole however it is chunked, and a valid
 * frame after any junk or broken frame is found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated, pushInPieces } from '../unit/drivers/cu-codec-support.js';
import { CU48_CMD, Cu48Decoder, encodeCu48Reply, encodeCu48Status, encodeCu48Unlock, hooksToData, type Cu48Event } from '../../drivers/locks/cu48-codec.js';

function decodeAll(bytes: Uint8Array, cuts: number[] = []): Cu48Event[] {
  return pushInPieces(new Cu48Decoder(), bytes, cuts);
}

const frames = (evs: Cu48Event[]): Cu48Event[] => evs.filter((e) => e.type === 'reply' || e.type === 'request');

const arbBoard = fc.integer({ min: 0, max: 255 });
const arbLock = fc.integer({ min: 1, max: 48 });
const arbHooks = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const arbReply = fc.oneof(
  fc.record({ board: arbBoard, hooks: arbHooks }).map((r) => ({ board: r.board, lock: 1, data: hooksToData(r.hooks) })),
  fc.record({ board: arbBoard, lock: arbLock }).map((r) => ({ ...r, data: Buffer.alloc(0) })),
).map((r) => ({ ...r, bytes: encodeCu48Reply(r.board, r.lock, r.data) }));
const arbRequest = fc.oneof(arbBoard.map((b) => encodeCu48Status(b)), fc.tuple(arbBoard, arbLock).map(([b, l]) => encodeCu48Unlock(b, l)));
const arbFrame = fc.oneof(arbReply.map((r) => r.bytes), arbRequest);
const arbMutated = mutated(arbFrame);
const arbJunk = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
const arbCuts = fc.array(fc.nat({ max: 120 }), { maxLength: 8 });

describe('CU48 codec: 100,000 random and mutated streams', () => {
  it('never throws on random bytes in random chunks, and decodes a valid reply fed after them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), arbCuts, arbReply, (bytes, cuts, r) => {
        const d = new Cu48Decoder();
        let from = 0;
        for (const cut of [...cuts, bytes.length].sort((a, b) => a - b)) {
          d.push(bytes.subarray(from, Math.max(from, cut)));
          from = Math.max(from, cut);
        }
        const evs = frames(d.push(r.bytes));
        expect(evs.at(-1)).toEqual({ type: 'reply', reply: { board: r.board, lock: r.lock, data: r.data } });
      }),
      { numRuns: 25_000 },
    );
  });

  it('decodes every frame of a clean stream, in order, however it is chunked', () => {
    fc.assert(
      fc.property(fc.array(arbFrame, { minLength: 1, maxLength: 6 }), arbCuts, (fs, cuts) => {
        const evs = decodeAll(Buffer.concat(fs), cuts);
        const kindOk = (e: Cu48Event): boolean => e.type === 'reply' || e.type === 'request';
        const cmdOk = (e: Cu48Event, i: number): boolean => (e.type === 'request' ? fs[i][3] === e.request.cmd : fs[i][3] === CU48_CMD.reply);
        const board = (e: Cu48Event): number => (e.type === 'reply' ? e.reply.board : e.type === 'request' ? e.request.board : -1);
        // expect() only to report a failure: called 250,000 times it cost most of the test's time.
        if (evs.length === fs.length && evs.every((e, i) => kindOk(e) && cmdOk(e, i) && fs[i][1] === board(e))) return;
        expect(evs).toHaveLength(fs.length);
        evs.forEach((e, i) => {
          expect(kindOk(e)).toBe(true);
          expect(cmdOk(e, i)).toBe(true);
          expect(fs[i][1]).toBe(board(e));
        });
      }),
      { numRuns: 25_000 },
    );
  });

  it('mutated frames with junk between never throw, and every frame decoded is a whole frame with a good SUM', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbJunk, arbMutated), { maxLength: 5 }), arbCuts, (parts, cuts) => {
        const stream = Buffer.concat(parts.flatMap(([g, f]) => [g, f]));
        for (const e of frames(decodeAll(stream, cuts))) {
          const re = e.type === 'reply' ? encodeCu48Reply(e.reply.board, e.reply.lock, e.reply.data) : e.type === 'request' && e.request.cmd === CU48_CMD.unlock ? encodeCu48Unlock(e.request.board, e.request.lock) : e.type === 'request' ? Buffer.from([0x02, e.request.board, e.request.lock - 1, 0x60, 0x03]) : Buffer.alloc(0);
          expect(stream.includes(re)).toBe(true);
        }
      }),
      { numRuns: 25_000 },
    );
  });

  it('resyncs: the last of several valid replies after junk and a broken frame is decoded, however it is chunked', () => {
    fc.assert(
      fc.property(arbJunk, arbMutated, arbReply, arbReply, arbCuts, (g, m, a, r, cuts) => {
        const evs = frames(decodeAll(Buffer.concat([m, g, a.bytes, r.bytes]), cuts));
        // A CU48 reply has an 8-bit SUM and no end byte: a broken frame's header can take the
        // replies behind it as its DATA and, once in 256 times, end on a byte that passes as its
        // SUM — a "phantom" reply made of parts of several. Only then may the last reply be lost.
        const sent = [m, g, a.bytes, r.bytes];
        const phantom = evs.some((e) => e.type === 'reply' && !sent.some((b) => b.includes(encodeCu48Reply(e.reply.board, e.reply.lock, e.reply.data))));
        if (phantom) return;
        expect(evs.at(-1)).toEqual({ type: 'reply', reply: { board: r.board, lock: r.lock, data: r.data } });
      }),
      { numRuns: 25_000 },
    );
  });
});
