import { rfc3339 } from '../clock.js';
import type { FlowContext } from './context.js';

/**
 * Parcels past their hold time get one `parcel.uncollected` event each and
 * stay in their compartment for a courier to take back. Returns how many.
 */
export function sweepUncollected(ctx: FlowContext): number {
  const { store, clock, reporter } = ctx;
  const now = clock.now();
  let n = 0;
  for (const p of store.parcels.inState('stored')) {
    if (p.uncollectedAt !== null || p.holdUntil === null || p.holdUntil > now) continue;
    store.tx(() => {
      const fresh = store.parcels.get(p.sellerId, p.txn);
      if (!fresh || fresh.state !== 'stored' || fresh.uncollectedAt !== null) return;
      store.parcels.update(p.sellerId, p.txn, { uncollectedAt: now }, now);
      store.audit.add('parcel.uncollected', now, { sellerId: p.sellerId, txn: p.txn, compartmentId: p.compartmentId });
      reporter.event('parcel.uncollected', p.sellerId, p.txn, { since: rfc3339(p.holdUntil as number), lockerId: p.compartmentId });
      n++;
    });
  }
  if (n > 0) reporter.queued();
  return n;
}
