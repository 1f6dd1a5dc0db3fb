/**
 * Key derivation of slip.md: scrypt from the code, then HKDF-SHA256 for each
 * purpose. scrypt runs on libuv's thread pool (async crypto.scrypt), never
 * scryptSync: a key derivation takes 50–500 ms, and the kiosk must keep
 * reading its keypad and doors meanwhile.
 */
import crypto from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { isCode } from './ids.js';

export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

/** The memory cap of slip.md: 128 · r · 2^logN at most 256 MiB. */
export const SCRYPT_MAX_BYTES = 256 * 1024 * 1024;
// OpenSSL counts the r·p blocks and two spare blocks besides the 128·r·N array.
const MAXMEM = SCRYPT_MAX_BYTES + 16 * 1024 * 1024;

/**
 * Each scrypt run publishes `{ ms }` here (for the kiosk's metrics). A
 * diagnostics channel costs nothing while nobody subscribes, and keeps this
 * module free of any metrics library.
 */
export const kdfChannel = channel('pickup-kiosk:kdf');

export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ logN: 15, r: 8, p: 1 });

/** The parameter bounds of slip.md: 14 ≤ logN ≤ 18, 1 ≤ r ≤ 16, p = 1, memory ≤ 256 MiB, integers. */
export function scryptParamsOk(p: ScryptParams): boolean {
  if (typeof p !== 'object' || p === null) return false;
  const { logN, r } = p;
  if (!Number.isInteger(logN) || !Number.isInteger(r) || p.p !== 1) return false;
  if (logN < 14 || logN > 18 || r < 1 || r > 16) return false;
  return 128 * r * 2 ** logN <= SCRYPT_MAX_BYTES;
}

/**
 * S = scrypt(code, salt, 2^logN, r, p, 32). Rejects, before any work, a code
 * that is not 6–16 digits and parameters outside the bounds.
 */
export function deriveS(code: string, salt: Uint8Array, p: ScryptParams): Promise<Buffer> {
  if (!isCode(code)) return Promise.reject(new Error('a recipient code is 6-16 ASCII digits'));
  if (!scryptParamsOk(p)) {
    return Promise.reject(new Error(`scrypt parameters out of bounds: ${JSON.stringify(p)}`));
  }
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    crypto.scrypt(
      Buffer.from(code, 'ascii'),
      salt,
      32,
      { N: 2 ** p.logN, r: p.r, p: p.p, maxmem: MAXMEM },
      (err, key) => {
        if (err) return reject(err);
        if (kdfChannel.hasSubscribers) kdfChannel.publish({ ms: performance.now() - t0 });
        resolve(key);
      },
    );
  });
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, 32));
}

const VERIFY = Buffer.from('PKS1 verify', 'ascii');
const RECEIPT = Buffer.from('PKS1 receipt', 'ascii');
const SLIP = Buffer.from('PKS1 slip', 'ascii');

/** K_verify = HKDF(S, salt, "PKS1 verify"). */
export function kVerify(S: Uint8Array, salt: Uint8Array): Buffer {
  return hkdf(S, salt, VERIFY);
}

/** K_receipt = HKDF(S, salt, "PKS1 receipt"). */
export function kReceipt(S: Uint8Array, salt: Uint8Array): Buffer {
  return hkdf(S, salt, RECEIPT);
}

/** K_slip = HKDF(S || Z, salt, "PKS1 slip" || slipId); Z is empty in mode 0. */
export function kSlip(S: Uint8Array, Z: Uint8Array, salt: Uint8Array, slipId: Uint8Array): Buffer {
  return hkdf(Buffer.concat([S, Z]), salt, Buffer.concat([SLIP, slipId]));
}
