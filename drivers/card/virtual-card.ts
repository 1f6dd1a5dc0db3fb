/**
 * The cards the simulators carry: an ISO 7816-4 card with a PIN and two EFs,
 * and an NTAG holding an NDEF Text record. Each is a pure APDU → response
 * machine; the vpcd simulator puts one behind a TCP socket, the in-process sim
 * calls it directly. They record what was written to them, for tests and for
 * GET /sim/state.
 */
import { SIM_CARD_ATR, SIM_NTAG_ATR } from './atr.js';
import type { CardKind } from './contract.js';
import { buildNtagMemory } from './ndef.js';

/** The slip file and the receipt file (slip.md, "Other media carrying a slip"). */
export const EF_SLIP = 0x5331;
export const EF_RECEIPT = 0x5332;

/** PIN tries a fresh card has. */
export const PIN_TRIES = 3;
/** Largest file the sim card holds. */
export const SIM_FILE_CAPACITY = 4096;

export interface VirtualCard {
  readonly kind: CardKind;
  readonly atr: Buffer;
  /** Answers one command APDU (never throws; a bad command gets a status word). */
  process(command: Buffer): Buffer;
  /** Power off or reset: security state is lost. */
  reset(): void;
  /** One line per command for tests: `VERIFY`, `READ BINARY 0 255`, … (never the PIN). */
  readonly log: string[];
}

export interface IsoCardSpec {
  pin: string;
  /** File id (hex, e.g. "5331") → contents. Strings are text; "hex:…" is bytes. */
  files?: Record<string, string | Buffer>;
  /** Tries left (default 3); 0 makes a blocked card. */
  triesLeft?: number;
}

function sw(code: number, data?: Buffer): Buffer {
  const tail = Buffer.from([code >> 8, code & 0xff]);
  return data && data.length ? Buffer.concat([data, tail]) : tail;
}

/** A short command APDU split into header, Lc data and Le; undefined when malformed. */
export interface ParsedCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Buffer;
  /** Expected length; 256 for Le = 0x00; undefined when absent. */
  le?: number;
}

export function parseCommand(c: Buffer): ParsedCommand | undefined {
  if (c.length < 4) return undefined;
  const head = { cla: c[0], ins: c[1], p1: c[2], p2: c[3] };
  if (c.length === 4) return { ...head, data: Buffer.alloc(0) };
  if (c.length === 5) return { ...head, data: Buffer.alloc(0), le: c[4] || 256 };
  const lc = c[4];
  if (lc === 0) return undefined; // extended length: not spoken here
  if (c.length === 5 + lc) return { ...head, data: c.subarray(5, 5 + lc) };
  if (c.length === 6 + lc) return { ...head, data: c.subarray(5, 5 + lc), le: c[5 + lc] || 256 };
  return undefined;
}

/** Text if every byte is printable ASCII, else `hex:…`: how GET /sim/state shows a file. */
export function fileToState(bytes: Buffer): string {
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return `hex:${bytes.toString('hex')}`;
  return bytes.toString('latin1');
}

/** The inverse of {@link fileToState}: `hex:…` is bytes, anything else UTF-8 text. */
export function fileFromState(value: string | Buffer): Buffer {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value.startsWith('hex:')) {
    const hex = value.slice(4);
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError('"hex:" file contents must be pairs of hex digits');
    return Buffer.from(hex, 'hex');
  }
  return Buffer.from(value, 'utf8');
}

export function parseFileId(key: string): number {
  if (!/^[0-9a-fA-F]{4}$/.test(key)) throw new RangeError(`file id "${key}" must be 4 hex digits, e.g. "5331"`);
  return parseInt(key, 16);
}

/**
 * An ISO 7816-4 card: VERIFY with a 3-try counter (63Cx, then 6983), SELECT
 * EF by id (P1 0x00 or 0x02), READ BINARY (ends with 6282 / 6B00), UPDATE
 * BINARY. Every EF needs a verified PIN; EF 5331 is read-only.
 */
export class VirtualIsoCard implements VirtualCard {
  readonly kind = 'iso7816';
  readonly atr = SIM_CARD_ATR;
  readonly log: string[] = [];
  private readonly pin: string;
  private tries: number;
  private verified = false;
  private current: number | undefined;
  private readonly efs = new Map<number, Buffer>();

  constructor(spec: IsoCardSpec) {
    if (!/^[0-9]{1,32}$/.test(spec.pin)) throw new RangeError('the sim card PIN must be 1–32 digits');
    this.pin = spec.pin;
    this.tries = Math.max(0, Math.min(PIN_TRIES, spec.triesLeft ?? PIN_TRIES));
    this.efs.set(EF_RECEIPT, Buffer.alloc(0));
    for (const [key, value] of Object.entries(spec.files ?? {})) {
      const bytes = fileFromState(value);
      if (bytes.length > SIM_FILE_CAPACITY) throw new RangeError(`file ${key} is larger than ${SIM_FILE_CAPACITY} bytes`);
      this.efs.set(parseFileId(key), bytes);
    }
  }

  get triesLeft(): number {
    return this.tries;
  }

  /** The contents of an EF (a copy). */
  file(fileId: number): Buffer | undefined {
    const f = this.efs.get(fileId);
    return f ? Buffer.from(f) : undefined;
  }

