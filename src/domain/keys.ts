/**
 * Raw 32-byte Ed25519 / X25519 keys ⇄ node KeyObjects. The wire formats (slips,
 * key exports, trust config) carry raw keys; node:crypto wants KeyObjects.
 * DER prefixes are the fixed PKCS#8 / SPKI headers of RFC 8410.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

export interface Ed25519KeyPair {
  /** The raw 32-byte private key (RFC 8032 seed). */
  seed: Buffer;
  publicKey: Buffer;
  /** First 4 bytes of SHA-256 of the public key, 8 lower-case hex. */
  kid: string;
  privateKey: KeyObject;
}

export interface X25519KeyPair {
  /** The raw 32-byte private scalar. */
  seed: Buffer;
  publicKey: Buffer;
  privateKey: KeyObject;
}

function raw32(what: string, bytes: Uint8Array): Buffer {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new Error(`${what} must be 32 bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
  return Buffer.from(bytes);
}

/** The raw public key of an OKP KeyObject (via JWK `x`). */
function rawPublic(key: KeyObject): Buffer {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('key export gave no public part');
  return Buffer.from(jwk.x, 'base64url');
}

/** The key id of an Ed25519 public key: first 4 bytes of its SHA-256, lower-case hex. */
export function kidOf(ed25519Public: Uint8Array): string {
  return createHash('sha256').update(ed25519Public).digest().subarray(0, 4).toString('hex');
}

export function ed25519FromSeed(seed: Uint8Array): Ed25519KeyPair {
  const s = raw32('Ed25519 seed', seed);
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, s]), format: 'der', type: 'pkcs8' });
  const publicKey = rawPublic(privateKey);
  return { seed: s, publicKey, kid: kidOf(publicKey), privateKey };
}

export function x25519FromSeed(seed: Uint8Array): X25519KeyPair {
  const s = raw32('X25519 private key', seed);
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8, s]), format: 'der', type: 'pkcs8' });
  return { seed: s, publicKey: rawPublic(privateKey), privateKey };
}

function rawSeed(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string') throw new Error('key export gave no private part');
  return Buffer.from(jwk.d, 'base64url');
}

export function generateEd25519(): Ed25519KeyPair {
  return ed25519FromSeed(rawSeed(generateKeyPairSync('ed25519').privateKey));
}

export function generateX25519(): X25519KeyPair {
  return x25519FromSeed(rawSeed(generateKeyPairSync('x25519').privateKey));
}

/** A verify key from a raw 32-byte Ed25519 public key. Throws on a wrong length. */
export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  const r = raw32('Ed25519 public key', raw);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI, r]), format: 'der', type: 'spki' });
}

/** A KeyObject from a raw 32-byte X25519 public key. Throws on a wrong length. */
export function x25519PublicKeyObject(raw: Uint8Array): KeyObject {
  const r = raw32('X25519 public key', raw);
  return createPublicKey({ key: Buffer.concat([X25519_SPKI, r]), format: 'der', type: 'spki' });
}

/**
 * X25519(priv, peerPublic), 32 bytes. Throws when the peer key is a low-order
 * point: the result would be all zero, which gives no secret at all (OpenSSL
 * refuses it; the check here makes that independent of the library).
 */
export function x25519Shared(priv: KeyObject, peerPublic: Uint8Array): Buffer {
  let z: Buffer;
  try {
    z = diffieHellman({ privateKey: priv, publicKey: x25519PublicKeyObject(peerPublic) });
  } catch (e) {
    throw new Error(`X25519 with this peer key failed (low-order or invalid point): ${(e as Error).message}`);
  }
  if (z.every((b) => b === 0)) throw new Error('X25519 result is all zero: the peer key is a low-order point');
  return z;
}

/** First 4 bytes of SHA-256 of a kiosk's X25519 public key: the kiosk hint of a mode-1 slip. */
export function kioskHintOf(x25519Public: Uint8Array): Buffer {
  return createHash('sha256').update(x25519Public).digest().subarray(0, 4);
}
