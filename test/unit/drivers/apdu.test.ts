import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_CHUNK,
  ntagRead,
  parseResponse,
  readBinary,
  readBinaryStep,
  selectFile,
  statusError,
  updateBinary,
  updateBinaryChunks,
  verify,
} from '../../../drivers/card/apdu.js';
import { SIM_CARD_ATR, SIM_NTAG_ATR, cardKindFromAtr } from '../../../drivers/card/atr.js';
import { CardError } from '../../../drivers/card/contract.js';
import { readFile, updateFile, verifyPin, type Transmit } from '../../../drivers/card/session.js';
import { VirtualIsoCard, parseCommand } from '../../../drivers/card/virtual-card.js';

const hex = (b: Buffer) => b.toString('hex').toUpperCase();

describe('command APDUs', () => {
  it('SELECT EF by id: 00 A4 02 0C 02 fid', () => {
    expect(hex(selectFile(0x5331))).toBe('00A4020C025331');
  });

  it('VERIFY P2=01 with the ASCII digits', () => {
    expect(hex(verify('482133'))).toBe('0020000106343832313333');
    expect(() => verify('12a4')).toThrow(RangeError);
    expect(() => verify('')).toThrow(RangeError);
  });

  it('READ BINARY puts the 15-bit offset in P1 P2 and Le ≤ 255', () => {
    expect(hex(readBinary(510, 255))).toBe('00B001FEFF');
    expect(() => readBinary(0, 256)).toThrow(RangeError);
    expect(() => readBinary(0x8000, 1)).toThrow(RangeError);
  });

  it('UPDATE BINARY chunks: 300 bytes go as 255 at 0 and 45 at 255', () => {
    const data = Buffer.alloc(300, 7);
    const chunks = updateBinaryChunks(data);
    expect(chunks.map((c) => hex(c.subarray(0, 5)))).toEqual(['00D60000FF', '00D600FF2D']);
    expect(Buffer.concat(chunks.map((c) => c.subarray(5))).equals(data)).toBe(true);
    expect(() => updateBinary(0, Buffer.alloc(256))).toThrow(RangeError);
  });

  it('NTAG READ through PC/SC: FF B0 00 page 10', () => {
    expect(hex(ntagRead(4))).toBe('FFB0000410');
  });
});

describe('status words', () => {
  const cases: [number, string | undefined, number | undefined][] = [
    [0x9000, undefined, undefined],
    [0x63c2, 'wrong-pin', 2],
    [0x63c0, 'wrong-pin', 0],
    [0x6983, 'blocked', undefined],
    [0x6982, 'security', undefined],
    [0x6a82, 'not-found', undefined],
    [0x6e00, 'unsupported', undefined],
    [0x6a86, 'failed', undefined],
  ];
  it.each(cases)('%s → %s', (sw, code, tries) => {
    const e = statusError(sw, 'TEST');
    expect(e?.code).toBe(code);
    expect(e?.triesLeft).toBe(tries);
    if (e) expect(e.sw).toBe(sw);
  });

  it('an unknown status word is named in hex', () => {
    expect(statusError(0x6a86, 'SELECT EF 5331')?.message).toContain('6A86');
  });

  it('a response shorter than SW1 SW2 does not parse', () => {
    expect(parseResponse(Buffer.from([0x90]))).toBeUndefined();
    expect(parseResponse(Buffer.from([1, 2, 0x90, 0x00]))).toEqual({ data: Buffer.from([1, 2]), sw: 0x9000 });
  });
});

describe('READ BINARY steps', () => {
  const r = (data: number[], sw: number) => Buffer.from([...data, sw >> 8, sw & 0xff]);
  it('all Le bytes with 9000: read on; fewer: done', () => {
    expect(readBinaryStep(r([1, 2, 3], 0x9000), 3, 'T')).toEqual({ action: 'append', data: Buffer.from([1, 2, 3]), more: true });
    expect(readBinaryStep(r([1, 2], 0x9000), 3, 'T')).toMatchObject({ action: 'append', more: false });
  });
  it('6282 takes the bytes and ends; 6B00 ends; 6Cxx asks again with Le = xx', () => {
    expect(readBinaryStep(r([9], 0x6282), 255, 'T')).toMatchObject({ action: 'append', more: false });
    expect(readBinaryStep(r([], 0x6b00), 255, 'T')).toEqual({ action: 'end' });
    expect(readBinaryStep(r([], 0x6c10), 255, 'T')).toEqual({ action: 'retry', le: 16 });
  });
  it('more bytes than asked, or a 6C that repeats Le, fails', () => {
    expect(readBinaryStep(r([1, 2, 3], 0x9000), 2, 'T').action).toBe('fail');
    expect(readBinaryStep(r([], 0x6cff), 255, 'T').action).toBe('fail');
    expect(readBinaryStep(Buffer.from([0x90]), 255, 'T').action).toBe('fail');
  });
});

