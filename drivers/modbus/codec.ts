/**
 * Modbus RTU frame codec: the few functions lock and relay boards need.
 *
 *   UNIT FN DATA… CRCL CRCH        CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), low byte first
 *
 * Requests (host → board): 0x01 read coils, 0x02 read discrete inputs,
 * 0x05 write single coil — all `UNIT FN ADDR(2) VALUE(2) CRC`, 8 bytes.
 * Replies: 0x01/0x02 `UNIT FN N DATA(N) CRC`; 0x05 echoes the request;
 * an exception is `UNIT FN|0x80 CODE CRC`. See docs/drivers/modbus.md.
 *
 * Modbus RTU delimits frames by line silence, which a serial port does not
 * report; the length is known from the function code instead. Pure, never
 * throws on input; resyncs on garbage by trying the next byte as a frame start.
 */
import { SkippedBytes } from '../serial/skipped.js';

export const FN = { readCoils: 0x01, readInputs: 0x02, writeCoil: 0x05 } as const;
export type ModbusFn = (typeof FN)[keyof typeof FN];

/** Write-single-coil values. Waveshare boards also read the address's high byte: 0x02 flash on, 0x04 flash off. */
export const COIL_ON = 0xff00;
export const COIL_OFF = 0x0000;
export const WAVESHARE_FLASH_ON = 0x0200;
export const WAVESHARE_FLASH_OFF = 0x0400;

export interface ModbusRequest {
  unit: number;
  fn: ModbusFn;
  /** Start address (read) or coil address (write, with Waveshare's flash high byte). */
  address: number;
  /** Quantity (read) or value (write). */
  value: number;
}

export type ModbusReply =
  | { unit: number; fn: typeof FN.readCoils | typeof FN.readInputs; bits: Buffer }
  | { unit: number; fn: typeof FN.writeCoil; address: number; value: number }
  | { unit: number; fn: 'exception'; of: number; code: number };

export type ModbusEvent<F> = { type: 'frame'; frame: F } | { type: 'checksum' | 'garbage'; bytes: Buffer };

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-16/MODBUS of `bytes[0..end)` (check value of "123456789" is 0x4B37). */
export function crc16Modbus(bytes: Uint8Array, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = 0; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]) & 0xff];
  return crc;
}

function withCrc(body: number[]): Buffer {
  const b = Buffer.alloc(body.length + 2);
  body.forEach((v, i) => (b[i] = v));
  const crc = crc16Modbus(b, body.length);
  b[body.length] = crc & 0xff;
  b[body.length + 1] = crc >> 8;
  return b;
}

function u16(v: number, what: string): [number, number] {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`Modbus ${what} ${v} is outside 0-65535`);
  return [v >> 8, v & 0xff];
}

function unitByte(unit: number): number {
  if (!Number.isInteger(unit) || unit < 0 || unit > 247) throw new RangeError(`Modbus unit ${unit} is outside 0-247`);
  return unit;
}

export function encodeRequest(r: ModbusRequest): Buffer {
  return withCrc([unitByte(r.unit), r.fn, ...u16(r.address, 'address'), ...u16(r.value, 'value')]);
}

export function encodeReply(r: ModbusReply): Buffer {
  if (r.fn === 'exception') return withCrc([unitByte(r.unit), (r.of | 0x80) & 0xff, r.code & 0xff]);
  if (r.fn === FN.writeCoil) return withCrc([unitByte(r.unit), r.fn, ...u16(r.address, 'address'), ...u16(r.value, 'value')]);
  if (r.bits.length > 250) throw new RangeError('Modbus reply data over 250 bytes');
  return withCrc([unitByte(r.unit), r.fn, r.bits.length, ...r.bits]);
}

/** Bit `i` (0-based) of a read-coils/inputs reply. */
export function bitAt(bits: Buffer, i: number): boolean | null {
  const byte = bits[i >> 3];
  return byte === undefined ? null : ((byte >> (i & 7)) & 1) === 1;
}

