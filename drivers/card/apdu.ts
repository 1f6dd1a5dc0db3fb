/**
 * ISO 7816-4 command APDUs the kiosk sends, and what their answers mean.
 * Pure: no I/O, never throws on what a card sends back.
 *
 * Choices (see docs/drivers/card.md):
 * - SELECT by file id uses P1 = 0x02 (an EF under the current DF) and
 *   P2 = 0x0C (no response data), so a card need not build an FCI.
 * - Short APDUs only: READ BINARY asks for at most 255 bytes (Le = 0x00 would
 *   mean 256, which some readers mishandle), UPDATE BINARY sends at most 255.
 */
import { CardError } from './contract.js';

/** Largest chunk READ BINARY asks for and UPDATE BINARY sends. */
export const MAX_CHUNK = 255;
/** READ/UPDATE BINARY offsets are 15 bits (P1 bit 8 would mean a short EF id). */
export const MAX_OFFSET = 0x7fff;
/** Bytes per READ BINARY on an NTAG through a PC/SC reader: 4 pages. */
export const NTAG_READ_BYTES = 16;
/** First page of an NTAG's user memory, where the TLV area starts. */
export const NTAG_FIRST_USER_PAGE = 4;

export const SW_OK = 0x9000;

export interface ApduResponse {
  data: Buffer;
  sw: number;
}

function fileIdOk(fileId: number): boolean {
  return Number.isInteger(fileId) && fileId >= 0 && fileId <= 0xffff;
}

/** SELECT EF by file id (P1 = 0x02, P2 = 0x0C). */
export function selectFile(fileId: number): Buffer {
  if (!fileIdOk(fileId)) throw new RangeError(`file id must be 0x0000–0xFFFF, got ${fileId}`);
  return Buffer.from([0x00, 0xa4, 0x02, 0x0c, 0x02, fileId >> 8, fileId & 0xff]);
}

/** VERIFY (P2 = 0x01) with the PIN's ASCII digits. The PIN is checked, never logged. */
export function verify(pin: string): Buffer {
  if (!/^[0-9]{1,32}$/.test(pin)) throw new RangeError('PIN must be 1–32 ASCII digits');
  const digits = Buffer.from(pin, 'ascii');
  return Buffer.concat([Buffer.from([0x00, 0x20, 0x00, 0x01, digits.length]), digits]);
}

function offsetOk(offset: number): boolean {
  return Number.isInteger(offset) && offset >= 0 && offset <= MAX_OFFSET;
}

/** READ BINARY at `offset` for `le` bytes (1–255). */
export function readBinary(offset: number, le: number): Buffer {
  if (!offsetOk(offset)) throw new RangeError(`offset must be 0–${MAX_OFFSET}, got ${offset}`);
  if (!Number.isInteger(le) || le < 1 || le > MAX_CHUNK) throw new RangeError(`Le must be 1–255, got ${le}`);
  return Buffer.from([0x00, 0xb0, offset >> 8, offset & 0xff, le]);
}

/** UPDATE BINARY at `offset` with 1–255 bytes. */
export function updateBinary(offset: number, data: Buffer): Buffer {
  if (!offsetOk(offset)) throw new RangeError(`offset must be 0–${MAX_OFFSET}, got ${offset}`);
  if (data.length < 1 || data.length > MAX_CHUNK) throw new RangeError(`UPDATE BINARY takes 1–255 bytes, got ${data.length}`);
  return Buffer.concat([Buffer.from([0x00, 0xd6, offset >> 8, offset & 0xff, data.length]), data]);
}

/** UPDATE BINARY commands that write `data` from offset 0 in chunks of at most 255 bytes. */
export function updateBinaryChunks(data: Buffer): Buffer[] {
  if (data.length > MAX_OFFSET + 1) throw new RangeError(`data of ${data.length} bytes does not fit a 15-bit offset`);
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += MAX_CHUNK) {
    out.push(updateBinary(off, data.subarray(off, off + MAX_CHUNK)));
  }
  return out;
}

/** GET RESPONSE for the `le` bytes a 61xx said are waiting (T=0 cards). */
export function getResponse(le: number): Buffer {
  return Buffer.from([0x00, 0xc0, 0x00, 0x00, le & 0xff]);
}

/** PC/SC part 3 READ BINARY of a storage card (an NTAG): `le` bytes from `page`. */
export function ntagRead(page: number, le = NTAG_READ_BYTES): Buffer {
  if (!Number.isInteger(page) || page < 0 || page > 0xff) throw new RangeError(`page must be 0–255, got ${page}`);
  return Buffer.from([0xff, 0xb0, 0x00, page, le & 0xff]);
}

