/**
 * Courier PINs are kept as salted scrypt hashes (config `couriers[].pin`),
 * never as the PIN: hash = scrypt(PIN as ASCII, salt, 2^logN, r, p, 32 bytes),
 * the same derivation slip.md uses for codes.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { DEFAULT_SCRYPT, deriveS, isCode, type ScryptParams } from '../domain/index.js';
import type { CourierPinHash } from './schema.js';

/** A PIN is 6 to 16 digits, typed on the keypad like a recipient code. */
export function isCourierPin(pin: string): boolean {
  return isCode(pin);
}

/** A fresh salted hash of `pin`, ready for couriers[].pin. Rejects a PIN that is not 6–16 digits. */
export async function hashCourierPin(pin: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<CourierPinHash> {
  if (!isCourierPin(pin)) throw new Error('a courier PIN is 6 to 16 digits');
  const salt = randomBytes(16);
  const hash = await deriveS(pin, salt, params);
  return { salt: salt.toString('base64url'), logN: params.logN, r: params.r, p: params.p, hash: hash.toString('base64url') };
}

/** Whether `pin` matches the stored hash; compares in constant time. A malformed PIN costs no derivation. */
export async function verifyCourierPin(pin: string, stored: CourierPinHash): Promise<boolean> {
  if (!isCourierPin(pin)) return false;
  const want = Buffer.from(stored.hash, 'base64url');
  const got = await deriveS(pin, Buffer.from(stored.salt, 'base64url'), stored);
  return got.length === want.length && timingSafeEqual(got, want);
}