/** Packs booleans LSB first, as Modbus does. */
export function packBits(values: boolean[]): Buffer {
  const b = Buffer.alloc(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v) b[i >> 3] |= 1 << (i & 7);
  });
  return b;
}

/** Length of the frame starting at `buf[i]`, 0 when no frame can start there, -1 when more bytes are needed. */
type Sizer = (buf: Buffer, i: number) => number;

const replyLength: Sizer = (buf, i) => {
  if (buf.length - i < 3) return -1;
  const fn = buf[i + 1];
  if (fn === FN.readCoils || fn === FN.readInputs) return buf[i + 2] === 0 ? 0 : 5 + buf[i + 2];
  if (fn === FN.writeCoil) return 8;
  if (fn === (FN.readCoils | 0x80) || fn === (FN.readInputs | 0x80) || fn === (FN.writeCoil | 0x80)) return 5;
  return 0;
};

const requestLength: Sizer = (buf, i) => {
  if (buf.length - i < 2) return -1;
  const fn = buf[i + 1];
  return fn === FN.readCoils || fn === FN.readInputs || fn === FN.writeCoil ? 8 : 0;
};

class Decoder<F> {
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly size: Sizer,
    private readonly parse: (frame: Buffer) => F,
  ) {}

  push(chunk: Uint8Array): Array<ModbusEvent<F>> {
    const events: Array<ModbusEvent<F>> = [];
    const buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    let i = 0;
    const junk = new SkippedBytes(buf, events);
    while (i < buf.length) {
      const len = this.size(buf, i);
      if (len === 0) {
        junk.skip(i);
        i++;
        continue;
      }
      if (len > 0 && buf.length - i >= len && this.valid(buf, i, len)) {
        junk.flush(i);
        events.push({ type: 'frame', frame: this.parse(Buffer.from(buf.subarray(i, i + len))) });
        i += len;
        continue;
      }
      // Not a whole valid frame here (yet). With no silence to delimit frames, a
      // junk byte can look like a start: a valid frame further on wins.
      const next = this.nextValid(buf, i + 1);
      if (next > 0) {
        junk.skip(i);
        i = next;
        continue;
      }
      if (len < 0 || buf.length - i < len) break; // wait for the rest
      junk.flush(i);
      events.push({ type: 'checksum', bytes: Buffer.from(buf.subarray(i, i + len)) });
      junk.reported(i + len);
      i++;
    }
    junk.flush(i);
    this.buf = Buffer.from(buf.subarray(i));
    return events;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }

  private valid(buf: Buffer, i: number, len: number): boolean {
    const crc = crc16Modbus(buf.subarray(i, i + len), len - 2);
    return (crc & 0xff) === buf[i + len - 2] && crc >> 8 === buf[i + len - 1];
  }

  /** The start of the first whole valid frame at or after `from`, or -1. */
  private nextValid(buf: Buffer, from: number): number {
    for (let j = from; j < buf.length; j++) {
      const len = this.size(buf, j);
      if (len > 0 && buf.length - j >= len && this.valid(buf, j, len)) return j;
    }
    return -1;
  }
}

/** Host side: decodes replies. */
export class ModbusReplyDecoder extends Decoder<ModbusReply> {
  constructor() {
    super(replyLength, (f) => {
      const unit = f[0];
      const fn = f[1];
      if (fn & 0x80) return { unit, fn: 'exception', of: fn & 0x7f, code: f[2] };
      if (fn === FN.writeCoil) return { unit, fn, address: f.readUInt16BE(2), value: f.readUInt16BE(4) };
      return { unit, fn: fn as typeof FN.readCoils | typeof FN.readInputs, bits: Buffer.from(f.subarray(3, f.length - 2)) };
    });
  }
}

/** Board side (the simulator): decodes requests. */
export class ModbusRequestDecoder extends Decoder<ModbusRequest> {
  constructor() {
    super(requestLength, (f) => ({ unit: f[0], fn: f[1] as ModbusFn, address: f.readUInt16BE(2), value: f.readUInt16BE(4) }));
  }
}
