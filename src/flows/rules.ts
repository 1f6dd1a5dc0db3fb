import { kioskNextTry, parcelLimit, parcelNextTry, triesLeft } from '../domain/attempts.js';
import { uuidv7 } from '../domain/index.js';
import type { Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';

type Named = Pick<Parcel, 'sellerId' | 'txn' | 'compartmentId'>;

/** Whether this kiosk's codes are decided by the seller online (its count, 5 by default, then applies). */
export function decidedOnline(ctx: FlowContext): boolean {
  return ctx.config.policy.verification !== 'offline' && ctx.online !== null;
}

/** A wait before the next try: on one parcel, or kiosk-wide against a spray. */
export interface Wait {
  until: number;
  why: 'parcel' | 'kiosk';
}

/** Whether a try (on `p`, or on no named parcel) must wait now; null: go ahead. */
export function waitBeforeTry(ctx: FlowContext, p: Pick<Parcel, 'sellerId' | 'txn'> | null): Wait | null {
  const { store, clock, config } = ctx;
  const now = clock.now();
  if (p) {
    const a = store.attempts.parcel(p.sellerId, p.txn);
    const until = parcelNextTry(a.failures, a.lastAt, config.attempts);
    if (until > now) return { until, why: 'parcel' };
  }
  const k = store.attempts.kioskSpraySince(now - config.attempts.kioskWindowMs);
  const until = kioskNextTry(k.parcels, k.lastAt, config.attempts);
  return until > now ? { until, why: 'kiosk' } : null;
}

/** Tries left on a parcel now (0: locked out). */
export function parcelTriesLeft(ctx: FlowContext, p: Pick<Parcel, 'sellerId' | 'txn'>): number {
  return triesLeft(ctx.store.attempts.parcelFailures(p.sellerId, p.txn), decidedOnline(ctx), ctx.config.attempts);
}

/**
 * A wrong code (or finger, or `denied`) for a parcel: counted on it and across
 * the kiosk, audited, and an `attempts-exceeded` alarm when it reaches the
 * limit. Returns the tries left.
 */
export function recordWrongCode(ctx: FlowContext, p: Named, detail: string | null = null): number {
  const { store, clock, config, reporter } = ctx;
  const now = clock.now();
  const limit = parcelLimit(decidedOnline(ctx), config.attempts);
  const n = store.tx(() => {
    const f = store.attempts.recordFailure(p.sellerId, p.txn, now);
    store.audit.add('code.wrong', now, { sellerId: p.sellerId, txn: p.txn, detail });
    if (f === limit) reporter.alarm('attempts-exceeded', p.compartmentId, `parcel ${p.txn}: ${f} wrong codes`);
    return f;
  });
  reporter.queued();
  return Math.max(0, limit - n);
}

/** A fresh scope for one card or tag presented: its wrong codes count as one thing guessed at. */
export function unnamedScope(ctx: FlowContext, kind: 'card' | 'token'): string {
  return `${kind}:${uuidv7(ctx.clock.now())}`;
}

/** A wrong code that names no parcel (a card, a tag): counted across the kiosk under its scope. */
export function recordUnnamedFailure(ctx: FlowContext, scope: string): void {
  const { store, clock } = ctx;
  const at = clock.now();
  store.tx(() => {
    store.attempts.recordKioskFailure(scope, at);
    store.audit.add('code.wrong', at, { detail: scope.slice(0, scope.indexOf(':')) });
  });
}
