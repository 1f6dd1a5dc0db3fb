import { kioskWaitMs } from '../domain/attempts.js';
import type { Parcel, Store } from '../store/index.js';
import type { FlowContext } from './context.js';

/** How long anyone at this kiosk must wait before the next try (ms; 0: go ahead), from the failures on record. */
export function kioskWaitNow(ctx: FlowContext): number {
  const { store, clock, config } = ctx;
  const now = clock.now();
  const k = store.attempts.kioskFailuresSince(now - config.attempts.kioskWindowMs);
  return kioskWaitMs(k.count, k.lastAt, now, config.attempts);
}

/**
 * A wrong code (or finger, or `denied`) for a parcel: counted on it and across
 * the kiosk, audited, and an `attempts-exceeded` alarm when it reaches the
 * limit. Returns the parcel's failures so far.
 */
export function recordWrongCode(ctx: FlowContext, p: Pick<Parcel, 'sellerId' | 'txn' | 'compartmentId'>, detail: string | null = null): number {
  const { store, clock, config, reporter } = ctx;
  const now = clock.now();
  const n = store.tx(() => {
    const f = store.attempts.recordFailure(p.sellerId, p.txn, now);
    store.audit.add('code.wrong', now, { sellerId: p.sellerId, txn: p.txn, detail });
    if (f === config.attempts.perParcel) reporter.alarm('attempts-exceeded', p.compartmentId, `parcel ${p.txn}: ${f} wrong codes`);
    return f;
  });
  reporter.queued();
  return n;
}

/**
 * Undoes an unfinished load (call inside a transaction): a parcel the seller
 * announced goes back to `expected`, one known only from its slip is forgotten.
 */
export function undoLoad(store: Store, p: Parcel, now: number): void {
  if (p.verifier || p.bio) store.parcels.update(p.sellerId, p.txn, { state: 'expected', compartmentId: null }, now);
  else store.parcels.delete(p.sellerId, p.txn);
}
