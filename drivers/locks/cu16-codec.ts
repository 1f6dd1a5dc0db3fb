/**
 * Frame codec for Kerong KR-CU16-style RS-485 lock boards (19200 8N1).
 *
 * Request (host → board), 5 bytes:  02 ADDR CMD 03 SUM
 * Reply   (board → host), 9 bytes:  02 ADDR 35 H1 H2 S1 S2 03 SUM
 *
 * ADDR = board address (DIP, 0-15) << 4 | (lock - 1); board-wide commands use
 * lock nibble 0. SUM = low byte of the sum of all bytes before it. H1/H2 are
 * the hook (lock) bits of locks 1-8 / 9-16 (bit 0 = lock 1; 1 = latched), S1/S2
 * the sensor bits of the same locks (wired to door switches here). Every reply
 * carries the whole board, whatever the command. See docs/drivers/locks.md.
 *
 * Pure: no I/O, never throws on input; resyncs on garbage by rescanning from
 * the next STX, so a valid frame after any junk is still found.
 */
import { SkippedBytes } from '../serial/skipped.js';

export const STX = 0x02;
export const ETX = 0x03;

export const CU16_CMD = {
  /** Status of one lock (the board answers with its whole status). */
  status: 0x30,
  /** Pulse one lock open. */
  unlock: 0x31,
  /** Status of the whole board. */
  boardStatus: 0x32,
  /** The reply code. */
  reply: 0x35,
} as const;

export type Cu16RequestCmd = typeof CU16_CMD.status | typeof CU16_CMD.unlock | typeof CU16_CMD.boardStatus;

/**
 * The reply code a board sends in answer to a bus-wide (broadcast) status
 * request, instead of 35: same layout. Only decoders told `busReplies` accept it.
 */
export const BUS_REPLY = 0x36;

export const REQUEST_LENGTH = 5;
export const REPLY_LENGTH = 9;

export interface Cu16Request {
  /** Board address (0-15). */
  board: number;
  /** Lock 1-16 (from the low nibble; 1 also for board-wide commands). */
  lock: number;
  cmd: Cu16RequestCmd;
}

export interface Cu16Reply {
  board: number;
  /** Low nibble of ADDR + 1 as the board echoed it. */
  lock: number;
  /** 16 hook bits, bit 0 = lock 1; 1 = latched (locked). */
  hooks: number;
  /** 16 sensor bits, bit 0 = lock 1. */
  sensors: number;
  /** Set when the reply answered a bus-wide status request (code 36). */
  bus?: true;
}

/** A board's firmware version (the OTA version frame; see cu12-codec.ts). */
export interface VersionReply {
  board: number;
  /** The data bytes of the reply; the last two are software and hardware version. */
  data: Buffer;
}

export type Cu16Event =
  | { type: 'request'; request: Cu16Request }
  | { type: 'reply'; reply: Cu16Reply }
  /** Only from decoders told `versionFrames`. */
  | { type: 'version-request'; board: number }
  | { type: 'version'; reply: VersionReply }
  /** A frame whose shape is right but whose SUM is not. */
  | { type: 'checksum'; frame: Buffer }
  /** Bytes that belong to no frame (skipped while resyncing). */
  | { type: 'garbage'; bytes: Buffer };

/** Low byte of the sum of `bytes[0..end)`. */
export function checksum(bytes: Uint8Array, end = bytes.length): number {
  let s = 0;
  for (let i = 0; i < end; i++) s += bytes[i];
  return s & 0xff;
}

export function addressByte(board: number, lock: number): number {
  if (!Number.isInteger(board) || board < 0 || board > 15) throw new RangeError(`CU16 board address ${board} is outside 0-15`);
  if (!Number.isInteger(lock) || lock < 1 || lock > 16) throw new RangeError(`CU16 lock ${lock} is outside 1-16`);
  return (board << 4) | (lock - 1);
}

export function encodeRequest(board: number, lock: number, cmd: Cu16RequestCmd): Buffer {
  const b = Buffer.from([STX, addressByte(board, lock), cmd, ETX, 0]);
  b[4] = checksum(b, 4);
  return b;
}

export function encodeReply(board: number, lock: number, hooks: number, sensors: number, code: number = CU16_CMD.reply): Buffer {
  const b = Buffer.from([
    STX,
    addressByte(board, lock),
    code,
    hooks & 0xff,
    (hooks >> 8) & 0xff,
    sensors & 0xff,
    (sensors >> 8) & 0xff,
    ETX,
    0,
  ]);
  b[8] = checksum(b, 8);
  return b;
}

