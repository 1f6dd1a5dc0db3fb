import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HID_POS_REPORT_BYTES,
  HidPosAssembler,
  encodeHidPosReports,
  parseHidPosReport,
} from '../../../drivers/scanner/hid-report.js';
import type { ScanRead } from '../../../drivers/scanner/contract.js';

const SLIP = 'PKS1.' + 'AQAGc2hvcC1h3-1OcgJoaZM2e-HGHtvm_fQZsnkOCAFWQnP-zxgYys374UZNrA'.repeat(5).slice(0, 295);

function feed(asm: HidPosAssembler, reports: Uint8Array[], at = 0): ScanRead[] {
  const out: ScanRead[] = [];
  reports.forEach((r, i) => {
    const read = asm.push(r, at + i);
    if (read) out.push(read);
  });
  return out;
}

describe('HID POS report codec', () => {
  it('encodes a short read as one 64-byte report 2: length, AIM, data, no "more"', () => {
    const [r, ...rest] = encodeHidPosReports(Buffer.from('T-2026-11-1'), ']C0');
    expect(rest).toEqual([]);
    expect(r.length).toBe(HID_POS_REPORT_BYTES);
    expect([...r.subarray(0, 5)]).toEqual([2, 11, 0x5d, 0x43, 0x30]);
    expect(r.subarray(5, 16).toString()).toBe('T-2026-11-1');
    expect(r[63]).toBe(0);
    const parsed = parseHidPosReport(r);
    expect(parsed && { ...parsed, data: Buffer.from(parsed.data).toString() }).toEqual({ aim: ']C0', data: 'T-2026-11-1', more: false });
  });

  it('reassembles a 300-character slip sent over six reports', () => {
    const reports = encodeHidPosReports(Buffer.from(SLIP), ']Q1');
    expect(reports.length).toBe(6);
    expect(reports.slice(0, 5).every((r) => r[63] === 1)).toBe(true);
    const asm = new HidPosAssembler();
    expect(feed(asm, reports)).toEqual([{ text: SLIP, symbology: ']Q1' }]);
  });

  it('skips garbage between the parts of a read without losing it', () => {
    const reports = encodeHidPosReports(Buffer.from(SLIP), ']d1');
    const garbage = [
      Buffer.from([4, 1, 2, 3]), // another report ID
      Buffer.from([2, 1]), // too short
      Buffer.from([2, 57, 0x5d, 0x64, 0x31, ...Buffer.alloc(59)]), // length past 56
      Buffer.from([2, 40, 0x5d, 0x64, 0x31, 1, 2]), // length past the bytes there
      new Uint8Array(0),
    ];
    const mixed = reports.flatMap((r, i) => [r, garbage[i % garbage.length]]);
    expect(feed(new HidPosAssembler(), mixed)).toEqual([{ text: SLIP, symbology: ']d1' }]);
  });

  it('drops a read whose next part never comes, then reads the next one', () => {
    const asm = new HidPosAssembler({ staleMs: 250 });
    const first = encodeHidPosReports(Buffer.from(SLIP), ']Q1');
    expect(feed(asm, first.slice(0, 2), 0)).toEqual([]);
    expect(feed(asm, encodeHidPosReports(Buffer.from('ABC'), ']Q1'), 1000)).toEqual([{ text: 'ABC', symbology: ']Q1' }]);
  });

  it('starts over when the AIM id changes mid-read', () => {
    const asm = new HidPosAssembler();
    const first = encodeHidPosReports(Buffer.from(SLIP), ']Q1');
    expect(feed(asm, [first[0], ...encodeHidPosReports(Buffer.from('XYZ'), ']C0')])).toEqual([{ text: 'XYZ', symbology: ']C0' }]);
  });

  it('strips the line ending, and an AIM prefix the scanner put into the data', () => {
    const asm = new HidPosAssembler();
    expect(feed(asm, encodeHidPosReports(Buffer.from(']Q1PKS1.abc\r\n'), null))).toEqual([{ text: 'PKS1.abc', symbology: ']Q1' }]);
    expect(feed(asm, encodeHidPosReports(Buffer.from('12345\r'), ']E0'))).toEqual([{ text: '12345', symbology: ']E0' }]);
    expect(feed(asm, encodeHidPosReports(Buffer.from('plain'), null))).toEqual([{ text: 'plain', symbology: null }]);
    expect(feed(asm, encodeHidPosReports(Buffer.from('\r\n'), ']Q1'))).toEqual([]);
  });

  it('drops a read that grows past maxBytes, and reads the next one', () => {
    const asm = new HidPosAssembler({ maxBytes: 100 });
    expect(feed(asm, encodeHidPosReports(Buffer.from(SLIP), ']Q1'))).toEqual([]);
    expect(feed(asm, encodeHidPosReports(Buffer.from('ok'), ']Q1'))).toEqual([{ text: 'ok', symbology: ']Q1' }]);
  });

  it('never throws on 100,000 random reports, and whatever it returns is a non-empty read', () => {
    const report = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 80 }),
      // biased towards report 2 with plausible lengths, where the bugs would be
      fc.tuple(fc.integer({ min: 0, max: 70 }), fc.uint8Array({ minLength: 0, maxLength: 70 }), fc.boolean())
        .map(([len, body, more]) => {
          const r = new Uint8Array(Math.max(2, body.length + 2));
          r[0] = 2;
          r[1] = len;
          r.set(body.subarray(0, r.length - 2), 2);
          if (r.length > 63) r[63] = more ? 1 : 0;
          return r;
        }),
    );
    fc.assert(
      fc.property(fc.array(report, { minLength: 50, maxLength: 50 }), fc.integer({ min: 0, max: 500 }), (reports, gap) => {
        const asm = new HidPosAssembler({ maxBytes: 512 });
        reports.forEach((r, i) => {
          const read = asm.push(r, i * gap);
          if (read !== null && (typeof read.text !== 'string' || read.text.length === 0)) throw new Error('empty read');
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('resyncs: valid reads survive mutated reads and garbage between them (100,000 reports)', () => {
    const text = fc.string({ minLength: 1, maxLength: 300, size: 'max', unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789-_.') });
    const mutate = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'join'));
    let reportsFed = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, fc.constantFrom(']Q1', ']d1', ']C0'), fc.option(mutate, { nil: null }), fc.uint8Array({ maxLength: 64 })), { minLength: 10, maxLength: 10 }),
        (reads) => {
          const asm = new HidPosAssembler();
          let now = 0;
          for (const [t, aim, mutation, garbage] of reads) {
            let reports = encodeHidPosReports(Buffer.from(t), aim);
            if (mutation) {
              const [at, byte, how] = mutation;
              const i = at % reports.length;
              const r = Buffer.from(reports[i]);
              if (how === 'flip') r[at % r.length] ^= byte | 1;
              reports = reports.map((x, j) => (j === i ? (how === 'cut' ? r.subarray(0, at % r.length) : r) : x));
              if (how === 'join') reports = [Buffer.concat(reports)];
            }
            const got: ScanRead[] = [];
            for (const r of [garbage, ...reports]) {
              reportsFed++;
              const read = asm.push(r, now++);
              if (read) got.push(read);
            }
            // Reads are a person's scan apart; reports of one read, milliseconds.
            now += 1000;
            if (!mutation && (garbage[0] !== 2 || garbage.length < 5)) expect(got).toEqual([{ text: t, symbology: aim }]);
          }
        },
      ),
      { numRuns: 3200 },
    );
    expect(reportsFed).toBeGreaterThanOrEqual(100_000);
  });
});
