import {
  b64uDecode,

  checkSlip,
  checkVerifier,
  deriveS,
  isCode,
  kReceipt,
  kVerify,
  parseSlip,
  parseVerifier,
  type ScryptParams,
} from '../domain/index.js';
import { offlineAllowed } from '../domain/attempts.js';
import type { HandoverMethod, Money, Parcel } from '../store/index.js';
import type { FlowContext, OnlineResult } from './context.js';

/** The outcome of checking a typed code for a parcel. The code itself never leaves this module's callers' memory. */
export type CheckOutcome =
  | { kind: 'ok'; method: HandoverMethod; salt: Buffer | null; kReceipt: Buffer | null; due?: Money | null }
  /** A wrong code that counts as a failed attempt. */
  | { kind: 'wrong'; attemptsLeft: number | null }
  /** Not 6–16 digits: refused without a key derivation and without counting. */
  | { kind: 'bad-code' }
  /** Too many wrong codes for an offline check, and no seller answer to fall back on. */
  | { kind: 'locked-out' }
  | { kind: 'seller-locked' }
  | { kind: 'seller-unknown' }
  | { kind: 'seller-cancelled' }
  /** A right code but the slip belongs to another parcel (slip.md `txn-mismatch`). */
  | { kind: 'moved' }
  /** It cannot be checked here now; `why` is words for the screen. */
  | { kind: 'unavailable'; why: string };

interface Keys {
  kVerify: Buffer;
  kReceipt: Buffer;
  salt: Buffer;
}

/** The salt and scrypt parameters an online proof is made with: the slip's, else the manifest verifier's. */
function proofParams(p: Parcel): { salt: Buffer; params: ScryptParams } | null {
  if (p.slip) {
    const s = parseSlip(p.slip);
    if (s) return { salt: s.salt, params: s.params };
  }
  const v = p.verifier ? parseVerifier(p.verifier) : null;
  const salt = v ? b64uDecode(v.salt) : null;
  if (v && salt) return { salt, params: { logN: v.logN, r: v.r, p: v.p } };
  return null;
}

async function deriveKeys(code: string, salt: Buffer, params: ScryptParams): Promise<Keys> {
  const S = await deriveS(code, salt, params);
  return { kVerify: kVerify(S, salt), kReceipt: kReceipt(S, salt), salt };
}

type Offline =
  | { kind: 'ok'; method: HandoverMethod; keys: Keys; due: Money | null }
  | { kind: 'wrong' }
  | { kind: 'moved' }
  | { kind: 'unavailable'; why: string };

/** slip.md: through the slip read at load, else through the manifest verifier. */
async function checkOffline(ctx: FlowContext, p: Parcel, code: string): Promise<Offline> {
  let why = 'this parcel has no slip or manifest entry to check a code against offline';
  if (p.slip) {
    const r = await checkSlip(p.slip, {
      trust: ctx.trust,
      allowMode0: ctx.config.policy.allowMode0,
      kioskX25519: ctx.kioskX25519,
      code,
      expectTxn: p.txn,
      now: ctx.clock.now(),
    });
    if (r.ok && r.keys) return { kind: 'ok', method: 'slip', keys: r.keys, due: r.plaintext?.due ?? null };
    if (!r.ok) {
      if (r.reason === 'wrong-code') return { kind: 'wrong' };
      if (r.reason === 'txn-mismatch') return { kind: 'moved' };
      why = `the parcel's slip cannot be checked here now (${r.reason})`;
    }
  }
  const v = p.verifier ? parseVerifier(p.verifier) : null;
  if (v) {
    const r = await checkVerifier(code, v);
    if (r.ok && r.kVerify && r.kReceipt) return { kind: 'ok', method: 'code', keys: { kVerify: r.kVerify, kReceipt: r.kReceipt, salt: r.salt }, due: null };
    return { kind: 'wrong' };
  }
  return { kind: 'unavailable', why };
}

async function checkOnline(ctx: FlowContext, p: Parcel, code: string): Promise<{ r: OnlineResult; keys: Keys } | null> {
  if (!ctx.online) return null;
  const pp = proofParams(p);
  if (!pp) return null;
  const keys = await deriveKeys(code, pp.salt, pp.params);
  const r = await ctx.online.verifyOnline({
    sellerId: p.sellerId,
    txn: p.txn,
    method: 'code',
    kVerify: keys.kVerify,
    salt: keys.salt,
    timeoutMs: ctx.config.policy.onlineTimeoutMs,
  });
  return { r, keys };
}

function fromOffline(o: Offline): CheckOutcome {
  switch (o.kind) {
    case 'ok':
      return { kind: 'ok', method: o.method, salt: o.keys.salt, kReceipt: o.keys.kReceipt, due: o.due };
    case 'wrong':
      return { kind: 'wrong', attemptsLeft: null };
    case 'moved':
      return { kind: 'moved' };
    case 'unavailable':
      return { kind: 'unavailable', why: o.why };
  }
}

/**
 * Checks `code` for parcel `p` under the configured policy:
 * `offline`, `online`, `online-then-offline` (offline only when the seller
 * does not answer in time) or `both`. A parcel past its offline failure limit
 * is still checked online, where the seller counts.
 */
export async function checkCode(ctx: FlowContext, p: Parcel, code: string): Promise<CheckOutcome> {
  if (!isCode(code)) return { kind: 'bad-code' };
  const failures = ctx.store.attempts.parcelFailures(p.sellerId, p.txn);
  const offlineOk = offlineAllowed(failures, ctx.config.attempts);
  const policy = ctx.config.policy.verification;

  const offline = async (): Promise<CheckOutcome> => (offlineOk ? fromOffline(await checkOffline(ctx, p, code)) : { kind: 'locked-out' });

  if (policy === 'offline') return offline();

  const on = await checkOnline(ctx, p, code);
  const answered = on && on.r.result !== 'timeout' && on.r.result !== 'offline' ? on : null;
  if (!answered) {
    if (policy === 'online-then-offline') return offline();
    return { kind: 'unavailable', why: 'the seller cannot be reached just now' };
  }
  const r = answered.r;
  switch (r.result) {
    case 'denied':
      return { kind: 'wrong', attemptsLeft: r.attemptsLeft ?? null };
    case 'locked':
      return { kind: 'seller-locked' };
    case 'unknown':
      return { kind: 'seller-unknown' };
    case 'cancelled':
      return { kind: 'seller-cancelled' };
    case 'ok':
      break;
    case 'timeout':
    case 'offline':
      return { kind: 'unavailable', why: 'the seller cannot be reached just now' };
  }
  if (policy === 'both') {
    const o = await offline();
    if (o.kind !== 'ok') return o;
  }
  return { kind: 'ok', method: 'online', salt: answered.keys.salt, kReceipt: answered.keys.kReceipt };
}

