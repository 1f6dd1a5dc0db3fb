/**
 * Issuing a parcel: a recipient code, a slip, the keys the seller keeps
 * instead of the code, and the manifest entry the kiosk gets.
 */
import { randomInt } from 'node:crypto';
import {
  b64uEncode,
  DEFAULT_SCRYPT,
  deriveS,
  encodeEnvelope,
  isCode,
  isTxn,
  kReceipt,
  kVerify,
  makeSlip,
  parseSlip,
  signEnvelope,
  uuidv7,
  type ScryptParams,
} from '../domain/index.js';
import { rfc3339 } from '../core/clock.js';
import type { ParcelKeys, SellerParcel } from './db.js';
import { SellerError, type SellerKey } from './keys.js';

export interface IssueOptions {
  kioskId: string;
  /** Default: a fresh T<yyyymmdd>-<6 digits>. */
  txn?: string;
  size?: 'S' | 'M' | 'L';
  /** Default 1 (needs the kiosk's X25519 key); 0 only where the kiosk allows it. */
  mode?: 0 | 1;
  due?: { amount: number; currency: string };
  holdDays?: number;
  /** Default: random digits, 10 for mode 0 (slip.md's advice), 8 for mode 1. */
  code?: string;
  /** Default logN 15, r 8, p 1. */
  params?: ScryptParams;
  /** Send a manifest verifier (default true). Without one the kiosk can only check the slip or ask online. */
  verifier?: boolean;
  /** Write the label PNG (default true). */
  label?: boolean;
  /** Push the manifest now (default true; needs a connection). */
  push?: boolean;
}

export interface Issued {
  kioskId: string;
  txn: string;
  /** The recipient's code: give it to the recipient, and to no one else. */
  code: string;
  slip: string;
  mode: 0 | 1;
  /** Path of the label PNG, or null when none was written. */
  label: string | null;
  /** The manifest seq that carried it, or null when not pushed. */
  seq: number | null;
}

export function randomCode(digits: number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += String(randomInt(0, 10));
  return s;
}

export function newTxn(now: number): string {
  const d = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
  return `T${d}-${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

/** The slip and the keys for its salt (the manifest verifier uses the same salt: one set of keys per parcel). */
export async function makeParcelSecrets(
  seller: SellerKey,
  o: { mode: 0 | 1; code: string; txn: string; due?: { amount: number; currency: string }; holdUntil?: string; params: ScryptParams; kioskX25519: Buffer | null },
): Promise<{ slip: string; keys: ParcelKeys }> {
  const plaintext: { txn: string; due?: { amount: number; currency: string }; holdUntil?: string } = { txn: o.txn };
  if (o.due !== undefined) plaintext.due = o.due;
  if (o.holdUntil !== undefined) plaintext.holdUntil = o.holdUntil;
  const slip = await makeSlip({
    seller: { id: seller.sellerId, keys: seller.keys },
    mode: o.mode,
    code: o.code,
    plaintext,
    params: o.params,
    ...(o.kioskX25519 !== null ? { kioskX25519Public: o.kioskX25519 } : {}),
  });
  const parsed = parseSlip(slip);
  if (parsed === null) throw new Error('the slip just made does not parse');
  const S = await deriveS(o.code, parsed.salt, parsed.params);
  return {
    slip,
    keys: {
      salt: b64uEncode(parsed.salt),
      logN: parsed.params.logN,
      r: parsed.params.r,
      p: parsed.params.p,
      kVerify: kVerify(S, parsed.salt),
      kReceipt: kReceipt(S, parsed.salt),
    },
  };
}

/** Checks issue options; returns the resolved mode, code and params. */
export function resolveIssue(o: IssueOptions, haveX25519: boolean): { mode: 0 | 1; code: string; params: ScryptParams } {
  const mode = o.mode ?? 1;
  if (mode !== 0 && mode !== 1) throw new SellerError('bad-option', 'mode is 0 or 1');
  if (mode === 1 && !haveX25519) {
    throw new SellerError(
      'unknown-kiosk',
      `a mode-1 slip needs kiosk ${o.kioskId}'s X25519 key: register it (seller kiosk add FILE, from \`pickup-kiosk identity\`) or use --mode 0`,
    );
  }
  const code = o.code ?? randomCode(mode === 0 ? 10 : 8);
  if (!isCode(code)) throw new SellerError('bad-option', 'a recipient code is 6-16 digits');
  if (o.txn !== undefined && !isTxn(o.txn)) throw new SellerError('bad-option', `txn ${JSON.stringify(o.txn)}: 1-64 printable ASCII, no space`);
  if (o.holdDays !== undefined && (!Number.isFinite(o.holdDays) || o.holdDays <= 0 || o.holdDays > 365)) {
    throw new SellerError('bad-option', 'hold days is a number from 1 to 365');
  }
  if (o.due !== undefined && (!Number.isSafeInteger(o.due.amount) || o.due.amount < 0 || !/^[A-Z]{3}$/.test(o.due.currency))) {
    throw new SellerError('bad-option', 'due is AMOUNT:CUR, whole minor units and a 3-letter currency, like 3015:JPY');
  }
  return { mode, code, params: o.params ?? DEFAULT_SCRYPT };
}

export function holdUntilOf(now: number, days: number | undefined): string | undefined {
  return days === undefined ? undefined : rfc3339(now + Math.round(days * 86_400_000));
}

/** The manifest entry for a parcel: what the kiosk must know (never the code). */
export function upsertOf(p: SellerParcel, keys: ParcelKeys | null): Record<string, unknown> {
  const u: Record<string, unknown> = { txn: p.txn };
  if (keys !== null) u.verifier = { salt: keys.salt, logN: keys.logN, r: keys.r, p: keys.p, key: b64uEncode(keys.kVerify) };
  if (p.size !== null) u.size = p.size;
  if (p.holdUntil !== null) u.holdUntil = p.holdUntil;
  if (p.due !== null) u.due = p.due;
  return u;
}

/** A signed manifest envelope, ready to publish. */
export function manifestPayload(
  seller: SellerKey,
  kioskId: string,
  seq: number,
  upserts: ReadonlyArray<Record<string, unknown>>,
  cancels: readonly string[],
  now: number,
): Buffer {
  const body = { type: 'manifest', id: uuidv7(now), at: rfc3339(now), sellerId: seller.sellerId, kioskId, seq, upserts, cancels };
  return encodeEnvelope(signEnvelope(body, { id: seller.sellerId, keys: seller.keys }));
}

/** Splits upserts so each manifest stays well under the kiosk's 4 MiB envelope cap. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
