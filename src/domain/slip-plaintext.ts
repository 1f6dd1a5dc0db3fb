/**
 * The decrypted slip plaintext (slip.md): a UTF-8 JSON object with a `txn`;
 * `due` and `holdUntil` kept when well-formed; unknown members passed through.
 */
import { isRfc3339, isTxn } from './ids.js';

export interface Due {
  /** Integer minor units, 0 or more. */
  amount: number;
  /** ISO 4217 letters, e.g. "JPY". */
  currency: string;
}

export interface SlipPlaintext {
  txn: string;
  due?: Due;
  holdUntil?: string;
  [k: string]: unknown;
}

const CURRENCY = /^[A-Z]{3}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A well-formed `due`, or null. */
export function parseDue(v: unknown): Due | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const { amount, currency } = v as Record<string, unknown>;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) return null;
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) return null;
  return { amount, currency };
}

/**
 * Step 5's shape check: valid UTF-8, a JSON object, a string `txn` of the txn
 * syntax; else null. An ill-formed `due` or `holdUntil` is dropped, not fatal
 * (the spec ignores members it cannot use).
 */
export function readSlipPlaintext(bytes: Uint8Array): SlipPlaintext | null {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  // Spread, not Object.assign: a "__proto__" member stays a plain own member.
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const txn = out.txn;
  if (typeof txn !== 'string' || !isTxn(txn)) return null;
  if ('due' in out) {
    const due = parseDue(out.due);
    if (due === null) delete out.due;
    else out.due = due;
  }
  if ('holdUntil' in out && (typeof out.holdUntil !== 'string' || !isRfc3339(out.holdUntil))) delete out.holdUntil;
  return out as SlipPlaintext;
}

/** The plaintext bytes a seller encrypts; throws on a bad txn, due or holdUntil. */
export function writeSlipPlaintext(p: SlipPlaintext): Buffer {
  if (typeof p !== 'object' || p === null || !isTxn(p.txn)) {
    throw new Error('slip plaintext needs a txn of 1-64 characters 0x21-0x7E');
  }
  if (p.due !== undefined && parseDue(p.due) === null) {
    throw new Error('slip plaintext due must be { amount: integer minor units >= 0, currency: 3 capital letters }');
  }
  if (p.holdUntil !== undefined && !isRfc3339(p.holdUntil)) {
    throw new Error('slip plaintext holdUntil must be an RFC 3339 time such as 2026-12-01T00:00:00Z');
  }
  return Buffer.from(JSON.stringify(p), 'utf8');
}
