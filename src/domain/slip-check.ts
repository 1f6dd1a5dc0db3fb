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
import { findKey, verifyKeyOf, type TrustStore } from './trust.js';

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

function fail(reason: SlipFailure, slip: ParsedSlip | null): SlipCheck {
  return { ok: false, reason, slip };
}

/**
 * Runs the slip check. Without a code it stops after step 3 and gives
 * `txn: null, plaintext: null, keys: null`. A `wrong-code` for a code that is
 * not 6–16 digits comes before any key derivation (callers that count
 * attempts test the code with isCode); any other `wrong-code` follows one.
 */
export async function checkSlip(text: string, opts: CheckOptions): Promise<SlipCheck> {
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
    if (opts.code === undefined || opts.code === null) {
      return { ok: true, slip, txn: null, plaintext: null, keys: null };
    }

    // Step 4: the code opens the ciphertext.
    if (!isCode(opts.code)) return fail('wrong-code', slip);
    const S = await deriveS(opts.code, slip.salt, slip.params);
    const plainBytes = openCiphertext(kSlip(S, Z, slip.salt, slip.slipId), slip);
    if (plainBytes === null) return fail('wrong-code', slip);

    // Step 5: the plaintext names a txn, and it is the one expected.
    const plaintext = readSlipPlaintext(plainBytes);
    if (plaintext === null) return fail('malformed', slip);
    if (opts.expectTxn !== undefined && opts.expectTxn !== null && plaintext.txn !== opts.expectTxn) {
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
