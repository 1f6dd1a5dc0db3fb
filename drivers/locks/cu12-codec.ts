/**
 * Kerong KR-CU12 frames: the CU16 frame family (drivers/locks/cu16-codec.ts)
 * with 12 locks per board, the second bit group of the status reply read as
 * infrared item sensors, a bus-wide status request and the firmware version
 * query. See docs/drivers/locks.md ("CU12") for the byte layout.
 *
 * Request (host → board), 5 bytes:  02 ADDR CMD 03 SUM      (ADDR = board << 4 | lock - 1)
 *   30 status (the board answers with its whole status), 31 unlock one lock.
 * Bus status, 5 bytes:              02 F0 32 03 27
 *   every board on the bus answers in turn, lowest address first, with code 36.
 * Reply, 9 bytes:                   02 ADDR 35|36 H1 H2 I1 I2 03 SUM
 *   H = hook bits of locks 1-8 / 9-12 (1 = latched), I = infrared bits (1 = item present).
 * Version request, 6 bytes:         F5 B6 ADDR 00 5F SUM
 * Version reply:                    F5 B6 ADDR LEN DATA 5F SUM (last two DATA bytes: software, hardware)
 */
import { BUS_REPLY, CU16_CMD, STX, ETX, VERSION_CMD, VERSION_ETX, VERSION_MAX_DATA, VERSION_STX, checksum, encodeReply, encodeRequest } from './cu16-codec.js';

export const CU12_LOCKS = 12;
/** The ADDR byte of a bus-wide request. */
export const BROADCAST_ADDRESS = 0xf0;
/** The 12 lock bits of a board. */
export const CU12_MASK = 0x0fff;

function checkLock(lock: number): void {
  if (!Number.isInteger(lock) || lock < 1 || lock > CU12_LOCKS) throw new RangeError(`CU12 lock ${lock} is outside 1-12`);
}

/** Status (whole board) or unlock of one lock. */
export function encodeCu12Request(board: number, lock: number, cmd: typeof CU16_CMD.status | typeof CU16_CMD.unlock): Buffer {
  checkLock(lock);
  return encodeRequest(board, lock, cmd);
}

/** The bus-wide status request every board answers: 02 F0 32 03 27. */
export function encodeBusStatus(): Buffer {
  const b = Buffer.from([STX, BROADCAST_ADDRESS, CU16_CMD.boardStatus, ETX, 0]);
  b[4] = checksum(b, 4);
  return b;
}

/** True for the bus-wide status request (board nibble F, lock nibble 0, command 32). */
export function isBusStatus(req: { board: number; lock: number; cmd: number }): boolean {
  return req.board === BROADCAST_ADDRESS >> 4 && req.lock === 1 && req.cmd === CU16_CMD.boardStatus;
}

/** A board's status reply: `bus` for an answer to the bus-wide request (code 36). */
export function encodeCu12Reply(board: number, lock: number, hooks: number, items: number, bus = false): Buffer {
  return encodeReply(board, lock, hooks & CU12_MASK, items & CU12_MASK, bus ? BUS_REPLY : CU16_CMD.reply);
}

export function encodeVersionRequest(board: number): Buffer {
  return versionFrame(board, Buffer.alloc(0));
}

export function encodeVersionReply(board: number, software: number, hardware: number): Buffer {
  return versionFrame(board, Buffer.from([software & 0xff, hardware & 0xff]));
}

function versionFrame(board: number, data: Buffer): Buffer {
  if (!Number.isInteger(board) || board < 0 || board > 15) throw new RangeError(`CU12 board address ${board} is outside 0-15`);
  if (data.length > VERSION_MAX_DATA) throw new RangeError('CU12 version data too long');
  const b = Buffer.alloc(6 + data.length);
  b[0] = VERSION_STX;
  b[1] = VERSION_CMD;
  b[2] = board;
  b[3] = data.length;
  data.copy(b, 4);
  b[4 + data.length] = VERSION_ETX;
  b[5 + data.length] = checksum(b, 5 + data.length);
  return b;
}

/** "software 0x12, hardware 0x03" from a version reply's data (the last two bytes, shown as sent: vendors number them differently). */
export function describeVersion(data: Buffer): string {
  if (data.length < 2) return `unknown (${data.toString('hex') || 'no data'})`;
  const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;
  return `software ${hex(data[data.length - 2])}, hardware ${hex(data[data.length - 1])}`;
}
