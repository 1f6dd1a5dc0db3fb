/**
 * Which Ed25519 keys a kiosk trusts, per signer (seller, kiosk, operator).
 * Keys travel out of band in version 1: an operator provisions them in config.
 */
import type { KeyObject } from 'node:crypto';
import { isId, parseRfc3339 } from './ids.js';
import { ed25519PublicKeyObject, kidOf } from './keys.js';

export interface TrustedKey {
  publicKey: Buffer;
  kid: string;
  /** ms since the epoch after which the key is no longer trusted; null: no end. */
  notAfter: number | null;
}

export interface TrustStore {
  keys(signerId: string): readonly TrustedKey[];
}

export type TrustEntry = string | { key: string; notAfter?: string };

const HEX64 = /^[0-9a-fA-F]{64}$/;

// Verify keys built once per trusted key: parsing DER on every check is waste.
const keyObjects = new WeakMap<TrustedKey, KeyObject>();

/** The node verify key of a trusted key (cached). */
export function verifyKeyOf(k: TrustedKey): KeyObject {
  let o = keyObjects.get(k);
  if (o === undefined) {
    o = ed25519PublicKeyObject(k.publicKey);
    keyObjects.set(k, o);
  }
  return o;
}

/**
 * Builds a trust store from config: signer id → hex Ed25519 public keys, each
 * either a bare 64-hex string or `{ key, notAfter }` with an RFC 3339 notAfter.
 * Throws an Error naming the signer and entry on the first bad one.
 */
export function createTrustStore(entries: Record<string, ReadonlyArray<TrustEntry>>): TrustStore {
  const map = new Map<string, readonly TrustedKey[]>();
  for (const [signerId, list] of Object.entries(entries)) {
    if (!isId(signerId)) {
      throw new Error(`trust: signer id ${JSON.stringify(signerId)} is not 1-64 characters of [A-Za-z0-9._-]`);
    }
    // Config is typed, but a hand-written file can still put a string where a list goes.
    if (!Array.isArray(list)) throw new Error(`trust.${signerId}: expected a list of public keys`);
    const keys: TrustedKey[] = [];
    for (let i = 0; i < list.length; i++) keys.push(trustedKey(list[i] as TrustEntry, `trust.${signerId}[${i}]`));
    map.set(signerId, Object.freeze(keys));
  }
  return { keys: (signerId) => map.get(signerId) ?? [] };
}

function trustedKey(entry: TrustEntry, where: string): TrustedKey {
  const hex = typeof entry === 'string' ? entry : entry?.key;
  if (typeof hex !== 'string' || !HEX64.test(hex)) {
    throw new Error(`${where}: expected an Ed25519 public key as 64 hex digits`);
  }
  let notAfter: number | null = null;
  if (typeof entry === 'object' && entry.notAfter !== undefined) {
    notAfter = parseRfc3339(entry.notAfter);
    if (notAfter === null) {
      throw new Error(`${where}.notAfter: expected an RFC 3339 time such as 2027-01-01T00:00:00Z`);
    }
  }
  const publicKey = Buffer.from(hex, 'hex');
  const k: TrustedKey = { publicKey, kid: kidOf(publicKey), notAfter };
  try {
    verifyKeyOf(k);
  } catch (e) {
    throw new Error(`${where}: not a usable Ed25519 public key (${(e as Error).message})`);
  }
  return k;
}

/** The key of `signerId` with id `kid` that is valid at `now`, or null. */
export function findKey(trust: TrustStore, signerId: string, kid: string, now: number): TrustedKey | null {
  for (const k of trust.keys(signerId)) {
    if (k.kid === kid && (k.notAfter === null || now <= k.notAfter)) return k;
  }
  return null;
}
