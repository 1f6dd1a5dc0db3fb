import {
  b64uDecode,

  checkOpenedSlip,
  checkSlip,
  checkVerifier,
  deriveS,
  isCode,
  kReceipt,
  kVerify,
  openSlip,
  parseSlip,
  parseVerifier,
  stillTrusted,
  type CheckOptions,
  type OpenedSlip,
  type ScryptParams,
  type SlipCheck,
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
  /**
   * It cannot be checked here now: the seller did not answer (`seller-silent`:
   * try later), or nothing here can check it (`no-check`: contact the seller).
   */
  | { kind: 'unavailable'; why: 'seller-silent' | 'no-check' };

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
  // A verifier without `key` (online only) still gives the salt and parameters.
  const v = p.verifier;
  const salt = v ? b64uDecode(v.salt) : null;
  if (v && salt?.length === 16) return { salt, params: { logN: v.logN, r: v.r, p: v.p } };
  return null;
}

/** Whether the kiosk holds anything to check a code against offline (a slip, or a verifier with its key). */
function offlineCheckable(p: Parcel): boolean {
  return p.slip !== null || (p.verifier !== null && p.verifier.key !== undefined);
}

async function deriveKeys(code: string, salt: Buffer, params: ScryptParams): Promise<Keys> {
  const S = await deriveS(code, salt, params);
  return { kVerify: kVerify(S, salt), kReceipt: kReceipt(S, salt), salt };
}

type Offline =
  | { kind: 'ok'; method: HandoverMethod; keys: Keys; due: Money | null }
  | { kind: 'wrong' }
  | { kind: 'moved' }
  | { kind: 'unavailable' };

/**
 * The slip of the parcel whose code is being typed, opened (slip.md steps
 * 1–3: signature, addressed here) while the person types, so the final `#`
 * waits only for the key derivation and the steps after it. One per kiosk
 * (one conversation at a time); forgotten after OPENED_FOR_MS.
 */
const opened = new WeakMap<FlowContext, { text: string; slip: OpenedSlip; at: number }>();
const OPENED_FOR_MS = 10 * 60_000;

/** What this kiosk checks a slip against now: its trusted keys, its mode-0 policy, its X25519 key, the time. */
export function slipOptions(ctx: FlowContext): Omit<CheckOptions, 'code' | 'expectTxn'> & { now: number } {
  return { trust: ctx.trust, allowMode0: ctx.config.policy.allowMode0, kioskX25519: ctx.kioskX25519, now: ctx.clock.now() };
}

/** The slip opened ahead for `slip`, while it is still fresh; null otherwise. */
function aheadFor(ctx: FlowContext, slip: string, now: number): OpenedSlip | null {
  const a = opened.get(ctx);
  return a?.text === slip && now - a.at < OPENED_FOR_MS ? a.slip : null;
}

/** Opens `p`'s slip ahead of its code (the code screen calls it); a slip that does not open is left for the check to refuse. */
export function openAhead(ctx: FlowContext, p: Parcel): void {
  if (!p.slip) return;
  const opts = slipOptions(ctx);
  if (aheadFor(ctx, p.slip, opts.now)) return;
  opened.delete(ctx);
  const o = openSlip(p.slip, opts);
  if (o.ok) opened.set(ctx, { text: p.slip, slip: o.opened, at: opts.now });
}

/** Whether `slip` is the one opened ahead (tests). */
export function openedAhead(ctx: FlowContext, slip: string): boolean {
  return opened.get(ctx)?.text === slip;
}

/** The whole slip check, reusing what openAhead opened while its signer's key still stands. */
function checkParcelSlip(ctx: FlowContext, slip: string, code: string, txn: string): Promise<SlipCheck> {
  const opts = slipOptions(ctx);
  const ahead = aheadFor(ctx, slip, opts.now);
  if (ahead && stillTrusted(ahead, ctx.trust, opts.now)) return checkOpenedSlip(ahead, code, txn);
  return checkSlip(slip, { ...opts, code, expectTxn: txn });
}

/** slip.md: through the slip read at load, else through the manifest verifier. */
async function checkOffline(ctx: FlowContext, p: Parcel, code: string): Promise<Offline> {
  if (p.slip) {
    const r = await checkParcelSlip(ctx, p.slip, code, p.txn);
    if (r.ok && r.keys) return { kind: 'ok', method: 'slip', keys: r.keys, due: r.plaintext?.due ?? null };
    if (!r.ok) {
      if (r.reason === 'wrong-code') return { kind: 'wrong' };
      if (r.reason === 'txn-mismatch') return { kind: 'moved' };
      ctx.log.warn({ txn: p.txn, reason: r.reason }, "the parcel's slip cannot be checked here now");
    }
  }
  const v = p.verifier ? parseVerifier(p.verifier) : null;
  if (v) {
    const r = await checkVerifier(code, v);
    if (r.ok && r.kVerify && r.kReceipt) return { kind: 'ok', method: 'code', keys: { kVerify: r.kVerify, kReceipt: r.kReceipt, salt: r.salt }, due: null };
    return { kind: 'wrong' };
  }
  return { kind: 'unavailable' };
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
      return { kind: 'unavailable', why: 'no-check' };
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
    if (policy === 'online-then-offline' && offlineCheckable(p)) return offline();
    return { kind: 'unavailable', why: on === null && !proofParams(p) ? 'no-check' : 'seller-silent' };
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
      return { kind: 'unavailable', why: 'seller-silent' };
  }
  if (policy === 'both') {
    const o = await offline();
    if (o.kind !== 'ok') return o;
  }
  return { kind: 'ok', method: 'online', salt: answered.keys.salt, kReceipt: answered.keys.kReceipt };
}

