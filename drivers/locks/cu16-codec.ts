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
}

export type Cu16Event =
  | { type: 'request'; request: Cu16Request }
  | { type: 'reply'; reply: Cu16Reply }
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

export function encodeReply(board: number, lock: number, hooks: number, sensors: number): Buffer {
  const b = Buffer.from([
    STX,
    addressByte(board, lock),
    CU16_CMD.reply,
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

/**
 * Stream decoder: feed chunks as they arrive, get complete frames back.
 * Holds at most one partial frame (< 9 bytes) between calls.
 */
export class Cu16Decoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Cu16Event[] {
    const events: Cu16Event[] = [];
    const buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    let i = 0;
    let junkFrom = -1;
    // Bytes of a frame already reported as `checksum` are not reported again as garbage.
    let quietUntil = 0;
    const flushJunk = (to: number): void => {
      const from = Math.max(junkFrom, quietUntil);
      if (junkFrom >= 0 && to > from) events.push({ type: 'garbage', bytes: Buffer.from(buf.subarray(from, to)) });
      junkFrom = -1;
    };
    while (i < buf.length) {
      if (buf[i] !== STX) {
        if (junkFrom < 0) junkFrom = i;
        i++;
        continue;
      }
      if (buf.length - i < 3) break; // need CMD to know the length
      const cmd = buf[i + 2];
      const len = cmd === CU16_CMD.reply ? REPLY_LENGTH : isRequestCmd(cmd) ? REQUEST_LENGTH : 0;
      if (len === 0 || (len > 0 && buf.length - i >= len - 1 && buf[i + len - 2] !== ETX)) {
        // Not a frame start after all (unknown command or ETX missing): skip this STX.
        if (junkFrom < 0) junkFrom = i;
        i++;
        continue;
      }
      if (buf.length - i < len) break; // wait for the rest
      const frame = buf.subarray(i, i + len);
      if (checksum(frame, len - 1) !== frame[len - 1]) {
        flushJunk(i);
        events.push({ type: 'checksum', frame: Buffer.from(frame) });
        // Rescan from the next byte: a real frame may start inside this one.
        junkFrom = -1;
        quietUntil = i + len;
        i++;
        continue;
      }
      flushJunk(i);
      const addr = frame[1];
      const board = addr >> 4;
      const lock = (addr & 0x0f) + 1;
      if (len === REPLY_LENGTH) {
        events.push({
          type: 'reply',
          reply: { board, lock, hooks: frame[3] | (frame[4] << 8), sensors: frame[5] | (frame[6] << 8) },
        });
      } else {
        events.push({ type: 'request', request: { board, lock, cmd: cmd as Cu16RequestCmd } });
      }
      i += len;
    }
    flushJunk(i);
    this.buf = Buffer.from(buf.subarray(i));
    return events;
  }

  /** Drops a held partial frame (after a reconnect the rest will never come). */
  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}
