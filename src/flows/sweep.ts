import type { FlowContext } from './context.js';
import type { Custody } from './custody.js';

/**
 * Parcels past their hold time get one `parcel.uncollected` event each and
 * stay in their compartment for a courier to take back. Returns how many.
 * (A handover tried past the hold is refused and reported at that moment, so
 * the sweep only catches parcels nobody asked for.)
 */
export function sweepUncollected(ctx: FlowContext, custody: Custody): number {
  const now = ctx.clock.now();
  let n = 0;
  for (const p of ctx.store.parcels.inState('stored')) {
    if (p.uncollectedAt !== null || p.withdrawn || p.holdUntil === null || p.holdUntil > now) continue;
    if (custody.markUncollected(p)) n++;
  }
  return n;
}