/** Same command with Le replaced (for a 6Cxx "wrong length, xx available"). */
export function withLe(command: Buffer, le: number): Buffer {
  const out = Buffer.from(command);
  out[out.length - 1] = le & 0xff;
  return out;
}

/** Splits a response APDU into data and status word; undefined when shorter than SW1 SW2. */
export function parseResponse(raw: Buffer): ApduResponse | undefined {
  if (raw.length < 2) return undefined;
  return { data: raw.subarray(0, raw.length - 2), sw: raw.readUInt16BE(raw.length - 2) };
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The CardError a status word means, or undefined for 9000. `what` names the
 * command for the message ("READ BINARY of EF 5331").
 */
export function statusError(sw: number, what: string): CardError | undefined {
  if (sw === SW_OK) return undefined;
  if ((sw & 0xfff0) === 0x63c0) {
    const left = sw & 0x0f;
    const tail = left === 0 ? 'no tries left, the PIN is now blocked' : `${left} ${left === 1 ? 'try' : 'tries'} left`;
    return new CardError('wrong-pin', `${what}: wrong PIN, ${tail}`, sw, left);
  }
  switch (sw) {
    case 0x6983:
      return new CardError('blocked', `${what}: the card's PIN is blocked (6983); the card must go back to its issuer`, sw);
    case 0x6982:
      return new CardError('security', `${what}: access condition not satisfied (6982); VERIFY the PIN first`, sw);
    case 0x6a82:
      return new CardError('not-found', `${what}: no such file on the card (6A82)`, sw);
    case 0x6d00:
    case 0x6e00:
    case 0x6a81:
      return new CardError('unsupported', `${what}: the card does not support this command (${swHex(sw)})`, sw);
    default:
      return new CardError('failed', `${what}: the card answered status ${swHex(sw)}`, sw);
  }
}

/** What to do after one READ BINARY answer while reading a file to its end. */
export type ReadStep =
  | { action: 'append'; data: Buffer; more: boolean }
  | { action: 'retry'; le: number }
  | { action: 'end' }
  | { action: 'fail'; error: CardError };

/**
 * Decides the next step of a chunked READ BINARY from one answer.
 * - 9000 with all `le` bytes: keep reading; with fewer: that was the end.
 * - 6282 (end of file before Le bytes): take what came, stop.
 * - 6B00 (offset beyond the end): stop; the file ended exactly at a chunk edge.
 * - 6Cxx (wrong Le, xx available): ask again with Le = xx.
 * - anything else: the CardError for its status word.
 */
export function readBinaryStep(raw: Buffer, le: number, what: string): ReadStep {
  const r = parseResponse(raw);
  if (!r) return { action: 'fail', error: new CardError('failed', `${what}: answer of ${raw.length} byte(s) has no status word`) };
  if (r.sw === SW_OK) {
    if (r.data.length > le) {
      return { action: 'fail', error: new CardError('failed', `${what}: card sent ${r.data.length} bytes for Le ${le}`, r.sw) };
    }
    return { action: 'append', data: r.data, more: r.data.length === le && r.data.length > 0 };
  }
  if (r.sw === 0x6282) {
    if (r.data.length > le) {
      return { action: 'fail', error: new CardError('failed', `${what}: card sent ${r.data.length} bytes for Le ${le}`, r.sw) };
    }
    return { action: 'append', data: r.data, more: false };
  }
  if (r.sw === 0x6b00) return { action: 'end' };
  if ((r.sw & 0xff00) === 0x6c00) {
    const avail = r.sw & 0xff;
    // 6C00 would mean 256, more than a short chunk; a card asking for the same Le again is confused.
    if (avail === 0 || avail === le) {
      return { action: 'fail', error: new CardError('failed', `${what}: card asked for Le ${avail === 0 ? 256 : avail} (6C${swHex(r.sw).slice(2)})`, r.sw) };
    }
    return { action: 'retry', le: Math.min(avail, MAX_CHUNK) };
  }
  return { action: 'fail', error: statusError(r.sw, what) ?? new CardError('failed', `${what}: unexpected status`, r.sw) };
}

/** `0x5331` → `5331`. */
export function fileIdHex(fileId: number): string {
  return fileId.toString(16).toUpperCase().padStart(4, '0');
}