describe('APDU sequences against a card that answers the other legal ways', () => {
  /** A T=0 card: every answer with data comes as 61xx first, fetched with GET RESPONSE. */
  function t0Card(card: VirtualIsoCard): Transmit {
    let waiting: Buffer | undefined;
    return async (cmd) => {
      const c = parseCommand(cmd);
      if (c?.ins === 0xc0 && waiting) {
        const out = waiting;
        waiting = undefined;
        return out;
      }
      const res = card.process(cmd);
      if (res.length > 2) {
        waiting = res;
        return Buffer.from([0x61, res.length - 2]);
      }
      return res;
    };
  }

  /** A card that refuses a Le past the end of the file with 6Cxx instead of 6282. */
  function strictLeCard(card: VirtualIsoCard): Transmit {
    return async (cmd) => {
      const res = card.process(cmd);
      const sw = res.readUInt16BE(res.length - 2);
      if (cmd[1] === 0xb0 && sw === 0x6282) return Buffer.from([0x6c, res.length - 2]);
      return res;
    };
  }

  const slip = 'PKS1.' + 'x'.repeat(600);

  it('collects 61xx answers with GET RESPONSE', async () => {
    const card = new VirtualIsoCard({ pin: '1234', files: { '5331': slip } });
    const tx = t0Card(card);
    await verifyPin(tx, '1234');
    expect((await readFile(tx, 0x5331)).toString()).toBe(slip);
  });

  it('retries a READ BINARY answered 6Cxx with the Le the card names', async () => {
    const card = new VirtualIsoCard({ pin: '1234', files: { '5331': slip } });
    const tx = strictLeCard(card);
    await verifyPin(tx, '1234');
    expect((await readFile(tx, 0x5331)).toString()).toBe(slip);
    expect(card.log.filter((l) => l.startsWith('READ BINARY'))).toEqual([
      'READ BINARY 0 255',
      'READ BINARY 255 255',
      'READ BINARY 510 255',
      'READ BINARY 510 95',
    ]);
  });

  it('refuses a file longer than the limit instead of reading forever', async () => {
    const card = new VirtualIsoCard({ pin: '1234', files: { '5331': 'y'.repeat(3000) } });
    const tx: Transmit = async (c) => card.process(c);
    await verifyPin(tx, '1234');
    await expect(readFile(tx, 0x5331, 1000)).rejects.toMatchObject({ code: 'failed', message: /longer than 1000 bytes/ });
  });

  it('UPDATE BINARY stops at the first refused chunk with its status', async () => {
    const card = new VirtualIsoCard({ pin: '1234' });
    const tx: Transmit = async (c) => card.process(c);
    await verifyPin(tx, '1234');
    await expect(updateFile(tx, 0x5331, Buffer.from('no'))).rejects.toMatchObject({ code: 'not-found' });
    await expect(updateFile(tx, 0x5332, Buffer.alloc(5000, 1))).rejects.toBeInstanceOf(CardError);
  });
});

describe('ATR', () => {
  it('the sim NTAG ATR is the one PC/SC readers report for an NTAG (TCK 68)', () => {
    expect(hex(SIM_NTAG_ATR)).toBe('3B8F8001804F0CA0000003060300030000000068');
    expect(cardKindFromAtr(SIM_NTAG_ATR)).toBe('ntag');
    expect(cardKindFromAtr(SIM_CARD_ATR)).toBe('iso7816');
  });
});

/** Bytes from a small PRNG (xorshift32): cheaper than per-byte arbitraries at 100,000 runs. */
function bytesFrom(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 8) & 0xff;
  }
  return out;
}

const SWS = [0x9000, 0x6282, 0x6b00, 0x6c10, 0x6c00, 0x63c1, 0x6983, 0x6982, 0x6a82, 0x6100, 0x61ff];

describe('fuzz: random and mutated response APDUs', () => {
  // Most fuzzed answers become CardErrors; capturing 100,000 stack traces would
  // cost seconds and tells nothing here.
  let limit: number;
  beforeAll(() => {
    limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = limit;
  });

  it('100,000 responses: parsing and status mapping never throw, and results stay within Le', () => {
    const responseArb = fc.oneof(
      // random bytes
      fc.tuple(fc.integer(), fc.nat({ max: 300 })).map(([s, n]) => bytesFrom(s, n)),
      // a valid response, then mutated: a byte flipped, cut, or joined with another
      fc
        .tuple(fc.integer(), fc.nat({ max: 260 }), fc.constantFrom(...SWS), fc.nat(), fc.integer({ min: 0, max: 3 }))
        .map(([s, n, sw, at, how]) => {
          const ok = Buffer.concat([bytesFrom(s, n), Buffer.from([sw >> 8, sw & 0xff])]);
          if (how === 0) return ok;
          if (how === 1) {
            ok[at % ok.length] ^= (at >>> 8) | 1;
            return ok;
          }
          if (how === 2) return ok.subarray(0, at % (ok.length + 1));
          return Buffer.concat([ok, bytesFrom(at, at % 7)]);
        }),
    );
    fc.assert(
      // plain booleans, not expect(): a hundred thousand expect() calls cost seconds
      fc.property(responseArb, fc.integer({ min: 1, max: MAX_CHUNK }), (raw, le) => {
        const r = parseResponse(raw);
        if (raw.length < 2) {
          if (r !== undefined) return false;
        } else {
          const e = statusError(r!.sw, 'FUZZ');
          if ((r!.sw === 0x9000) !== (e === undefined)) return false;
        }
        const step = readBinaryStep(raw, le, 'FUZZ');
        switch (step.action) {
          case 'append':
            return step.data.length <= le;
          case 'retry':
            return step.le >= 1 && step.le <= MAX_CHUNK && step.le !== le;
          case 'fail':
            return step.error instanceof CardError;
          case 'end':
            return r?.sw === 0x6b00;
        }
      }),
      { numRuns: 100_000 },
    );
  }, 120_000);

  it('the sim card answers 20,000 random commands with a status word and never throws', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat({ max: 270 }), (s, n) => {
        const card = new VirtualIsoCard({ pin: '1234', files: { '5331': 'PKS1.abc' } });
        const cmd = bytesFrom(s, n);
        if (n > 0 && s & 1) cmd[0] = 0x00; // reach the instruction handlers half the time
        return card.process(cmd).length >= 2;
      }),
      { numRuns: 20_000 },
    );
  }, 120_000);
});
