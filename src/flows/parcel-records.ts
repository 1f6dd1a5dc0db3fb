/**
 * What a parcel's record becomes at two moments every custody path shares:
 * stored (its hold) and handed over (the row, its attempts, the audit line
 * and the receipt). Called inside the caller's transaction.
 */
import type { Parcel, PendingHandover } from '../store/index.js';
import type { FlowContext } from './context.js';

/**
 * Inside a transaction: the parcel left with its recipient. Its handover,
 * fingerprint and verifier are dropped, its attempts forgotten, and the
 * receipt queued with the event id fixed when the handover started.
 */
export function recordHandedOver(ctx: FlowContext, p: Parcel, h: PendingHandover, compartmentId: string | null, detail: string, now: number): void {
  const w = { sellerId: p.sellerId, txn: p.txn };
  ctx.store.parcels.update(w.sellerId, w.txn, { state: 'handed_over', handover: null, bio: null, verifier: null }, now);
  ctx.store.attempts.clearParcel(w.sellerId, w.txn);
  ctx.store.audit.add('parcel.handed_over', now, { ...w, compartmentId, detail });
  ctx.reporter.event('parcel.handed_over', w.sellerId, w.txn, {
    lockerId: compartmentId,
    method: h.method,
    paid: h.paid,
    recipientProof: h.recipientProof,
    salt: h.salt,
  }, h.eventId);
}

/** When a parcel stored now must be collected by: the seller's hold, else the configured default. */
export function holdUntilFor(p: Parcel | null, hold: { defaultDays: number }, now: number): number {
  return p?.holdUntil ?? now + hold.defaultDays * 86_400_000;
}
