import fc from 'fast-check';
import { Cu16Decoder, type Cu16Event, type DecoderOptions } from '../../../drivers/locks/cu16-codec.js';

/** Feeds `bytes` to a stream decoder in pieces cut at `cuts`; every event it gave, in order. */
export function pushInPieces<E>(d: { push(chunk: Uint8Array): E[] }, bytes: Uint8Array, cuts: number[] = []): E[] {
  const out: E[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= from || cut >= bytes.length) continue;
    out.push(...d.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...d.push(bytes.subarray(from)));
  return out;
}

/** Decodes `bytes` fed in pieces cut at `cuts`, with a decoder made with `options`. */
export function decodeAll(bytes: Uint8Array, cuts: number[] = [], options: DecoderOptions = {}): Cu16Event[] {
  return pushInPieces(new Cu16Decoder(options), bytes, cuts);
}

/** A valid frame mutated: a byte flipped, cut short, or left alone. */
export function mutated(arbFrame: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    arbFrame,
    fc.tuple(arbFrame, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([f, i, x]) => {
      const b = Buffer.from(f);
      b[i % b.length] ^= x;
      return b;
    }),
    fc.tuple(arbFrame, fc.nat()).map(([f, n]) => f.subarray(0, n % f.length)),
  );
}

export const arbGarbage = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