function isRequestCmd(c: number): c is Cu16RequestCmd {
  return c === CU16_CMD.status || c === CU16_CMD.unlock || c === CU16_CMD.boardStatus;
}

/** The firmware version frames (OTA framing): F5 B6 ADDR LEN DATA 5F SUM. */
export const VERSION_STX = 0xf5;
export const VERSION_CMD = 0xb6;
export const VERSION_ETX = 0x5f;
/** Longest version reply data accepted (anything longer is not a frame). */
export const VERSION_MAX_DATA = 16;

export interface DecoderOptions {
  /** Accept code 36 replies (answers to a bus-wide status request). */
  busReplies?: boolean;
  /** Decode the F5 … 5F firmware version frames as well. */
  versionFrames?: boolean;
}

/** Bytes a version frame needs before its length is known, or its whole length. */
function versionLength(buf: Buffer, i: number): number | 'more' | 'not-a-frame' {
  if (buf.length - i < 2) return 'more';
  if (buf[i + 1] !== VERSION_CMD) return 'not-a-frame';
  if (buf.length - i < 4) return 'more';
  const n = buf[i + 3];
  if (n > VERSION_MAX_DATA) return 'not-a-frame';
  return 6 + n;
}

/**
 * Stream decoder: feed chunks as they arrive, get complete frames back.
 * Holds at most one partial frame (< 9 bytes; < 23 with version frames) between calls.
 */
export class Cu16Decoder {
  private buf: Buffer = Buffer.alloc(0);
  private readonly bus: boolean;
  private readonly versions: boolean;

  constructor(options: DecoderOptions = {}) {
    this.bus = options.busReplies ?? false;
    this.versions = options.versionFrames ?? false;
  }

  push(chunk: Uint8Array): Cu16Event[] {
    const events: Cu16Event[] = [];
    const buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    let i = 0;
    const junk = new SkippedBytes(buf, events);
    while (i < buf.length) {
      if (this.versions && buf[i] === VERSION_STX) {
        const vlen = versionLength(buf, i);
        if (vlen === 'more') break;
        if (vlen !== 'not-a-frame' && buf.length - i >= vlen - 1 && buf[i + vlen - 2] === VERSION_ETX) {
          if (buf.length - i < vlen) break;
          const frame = buf.subarray(i, i + vlen);
          junk.flush(i);
          if (checksum(frame, vlen - 1) !== frame[vlen - 1]) {
            events.push({ type: 'checksum', frame: Buffer.from(frame) });
            junk.reported(i + vlen);
            i++;
            continue;
          }
          const board = frame[2];
          if (vlen === 6 && frame[3] === 0) events.push({ type: 'version-request', board });
          else events.push({ type: 'version', reply: { board, data: Buffer.from(frame.subarray(4, vlen - 2)) } });
          i += vlen;
          continue;
        }
        if (vlen !== 'not-a-frame' && buf.length - i < vlen - 1) break; // wait for the ETX position
        junk.skip(i);
        i++;
        continue;
      }
      if (buf[i] !== STX) {
        junk.skip(i);
        i++;
        continue;
      }
      if (buf.length - i < 3) break; // need CMD to know the length
      const cmd = buf[i + 2];
      const isReply = cmd === CU16_CMD.reply || (this.bus && cmd === BUS_REPLY);
      const len = isReply ? REPLY_LENGTH : isRequestCmd(cmd) ? REQUEST_LENGTH : 0;
      if (len === 0 || (len > 0 && buf.length - i >= len - 1 && buf[i + len - 2] !== ETX)) {
        // Not a frame start after all (unknown command or ETX missing): skip this STX.
        junk.skip(i);
        i++;
        continue;
      }
      if (buf.length - i < len) break; // wait for the rest
      const frame = buf.subarray(i, i + len);
      if (checksum(frame, len - 1) !== frame[len - 1]) {
        junk.flush(i);
        events.push({ type: 'checksum', frame: Buffer.from(frame) });
        // Rescan from the next byte: a real frame may start inside this one.
        junk.reported(i + len);
        i++;
        continue;
      }
      junk.flush(i);
      const addr = frame[1];
      const board = addr >> 4;
      const lock = (addr & 0x0f) + 1;
      if (len === REPLY_LENGTH) {
        const reply: Cu16Reply = { board, lock, hooks: frame[3] | (frame[4] << 8), sensors: frame[5] | (frame[6] << 8) };
        if (cmd === BUS_REPLY) reply.bus = true;
        events.push({ type: 'reply', reply });
      } else {
        events.push({ type: 'request', request: { board, lock, cmd: cmd as Cu16RequestCmd } });
      }
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
