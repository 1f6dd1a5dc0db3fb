import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  DEFAULT_ADDRESS,
  encodePacket,
  MAX_PAYLOAD,
  PACKET_OVERHEAD,
  R30xDecoder,
  type DecodeEvent,
  type PacketKind,
  type R30xPacket,
} from '../../../drivers/fingerprint/r30x-codec.js';

const MAX_PACKET = PACKET_OVERHEAD + MAX_PAYLOAD;

/**
 * Bytes from a small PRNG (xorshift32) instead of fast-check's per-byte arrays,
 * which keeps 100,000 runs to seconds. One byte in four is a header byte
 * (EF or 01), so false headers turn up often.
 */
function bytesFrom(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = x >>> 0;
    out[i] = (r & 7) === 0 ? 0xef : (r & 7) === 1 ? 0x01 : (r >>> 8) & 0xff;
  }
  return out;
}

const noiseArb = (maxLength: number): fc.Arbitrary<Buffer> =>
  fc.tuple(fc.integer(), fc.nat({ max: maxLength })).map(([seed, n]) => bytesFrom(seed, n));

const packetArb: fc.Arbitrary<R30xPacket> = fc
  .record({
    address: fc.oneof(fc.constant(DEFAULT_ADDRESS), fc.nat({ max: 0xffffffff })),
    kind: fc.constantFrom<PacketKind>('command', 'data', 'ack', 'end'),
    length: fc.oneof(fc.nat({ max: 8 }), fc.integer({ min: 120, max: MAX_PAYLOAD })),
    seed: fc.integer(),
  })
  .map(({ address, kind, length, seed }) => ({ address, kind, payload: bytesFrom(seed, length) }));

/** A piece of a line: a whole packet, or a packet damaged in one of the ways a line damages it, or noise. */
type Piece = { intact: true; packet: R30xPacket; bytes: Buffer } | { intact: false; bytes: Buffer };

const pieceArb: fc.Arbitrary<Piece> = fc.oneof(
  packetArb.map((packet): Piece => ({ intact: true, packet, bytes: encodePacket(packet) })),
  // a byte flipped
  fc.tuple(packetArb, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([p, at, mask]): Piece => {
    const bytes = encodePacket(p);
    bytes[at % bytes.length] ^= mask;
    return { intact: false, bytes };
  }),
  // cut short
  fc.tuple(packetArb, fc.nat()).map(([p, n]): Piece => {
    const bytes = encodePacket(p);
    return { intact: false, bytes: bytes.subarray(0, n % bytes.length) };
  }),
  // noise, sometimes with header bytes in it
  noiseArb(40).map((bytes): Piece => ({ intact: false, bytes })),
  fc.constant<Piece>({ intact: false, bytes: Buffer.from([0xef, 0x01]) }),
);

/** Cuts `data` into chunks at the given points, as a serial port delivers it. */
function chunk(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    out.push(data.subarray(at, p));
    at = p;
  }
  out.push(data.subarray(at));
  return out;
}

function feed(d: R30xDecoder, chunks: Buffer[]): DecodeEvent[] {
  const events: DecodeEvent[] = [];
  for (const c of chunks) {
    events.push(...d.push(c));
    // Never holds more than one packet's worth while waiting for the rest.
    if (d.buffered > MAX_PACKET) throw new Error(`decoder holds ${d.buffered} bytes`);
  }
  events.push(...d.flush());
  if (d.buffered !== 0) throw new Error(`decoder holds ${d.buffered} bytes after flush`);
  return events;
}

const decoded = (events: DecodeEvent[]): R30xPacket[] => events.flatMap((e) => (e.type === 'packet' ? [e.packet] : []));

/** True when `sub` appears in `all` in order (not necessarily next to each other). */
function isSubsequence(sub: Buffer[], all: Buffer[]): boolean {
  let i = 0;
  for (const b of all) if (i < sub.length && b.equals(sub[i])) i++;
  return i === sub.length;
}

describe('r30x decoder under fuzz (fast-check)', () => {
  it('never throws and never holds more than one packet on 100,000 random byte streams', () => {
    fc.assert(
      fc.property(noiseArb(600), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const events = feed(new R30xDecoder(), chunk(bytes, cuts));
        // Every byte is accounted for: dropped as garbage, or part of a packet or a bad one.
        return events.every((e) => e.type !== 'garbage' || e.bytes > 0);
      }),
      { numRuns: 100_000 },
    );
  }, 120_000);

  it('decodes every whole packet among 100,000 mixes of whole, flipped, cut and noise pieces, however chunked', () => {
    fc.assert(
      fc.property(
        fc.array(pieceArb, { minLength: 1, maxLength: 6 }),
        packetArb,
        fc.array(fc.nat(), { maxLength: 6 }),
        (pieces, last, cuts) => {
          // Always end with a whole packet after the damage: it must come through (resync).
          const all: Piece[] = [...pieces, { intact: true, packet: last, bytes: encodePacket(last) }];
          const stream = Buffer.concat(all.map((p) => p.bytes));
          const got = decoded(feed(new R30xDecoder(), chunk(stream, cuts))).map(encodePacket);
          const whole = all.flatMap((p) => (p.intact ? [p.bytes] : []));
          // A damaged piece can run into the next packet and, once in 65,536 times, pass the
          // checksum with the bytes it took: a "phantom" packet made of parts of two. Only
          // then may a whole packet behind it be lost; that is what a 16-bit sum allows.
          const phantom = got.some((g) => !all.some((p) => p.bytes.equals(g)));
          return phantom || isSubsequence(whole, got);
        },
      ),
      { numRuns: 100_000 },
    );
  }, 120_000);

  it('decodes packets behind pure noise byte-exactly and in order', () => {
    fc.assert(
      fc.property(
        noiseArb(300),
        fc.array(packetArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (noise, list, cuts) => {
          const wire = list.map(encodePacket);
          const got = decoded(feed(new R30xDecoder(), chunk(Buffer.concat([noise, ...wire]), cuts))).map(encodePacket);
          // As above, a false header in the noise may, once in 65,536, pass the checksum with
          // bytes of the first packet; only then may that packet be lost.
          const phantom = got.some((g) => !wire.some((w) => w.equals(g)) && !noise.includes(g));
          const tail = got.slice(-wire.length);
          return phantom || (tail.length === wire.length && tail.every((g, i) => g.equals(wire[i])));
        },
      ),
      { numRuns: 20_000 },
    );
  }, 120_000);
});
