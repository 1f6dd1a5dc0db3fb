import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineDecoder, type LineEvent } from '../../../drivers/serial/lines.js';

function feed(d: LineDecoder, bytes: Uint8Array, cuts: number[]): LineEvent[] {
  const out: LineEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length].sort((a, b) => a - b)) {
    if (cut <= from) continue;
    out.push(...d.push(bytes.subarray(from, Math.min(cut, bytes.length))));
    from = Math.min(cut, bytes.length);
  }
  return out;
}
const sig = (evs: LineEvent[]): string => evs.map((e) => (e.type === 'line' ? e.line.toString('hex') : `!${e.dropped}`)).join('|');
const lines = (evs: LineEvent[]): string[] => evs.flatMap((e) => (e.type === 'line' ? [e.line.toString('latin1')] : []));

describe('line codec', () => {
  it('splits on CR, LF and CRLF, skipping empty lines', () => {
    const d = new LineDecoder();
    expect(lines(d.push(Buffer.from('a\rb\nc\r\nd\n\n\re')))).toEqual(['a', 'b', 'c', 'd']);
    expect(lines(d.flush())).toEqual(['e']);
  });

  it('treats a CRLF split across chunks as one ending', () => {
    const d = new LineDecoder();
    expect(lines(d.push(Buffer.from('abc\r')))).toEqual(['abc']);
    expect(lines(d.push(Buffer.from('\ndef\r')))).toEqual(['def']);
    expect(d.pending).toBe(0);
  });

  it('drops an overlong line up to its ending and trusts the next one', () => {
    const d = new LineDecoder({ maxLength: 4 });
    const evs = [...d.push(Buffer.from('12')), ...d.push(Buffer.from('345678')), ...d.push(Buffer.from('9\nok\n'))];
    expect(evs).toEqual([{ type: 'overflow', dropped: 9 }, { type: 'line', line: Buffer.from('ok') }]);
  });

  it('keeps a line of exactly maxLength', () => {
    const d = new LineDecoder({ maxLength: 4 });
    expect(lines(d.push(Buffer.from('1234\r')))).toEqual(['1234']);
  });

  it('50,000 random streams: never throws, chunking never changes the lines, lines never hold an ending or exceed the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(0x0d, 0x0a), fc.integer({ min: 0, max: 255 })), { maxLength: 80 }),
        fc.array(fc.nat({ max: 80 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 20 }),
        (arr, cuts, max) => {
          const bytes = Uint8Array.from(arr);
          const whole = feed(new LineDecoder({ maxLength: max }), bytes, []);
          const chunked = feed(new LineDecoder({ maxLength: max }), bytes, cuts);
          if (sig(chunked) !== sig(whole)) throw new Error(`chunking changed the result: ${sig(chunked)} vs ${sig(whole)}`);
          for (const e of whole) {
            if (e.type !== 'line') continue;
            if (e.line.length === 0 || e.line.length > max) throw new Error(`line of ${e.line.length} bytes (limit ${max})`);
            if (e.line.includes(0x0d) || e.line.includes(0x0a)) throw new Error('a line holds its ending');
          }
        },
      ),
      { numRuns: 50_000 },
    );
  }, 120_000);

  it('50,000 junk prefixes: a valid line after any junk and an ending is decoded intact', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.string({ unit: fc.constantFrom(...'0123456789ABCxyz#*'), minLength: 1, maxLength: 16 }), fc.array(fc.nat({ max: 90 }), { maxLength: 5 }), (junk, text, cuts) => {
        const stream = Buffer.concat([Buffer.from(junk), Buffer.from(`\n${text}\r\n`)]);
        const evs = feed(new LineDecoder({ maxLength: 32 }), stream, cuts);
        if (lines(evs).at(-1) !== text) throw new Error(`lost ${text} after junk ${Buffer.from(junk).toString('hex')}`);
      }),
      { numRuns: 50_000 },
    );
  }, 120_000);
});
