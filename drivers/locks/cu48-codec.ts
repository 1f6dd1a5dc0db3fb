/**
 * Frame codec for Kerong CU48-style RS-485 lock boards (48 locks a board),
 * the wider member of the CU family: the lock number has a byte of its own
 * and the status reply carries 48 hook bits. See docs/drivers/locks.md
 * ("CU48"): the layout follows public host software for these boards and is
 * unverified on hardware.
 *
 * Request (host → board), 6 bytes:  02 ADDR LOCK CMD 03 SUM
 *   CMD 60 status of the whole board (LOCK 00), 61 unlock lock LOCK+1 (LOCK 00-2F).
 * Reply (board → host), 6 + LEN bytes: 02 ADDR LOCK 75 LEN DATA SUM
 *   LEN 0: an unlock acknowledged; LEN 6: the status, bit 0 of DATA[0] = lock 1
 *   … bit 7 of DATA[5] = lock 48, 1 = latched (locked).
 * SUM = low byte of the sum of all bytes before it.
 *
 * Pure: no I/O, never throws on input; resyncs on garbage by rescanning from
 * the next STX, so a valid frame after any junk is still found.
 */
import { ETX, STX, checksum } from './cu16-codec.js';
import { SkippedBytes } from '../serial/skipped.js';

export const CU48_LOCKS = 48;
export const CU48_CMD = { status: 0x60, unlock: 0x61, reply: 0x75 } as const;
export type Cu48RequestCmd = typeof CU48_CMD.status | typeof CU48_CMD.unlock;

export const CU48_REQUEST_LENGTH = 6;
/** The status DATA: 48 bits. */
export const CU48_STATUS_BYTES = 6;
/** Longest reply DATA taken for a frame (a longer LEN is not a frame start). */
export const CU48_MAX_DATA = 12;

export interface Cu48Request {
  board: number;
  /** 1-48 (LOCK + 1); 1 for the status request. */
  lock: number;
  cmd: Cu48RequestCmd;
}

export interface Cu48Reply {
  board: number;
  lock: number;
  /** Empty for an acknowledgement; the status bits otherwise. */
  data: Buffer;
}

export type Cu48Event =
  | { type: 'request'; request: Cu48Request }
  | { type: 'reply'; reply: Cu48Reply }
  | { type: 'checksum'; frame: Buffer }
  | { type: 'garbage'; bytes: Buffer };

function checkBoard(board: number): void {
  if (!Number.isInteger(board) || board < 0 || board > 255) throw new RangeError(`CU48 board address ${board} is outside 0-255`);
}

function checkLock(lock: number): void {
  if (!Number.isInteger(lock) || lock < 1 || lock > CU48_LOCKS) throw new RangeError(`CU48 lock ${lock} is outside 1-48`);
}

function request(board: number, lockByte: number, cmd: Cu48RequestCmd): Buffer {
  checkBoard(board);
  const b = Buffer.from([STX, board, lockByte, cmd, ETX, 0]);
  b[5] = checksum(b, 5);
  return b;
}

/** The status of the whole board: 02 ADDR 00 60 03 SUM. */
export function encodeCu48Status(board: number): Buffer {
  return request(board, 0, CU48_CMD.status);
}

/** Unlock (pulse) lock 1-48: 02 ADDR LOCK-1 61 03 SUM. */
export function encodeCu48Unlock(board: number, lock: number): Buffer {
  checkLock(lock);
  return request(board, lock - 1, CU48_CMD.unlock);
}

/** A reply: `data` empty for an unlock's acknowledgement, the status bytes otherwise. */
export function encodeCu48Reply(board: number, lock: number, data: Uint8Array): Buffer {
  checkBoard(board);
  checkLock(lock);
  if (data.length > CU48_MAX_DATA) throw new RangeError('CU48 reply data too long');
  const b = Buffer.alloc(6 + data.length);
  b[0] = STX;
  b[1] = board;
  b[2] = lock - 1;
  b[3] = CU48_CMD.reply;
  b[4] = data.length;
  b.set(data, 5);
  b[5 + data.length] = checksum(b, 5 + data.length);
  return b;
}

/** 48 hook bits (bit 0 = lock 1) as the 6 status bytes. */
export function hooksToData(hooks: number): Buffer {
  const b = Buffer.alloc(CU48_STATUS_BYTES);
  let v = hooks;
  for (let i = 0; i < CU48_STATUS_BYTES; i++) {
    b[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return b;
}

/** The 48 hook bits of a status reply's data (a number: exact up to 2^53). */
export function hooksFromData(data: Uint8Array): number {
  let v = 0;
  for (let i = CU48_STATUS_BYTES - 1; i >= 0; i--) v = v * 256 + (data[i] ?? 0);
  return v;
}

/** A frame's length from its first bytes: 'more' until it is known, 0 when this STX starts no frame. */
function frameLength(buf: Buffer, i: number): number | 'more' {
  if (buf.length - i < 4) return 'more';
  const code = buf[i + 3];
  if (code === CU48_CMD.status || code === CU48_CMD.unlock) {
    if (buf[i + 2] >= CU48_LOCKS) return 0;
    if (buf.length - i < 5) return 'more';
    return buf[i + 4] === ETX ? CU48_REQUEST_LENGTH : 0;
  }
  if (code !== CU48_CMD.reply || buf[i + 2] >= CU48_LOCKS) return 0;
  if (buf.length - i < 5) return 'more';
  return buf[i + 4] <= CU48_MAX_DATA ? 6 + buf[i + 4] : 0;
}

/** Whether a whole frame with a good SUM starts somewhere in buf[from..). */
function wholeFrameFrom(buf: Buffer, from: number): boolean {
  for (let j = from; j < buf.length; j++) {
    if (buf[j] !== STX) continue;
    const n = frameLength(buf, j);
    if (typeof n === 'number' && n > 0 && buf.length - j >= n && checksum(buf.subarray(j, j + n), n - 1) === buf[j + n - 1]) return true;
  }
  return false;
}

/**
 * Stream decoder: feed chunks as they arrive, get complete frames back.
 * Holds at most one partial frame (< 18 bytes) between calls. A reply has no
 * end marker, so a stray STX that looks like a reply's start could make it
 * wait for bytes that never come: it stops waiting as soon as a whole frame
 * with a good SUM starts after it.
 */
export class Cu48Decoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Cu48Event[] {
    const events: Cu48Event[] = [];
    const buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    let i = 0;
    const junk = new SkippedBytes(buf, events);
    const skip = (): void => {
      junk.skip(i);
      i++;
    };
    while (i < buf.length) {
      if (buf[i] !== STX) {
        skip();
        continue;
      }
      const len = frameLength(buf, i);
      if (len === 0) {
        skip();
        continue;
      }
      if (len === 'more' || buf.length - i < len) {
        if (wholeFrameFrom(buf, i + 1)) {
          skip();
          continue;
        }
        break; // wait for the rest
      }
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
      const board = frame[1];
      const lock = frame[2] + 1;
      if (frame[3] === CU48_CMD.reply) events.push({ type: 'reply', reply: { board, lock, data: Buffer.from(frame.subarray(5, len - 1)) } });
      else events.push({ type: 'request', request: { board, lock, cmd: frame[3] as Cu48RequestCmd } });
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
