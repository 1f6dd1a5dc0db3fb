/**
 * Syntax of the names PKS1/PKP1 share: ids, txns, codes, times; and UUIDv7
 * for message and event ids.
 */
import { randomBytes } from 'node:crypto';

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const TXN = /^[\x21-\x7e]{1,64}$/;
const CODE = /^[0-9]{6,16}$/;
const NOT_DIGIT = /[^0-9]/g;
// RFC 3339 date-time (section 5.6); lower-case t/z allowed as the RFC allows.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** A seller, kiosk or operator id: `[A-Za-z0-9._-]{1,64}`. */
export function isId(s: string): boolean {
  return typeof s === 'string' && ID.test(s);
}

/** A transaction number: 1–64 characters from 0x21–0x7E. */
export function isTxn(s: string): boolean {
  return typeof s === 'string' && TXN.test(s);
}

/** The digits of a txn in order, as a recipient types it on the keypad ("T-2026-11-1" → "2026111"). */
export function txnDigits(txn: string): string {
  return txn.replace(NOT_DIGIT, '');
}

/** A recipient code: 6–16 ASCII digits. */
export function isCode(s: string): boolean {
  return typeof s === 'string' && CODE.test(s);
}

/**
 * An RFC 3339 date-time whose fields are in range (Feb 30 and 24:00 fail).
 * Leap second 60 is refused: JavaScript time cannot hold it.
 */
export function isRfc3339(s: string): boolean {
  if (typeof s !== 'string') return false;
  const m = RFC3339.exec(s);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return Number.isFinite(Date.parse(s.toUpperCase()));
}

/** Milliseconds since the epoch of an RFC 3339 time, or null when it is not one. */
export function parseRfc3339(s: string): number | null {
  return isRfc3339(s) ? Date.parse(s.toUpperCase()) : null;
}

/**
 * A UUIDv7 (RFC 9562): 48-bit millisecond time, then 74 random bits.
 * Ids made in the same millisecond are not ordered among themselves; nothing
 * here relies on that.
 */
export function uuidv7(now: number = Date.now()): string {
  const b = randomBytes(16);
  const ms = Math.max(0, Math.floor(now));
  // 48-bit big-endian time (writeUIntBE keeps all 48 bits; `<<` would cut at 32).
  b.writeUIntBE(ms % 2 ** 48, 0, 6);
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