  /** Every EF, keyed "5331", in GET /sim/state form. */
  files(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, bytes] of [...this.efs].sort((a, b) => a[0] - b[0])) {
      out[id.toString(16).toUpperCase().padStart(4, '0')] = fileToState(bytes);
    }
    return out;
  }

  reset(): void {
    this.verified = false;
    this.current = undefined;
  }

  process(command: Buffer): Buffer {
    const c = parseCommand(command);
    if (!c) {
      this.log.push('MALFORMED');
      return sw(0x6700);
    }
    if (c.cla !== 0x00) {
      this.log.push(`CLA ${c.cla.toString(16)}`);
      return sw(0x6e00);
    }
    switch (c.ins) {
      case 0x20:
        this.log.push('VERIFY');
        return this.verify(c);
      case 0xa4:
        return this.select(c);
      case 0xb0:
        this.log.push(`READ BINARY ${(c.p1 << 8) | c.p2} ${c.le ?? 0}`);
        return this.readBinary(c);
      case 0xd6:
        this.log.push(`UPDATE BINARY ${(c.p1 << 8) | c.p2} ${c.data.length}`);
        return this.updateBinary(c);
      default:
        this.log.push(`INS ${c.ins.toString(16)}`);
        return sw(0x6d00);
    }
  }

  private verify(c: ParsedCommand): Buffer {
    if (c.p1 !== 0x00) return sw(0x6a86);
    if (c.p2 !== 0x01) return sw(0x6a88);
    if (this.tries === 0) return sw(0x6983);
    if (c.data.length === 0) return this.verified ? sw(0x9000) : sw(0x63c0 | this.tries);
    if (c.data.equals(Buffer.from(this.pin, 'ascii'))) {
      this.tries = PIN_TRIES;
      this.verified = true;
      return sw(0x9000);
    }
    this.verified = false;
    this.tries -= 1;
    return sw(0x63c0 | this.tries);
  }

  private select(c: ParsedCommand): Buffer {
    if (c.p1 === 0x04) {
      this.log.push('SELECT AID');
      return sw(0x6a82);
    }
    if ((c.p1 !== 0x00 && c.p1 !== 0x02) || c.data.length !== 2) {
      this.log.push('SELECT ?');
      return sw(0x6a86);
    }
    const id = c.data.readUInt16BE(0);
    this.log.push(`SELECT ${id.toString(16).toUpperCase().padStart(4, '0')}`);
    if (!this.efs.has(id)) return sw(0x6a82);
    this.current = id;
    return sw(0x9000);
  }

  private readBinary(c: ParsedCommand): Buffer {
    if (c.p1 & 0x80) return sw(0x6a81); // short EF ids are not supported
    if (this.current === undefined) return sw(0x6986);
    if (!this.verified) return sw(0x6982);
    const file = this.efs.get(this.current)!;
    const offset = (c.p1 << 8) | c.p2;
    const le = c.le ?? 256;
    if (offset >= file.length) return file.length === 0 && offset === 0 ? sw(0x6282) : sw(0x6b00);
    const data = file.subarray(offset, offset + le);
    return sw(data.length < le ? 0x6282 : 0x9000, data);
  }

  private updateBinary(c: ParsedCommand): Buffer {
    if (c.p1 & 0x80) return sw(0x6a81);
    if (this.current === undefined) return sw(0x6986);
    if (!this.verified || this.current === EF_SLIP) return sw(0x6982);
    if (c.data.length === 0) return sw(0x6700);
    const offset = (c.p1 << 8) | c.p2;
    const end = offset + c.data.length;
    if (end > SIM_FILE_CAPACITY) return sw(0x6a84);
    const file = this.efs.get(this.current)!;
    const next = Buffer.alloc(Math.max(end, file.length));
    file.copy(next);
    c.data.copy(next, offset);
    this.efs.set(this.current, next);
    return sw(0x9000);
  }
}

/**
 * An NTAG216 as a PC/SC reader presents it: READ BINARY FF B0 00 page Le
 * returns memory from that page (6282 when the memory ends first), GET DATA
 * FF CA 00 00 returns the UID.
 */
export class VirtualNtag implements VirtualCard {
  readonly kind = 'ntag';
  readonly atr = SIM_NTAG_ATR;
  readonly log: string[] = [];
  readonly memory: Buffer;

  constructor(readonly text: string) {
    this.memory = buildNtagMemory(text);
  }

  reset(): void {}

  process(command: Buffer): Buffer {
    const c = parseCommand(command);
    if (!c) {
      this.log.push('MALFORMED');
      return sw(0x6700);
    }
    if (c.cla !== 0xff) {
      this.log.push(`CLA ${c.cla.toString(16)}`);
      return sw(0x6e00);
    }
    if (c.ins === 0xca && c.p1 === 0x00) {
      this.log.push('GET UID');
      return sw(0x9000, Buffer.concat([this.memory.subarray(0, 3), this.memory.subarray(4, 8)]));
    }
    if (c.ins !== 0xb0) {
      this.log.push(`INS ${c.ins.toString(16)}`);
      return sw(0x6d00);
    }
    this.log.push(`READ PAGE ${c.p2} ${c.le ?? 0}`);
    if (c.p1 !== 0x00) return sw(0x6a82);
    const start = c.p2 * 4;
    const le = c.le ?? 16;
    if (start >= this.memory.length) return sw(0x6a82);
    const data = this.memory.subarray(start, start + le);
    return sw(data.length < le ? 0x6282 : 0x9000, data);
  }
}
