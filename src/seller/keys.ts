/**
 * The seller's identity: its id and Ed25519 key, in <dir>/seller.json (mode
 * 0600, never overwritten), and the public part kiosks put in their trust.
 * Kiosk identities come from `pickup-kiosk identity` JSON.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519FromSeed, generateEd25519, isId, x25519PublicKeyObject, type Ed25519KeyPair } from '../domain/index.js';

export class SellerError extends Error {
  override readonly name = 'SellerError';
  constructor(
    readonly code: 'no-key' | 'key-exists' | 'bad-key' | 'bad-kiosk' | 'unknown-kiosk' | 'bad-option' | 'not-connected' | 'exists',
    message: string,
  ) {
    super(message);
  }
}

export interface SellerKey {
  sellerId: string;
  keys: Ed25519KeyPair;
}

export interface SellerIdentity {
  sellerId: string;
  /** Hex, as a kiosk's trust.sellers config takes it. */
  ed25519Public: string;
  kid: string;
}

export function sellerKeyPath(dir: string): string {
  return join(dir, 'seller.json');
}

/** Makes a new seller key; refuses when one is there (it is the seller's identity). */
export function createSellerKey(dir: string, sellerId: string): SellerKey {
  if (!isId(sellerId)) throw new SellerError('bad-option', `seller id ${JSON.stringify(sellerId)}: 1-64 of A-Z a-z 0-9 . _ -`);
  const file = sellerKeyPath(dir);
  if (existsSync(file)) {
    throw new SellerError('key-exists', `${file} already exists: refusing to overwrite the seller's key (kiosks trust its public key)`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = generateEd25519();
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ sellerId, ed25519Seed: keys.seed.toString('hex') }, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
  return { sellerId, keys };
}

export function loadSellerKey(dir: string): SellerKey {
  const file = sellerKeyPath(dir);
  if (!existsSync(file)) {
    throw new SellerError('no-key', `no seller key in ${dir}: run \`pickup-kiosk seller keygen --seller-id ID --seller-dir ${dir}\``);
  }
  let o: { sellerId?: unknown; ed25519Seed?: unknown };
  try {
    o = JSON.parse(readFileSync(file, 'utf8')) as typeof o;
  } catch (e) {
    throw new SellerError('bad-key', `${file} is not readable JSON: ${(e as Error).message}`);
  }
  if (typeof o.sellerId !== 'string' || !isId(o.sellerId)) throw new SellerError('bad-key', `${file}: sellerId is missing or not an id`);
  if (typeof o.ed25519Seed !== 'string' || !/^[0-9a-f]{64}$/i.test(o.ed25519Seed)) {
    throw new SellerError('bad-key', `${file}: ed25519Seed must be 64 hex digits`);
  }
  return { sellerId: o.sellerId, keys: ed25519FromSeed(Buffer.from(o.ed25519Seed, 'hex')) };
}

export function sellerIdentity(k: SellerKey): SellerIdentity {
  return { sellerId: k.sellerId, ed25519Public: k.keys.publicKey.toString('hex'), kid: k.keys.kid };
}

export interface KioskIdentity {
  kioskId: string;
  /** Hex Ed25519 public key: checks the kiosk's event signatures. */
  ed25519Public: string;
  /** Hex X25519 public key: mode-1 slips are made for it. */
  x25519Public: string | null;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** A kiosk identity from `pickup-kiosk identity` JSON ({kioskId, ed25519Public, x25519Public, kid}). */
export function parseKioskIdentity(v: unknown): KioskIdentity {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new SellerError('bad-kiosk', 'a kiosk identity is the JSON object `pickup-kiosk identity` prints');
  }
  const o = v as Record<string, unknown>;
  if (typeof o.kioskId !== 'string' || !isId(o.kioskId)) throw new SellerError('bad-kiosk', 'kiosk identity: kioskId is missing or not an id');
  if (typeof o.ed25519Public !== 'string' || !HEX64.test(o.ed25519Public)) {
    throw new SellerError('bad-kiosk', 'kiosk identity: ed25519Public must be 64 hex digits');
  }
  let x25519: string | null = null;
  if (o.x25519Public !== undefined && o.x25519Public !== null) {
    if (typeof o.x25519Public !== 'string' || !HEX64.test(o.x25519Public)) {
      throw new SellerError('bad-kiosk', 'kiosk identity: x25519Public must be 64 hex digits');
    }
    try {
      x25519PublicKeyObject(Buffer.from(o.x25519Public, 'hex'));
    } catch (e) {
      throw new SellerError('bad-kiosk', `kiosk identity: x25519Public is not a usable key (${(e as Error).message})`);
    }
    x25519 = o.x25519Public.toLowerCase();
  }
  return { kioskId: o.kioskId, ed25519Public: o.ed25519Public.toLowerCase(), x25519Public: x25519 };
}
