/**
 * Frame codec for JCM ID-003 bill validators (9600 8E1).
 *
 *   SYNC LNG CMD [DATA…] CRCL CRCH
 *
 * SYNC = 0xFC; LNG = the whole frame's length (5-255); CMD is the command
 * (host → validator) or the status (validator → host); CRC-16/KERMIT
 * (poly 0x1021 reflected, init 0) over SYNC…DATA, low byte first.
 * See docs/drivers/cash.md.
 *
 * Pure: no I/O, never throws on input; resyncs on garbage by rescanning from
 * the next SYNC, so a valid frame after any junk is still found.
 */
import { SkippedBytes } from '../serial/skipped.js';

export const SYNC = 0xfc;
export const MIN_LENGTH = 5;
export const MAX_LENGTH = 255;

/** Host → validator. */
export const CMD = {
  status: 0x11,
  reset: 0x40,
  stack1: 0x41,
  stack2: 0x42,
  return: 0x43,
  hold: 0x44,
  wait: 0x45,
  ack: 0x50,
  setDenomination: 0xc0,
  setSecurity: 0xc1,
  setCommunicationMode: 0xc2,
  setInhibit: 0xc3,
  setDirection: 0xc4,
  setOptionalFunction: 0xc5,
  version: 0x88,
} as const;

/** Validator → host. */
export const STATUS = {
  idling: 0x11,
  accepting: 0x12,
  escrow: 0x13,
  stacking: 0x14,
  vendValid: 0x15,
  stacked: 0x16,
  rejecting: 0x17,
  returning: 0x18,
  holding: 0x19,
  inhibit: 0x1a,
  initialize: 0x1b,
  powerUp: 0x40,
  powerUpBillInAcceptor: 0x41,
  powerUpBillInStacker: 0x42,
  stackerFull: 0x43,
  stackerOpen: 0x44,
  jamInAcceptor: 0x45,
  jamInStacker: 0x46,
  pause: 0x47,
  cheated: 0x48,
  failure: 0x49,
  communicationError: 0x4a,
  invalidCommand: 0x4b,
  ack: 0x50,
} as const;

export interface Id003Frame {
  cmd: number;
  data: Buffer;
}

export type Id003Event =
  | { type: 'frame'; frame: Id003Frame }
  /** A frame whose shape is right but whose CRC is not. */
  | { type: 'checksum'; bytes: Buffer }
  /** Bytes that belong to no frame (skipped while resyncing). */
  | { type: 'garbage'; bytes: Buffer };

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-16/KERMIT of `bytes[0..end)` (check value of "123456789" is 0x2189). */
export function crc16Kermit(bytes: Uint8Array, end = bytes.length): number {
  let crc = 0;
  for (let i = 0; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]) & 0xff];
  return crc;
}

export function encodeFrame(cmd: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const len = data.length + MIN_LENGTH;
  if (len > MAX_LENGTH) throw new RangeError(`ID-003 frame of ${len} bytes is over ${MAX_LENGTH}`);
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0xff) throw new RangeError(`ID-003 command ${cmd} is not a byte`);
  const b = Buffer.alloc(len);
  b[0] = SYNC;
  b[1] = len;
  b[2] = cmd;
  Buffer.from(data).copy(b, 3);
  const crc = crc16Kermit(b, len - 2);
  b[len - 2] = crc & 0xff;
  b[len - 1] = crc >> 8;
  return b;
}

/**
 * Stream decoder: feed chunks as they arrive, get complete frames back.
 * Holds at most one partial frame (< 255 bytes) between calls.
 */
export class Id003Decoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Id003Event[] {
    const events: Id003Event[] = [];
    const buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    let i = 0;
    const junk = new SkippedBytes(buf, events);
    while (i < buf.length) {
      if (buf[i] !== SYNC) {
        junk.skip(i);
        i++;
        continue;
      }
      if (buf.length - i < 2) break; // need LNG
      const len = buf[i + 1];
      if (len < MIN_LENGTH) {
        junk.skip(i);
        i++;
        continue;
      }
      if (buf.length - i < len) break; // wait for the rest
      const frame = buf.subarray(i, i + len);
      const crc = crc16Kermit(frame, len - 2);
      if ((crc & 0xff) !== frame[len - 2] || crc >> 8 !== frame[len - 1]) {
        junk.flush(i);
        events.push({ type: 'checksum', bytes: Buffer.from(frame) });
        // Rescan from the next byte: a real frame may start inside this one.
        junk.reported(i + len);
        i++;
        continue;
      }
      junk.flush(i);
      events.push({ type: 'frame', frame: { cmd: frame[2], data: Buffer.from(frame.subarray(3, len - 2)) } });
      i += len;
    }
    junk.flush(i);
    this.buf = Buffer.from(buf.subarray(i));
    return events;
  }

  /** Drops a held partial frame (after a reconnect the rest will never come). */
  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}
