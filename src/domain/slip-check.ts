/**
 * Checking a slip, kiosk side: slip.md "Checking a slip", steps 1–5 in order,
 * stopping at the first failure. Never throws.
 */
import { createDecipheriv, verify } from 'node:crypto';
import { isCode } from './ids.js';
import { deriveS, kReceipt, kSlip, kVerify } from './kdf.js';
import { kioskHintOf, x25519Shared, type X25519KeyPair } from './keys.js';
import { parseSlip, TAG_LEN, type ParsedSlip } from './slip-bytes.js';
import { readSlipPlaintext, type SlipPlaintext } from './slip-plaintext.js';
import { findKey, verifyKeyOf, type TrustedKey, type TrustStore } from './trust.js';

export type SlipFailure =
  | 'malformed'
  | 'untrusted'
  | 'bad-signature'
  | 'mode-not-allowed'
  | 'wrong-kiosk'
  | 'wrong-code'
  | 'txn-mismatch';

export interface CheckOptions {
  trust: TrustStore;
  /** Whether this kiosk's config accepts mode-0 (code only) slips. */
  allowMode0: boolean;
  /** This kiosk's X25519 key; null: it accepts no mode-1 slip. */
  kioskX25519: X25519KeyPair | null;
  /** The typed code; absent or null: steps 1–3 only (check-in). */
  code?: string | null;
  /** The txn this parcel is known by; absent or null: no comparison. */
  expectTxn?: string | null;
  /** ms since the epoch, for key expiry; defaults to the wall clock. */
  now?: number;
}

export interface SlipKeys {
  kVerify: Buffer;
  kReceipt: Buffer;
  salt: Buffer;
}

export type SlipCheck =
  | { ok: true; slip: ParsedSlip; txn: string | null; plaintext: SlipPlaintext | null; keys: SlipKeys | null }
  | { ok: false; reason: SlipFailure; slip: ParsedSlip | null };

const EMPTY = Buffer.alloc(0);

function fail(reason: SlipFailure, slip: ParsedSlip | null): Extract<SlipCheck, { ok: false }> {
  return { ok: false, reason, slip };
}

/** A slip past steps 1–3 (shape, signature, addressed here): what steps 4–5 need besides the code. */
export interface OpenedSlip {
  slip: ParsedSlip;
  /** The trusted key that signed it (a later check compares it with findKey's answer then). */
  key: TrustedKey;
  /** The X25519 shared secret of a mode-1 slip; empty for mode 0. */
  Z: Buffer;
}

export type SlipOpening = { ok: true; opened: OpenedSlip } | Extract<SlipCheck, { ok: false }>;

/**
 * Steps 1–3, which need no code: shape and bounds, a trusted unexpired key's
 * signature, and (mode 1) addressed to this kiosk. Never throws.
 */
export function openSlip(text: string, opts: Omit<CheckOptions, 'code' | 'expectTxn'>): SlipOpening {
  let slip: ParsedSlip | null = null;
  try {
    // Step 1: shape and bounds, before any key or work.
    slip = parseSlip(text);
    if (slip === null) return fail('malformed', null);

    // Step 2: a trusted, unexpired key of this seller signed it.
    const key = findKey(opts.trust, slip.sellerId, slip.kid, opts.now ?? Date.now());
    if (key === null) return fail('untrusted', slip);
    if (!verify(null, slip.signed, verifyKeyOf(key), slip.signature)) return fail('bad-signature', slip);
    if (slip.mode === 0 && !opts.allowMode0) return fail('mode-not-allowed', slip);

    // Step 3: a mode-1 slip is addressed to this kiosk.
    let Z: Buffer = EMPTY;
    if (slip.mode === 1) {
      const kiosk = opts.kioskX25519;
      if (kiosk === null || slip.kioskHint === null || !slip.kioskHint.equals(kioskHintOf(kiosk.publicKey))) {
        return fail('wrong-kiosk', slip);
      }
      if (slip.ephPublic === null) return fail('malformed', slip);
      try {
        Z = x25519Shared(kiosk.privateKey, slip.ephPublic);
      } catch {
        return fail('malformed', slip); // low-order ephemeral key: all-zero secret
      }
    }
    return { ok: true, opened: { slip, key, Z } };
  } catch {
    return fail('malformed', slip);
  }
}

/**
 * Whether a slip opened earlier still stands at `now`: its signer's key is
 * still the trusted, unexpired one it was checked with.
 */
export function stillTrusted(opened: OpenedSlip, trust: TrustStore, now: number): boolean {
  return findKey(trust, opened.slip.sellerId, opened.slip.kid, now) === opened.key;
}

/**
 * Steps 4–5 on an opened slip: the code opens the ciphertext, and the
 * plaintext names the txn expected. Never throws.
 */
export async function checkOpenedSlip(opened: OpenedSlip, code: string, expectTxn?: string | null): Promise<SlipCheck> {
  const { slip, Z } = opened;
  try {
    // Step 4: the code opens the ciphertext.
    if (!isCode(code)) return fail('wrong-code', slip);
    const S = await deriveS(code, slip.salt, slip.params);
    const plainBytes = openCiphertext(kSlip(S, Z, slip.salt, slip.slipId), slip);
    if (plainBytes === null) return fail('wrong-code', slip);

    // Step 5: the plaintext names a txn, and it is the one expected.
    const plaintext = readSlipPlaintext(plainBytes);
    if (plaintext === null) return fail('malformed', slip);
    if (expectTxn !== undefined && expectTxn !== null && plaintext.txn !== expectTxn) {
      return fail('txn-mismatch', slip);
    }
    return {
      ok: true,
      slip,
      txn: plaintext.txn,
      plaintext,
      keys: { kVerify: kVerify(S, slip.salt), kReceipt: kReceipt(S, slip.salt), salt: Buffer.from(slip.salt) },
    };
  } catch {
    return fail('malformed', slip);
  }
}

/**
 * Runs the slip check. Without a code it stops after step 3 and gives
 * `txn: null, plaintext: null, keys: null`. A `wrong-code` for a code that is
 * not 6–16 digits comes before any key derivation (callers that count
 * attempts test the code with isCode); any other `wrong-code` follows one.
 */
export async function checkSlip(text: string, opts: CheckOptions): Promise<SlipCheck> {
  const o = openSlip(text, opts);
  if (!o.ok) return o;
  if (opts.code === undefined || opts.code === null) {
    return { ok: true, slip: o.opened.slip, txn: null, plaintext: null, keys: null };
  }
  return checkOpenedSlip(o.opened, opts.code, opts.expectTxn);
}

/** AES-256-GCM open; null when the tag fails. */
function openCiphertext(key: Buffer, slip: ParsedSlip): Buffer | null {
  const body = slip.ciphertext.subarray(0, slip.ciphertext.length - TAG_LEN);
  const tag = slip.ciphertext.subarray(slip.ciphertext.length - TAG_LEN);
  const d = createDecipheriv('aes-256-gcm', key, slip.nonce, { authTagLength: TAG_LEN });
  d.setAAD(slip.aad);
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(body), d.final()]);
  } catch {
    return null;
  }
}
