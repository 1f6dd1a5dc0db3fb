/**
 * Proofs that a code was known, without the code: the online check, the
 * recipient proof on a receipt, and manifest verifiers (slip.md).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { b64uDecode, b64uEncode } from './b64.js';
import { isCode } from './ids.js';
import { deriveS, kReceipt, kVerify, scryptParamsOk, type ScryptParams } from './kdf.js';

const ONLINE = Buffer.from('PKS1 online', 'ascii');

// Ids and txns are ASCII by syntax; they are fed as UTF-8, which is the same
// bytes for ASCII and, unlike node's 'ascii' encoding, never maps two
// different strings to one byte string.

/** HMAC-SHA256(K_verify, "PKS1 online" || requestId). */
export function onlineProof(kVerifyKey: Uint8Array, requestId: string): Buffer {
  return createHmac('sha256', kVerifyKey).update(ONLINE).update(requestId, 'utf8').digest();
}

/** HMAC-SHA256(K_receipt, eventId || 0x00 || txn). */
export function recipientProof(kReceiptKey: Uint8Array, eventId: string, txn: string): Buffer {
  return createHmac('sha256', kReceiptKey)
    .update(eventId, 'utf8')
    .update(Buffer.of(0))
    .update(txn, 'utf8')
    .digest();
}

/** A manifest verifier as protocol.md carries it; salt and key are base64url. */
export interface Verifier {
  salt: string;
  logN: number;
  r: number;
  p: number;
  key: string;
}

/** A verifier for `code` under `params`, with a fresh 16-byte salt unless one is given. */
export async function makeVerifier(
  code: string,
  params: ScryptParams,
  salt: Uint8Array = randomBytes(16),
): Promise<Verifier> {
  if (salt.length !== 16) throw new Error(`verifier salt must be 16 bytes, got ${salt.length}`);
  const S = await deriveS(code, salt, params);
  return { salt: b64uEncode(salt), logN: params.logN, r: params.r, p: params.p, key: b64uEncode(kVerify(S, salt)) };
}

/**
 * A verifier from untrusted JSON, or null: the five members present with the
 * right types, scrypt parameters within bounds, a 16-byte salt and a 32-byte
 * key in canonical base64url. Other members are ignored.
 */
export function parseVerifier(v: unknown): Verifier | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const { salt, logN, r, p, key } = o;
  if (typeof salt !== 'string' || typeof key !== 'string') return null;
  if (typeof logN !== 'number' || typeof r !== 'number' || typeof p !== 'number') return null;
  if (!scryptParamsOk({ logN, r, p })) return null;
  if (b64uDecode(salt)?.length !== 16 || b64uDecode(key)?.length !== 32) return null;
  return { salt, logN, r, p, key };
}

export interface VerifierCheck {
  ok: boolean;
  /** K_verify and K_receipt of the typed code, only when ok. */
  kVerify: Buffer | null;
  kReceipt: Buffer | null;
  /** The verifier's salt (empty when the verifier itself is unusable). */
  salt: Buffer;
}

/**
 * Checks a typed code against a verifier. A code that is not 6–16 digits, or
 * an unusable verifier, gives ok false without a key derivation (so it does
 * not count as an attempt). The comparison is constant-time.
 */
export async function checkVerifier(code: string, v: Verifier): Promise<VerifierCheck> {
  const parsed = parseVerifier(v);
  const salt = parsed === null ? Buffer.alloc(0) : (b64uDecode(parsed.salt) ?? Buffer.alloc(0));
  if (parsed === null || !isCode(code)) return { ok: false, kVerify: null, kReceipt: null, salt };
  const expected = b64uDecode(parsed.key) ?? Buffer.alloc(32);
  const S = await deriveS(code, salt, parsed);
  const kv = kVerify(S, salt);
  if (!timingSafeEqual(kv, expected)) return { ok: false, kVerify: null, kReceipt: null, salt };
  return { ok: true, kVerify: kv, kReceipt: kReceipt(S, salt), salt };
}

