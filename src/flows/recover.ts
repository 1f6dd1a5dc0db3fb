import type { FlowContext } from './context.js';
import type { Custody } from './custody.js';
import type { Doors } from './doors.js';

/**
 * After a restart, brings custody and the doors into agreement, exactly once:
 * an interrupted load is cancelled (its compartment set aside for checking,
 * its note naming the parcel the courier may have put in, the parcel kept
 * known beside it until staff say what they found; with an item sensor that
 * sees the compartment empty behind a closed door, it leaves no trace);
 * an interrupted handover whose door was seen open and is closed now is
 * finished, one whose door is still open is finished when it closes. Any
 * other (its door closed or unreadable, never seen open or no longer
 * readable) is not known: the lock was released, or may have been, while the
 * kiosk was down and could not see the door, so the parcel may be gone. It
 * goes back to `stored` with its compartment out of service until staff have
 * looked: a door is never opened again for a parcel that may have been taken.
 */
export function recoverAfterRestart(ctx: FlowContext, custody: Custody, doors: Doors, doorOpenOf: (channel: number) => boolean | null): void {
  const { store, log } = ctx;
  for (const p of store.parcels.inState('loading')) {
    const c = p.compartmentId ? store.compartments.get(p.compartmentId) : null;
    // The item sensor seeing it empty behind a closed door: nothing went in; the load leaves no trace.
    if (c && doors.itemOf(c.id) === false && doorOpenOf(c.channel) === false) {
      custody.undoLoad(p, c.id, { audit: 'restart; compartment seen empty', fault: null });
      log.warn({ txn: p.txn, compartment: c.id }, 'load interrupted by a restart: the compartment is empty, cancelled');
      continue;
    }
    custody.undoLoad(p, p.compartmentId, { audit: 'restart', fault: `load of ${p.sellerId}/${p.txn} interrupted by a restart: the parcel may be inside`, maybeInside: true });
    log.warn({ txn: p.txn, compartment: p.compartmentId }, 'load interrupted by a restart: cancelled, compartment set aside for checking');
  }
  for (const p of store.parcels.inState('unlocking')) {
    const c = p.compartmentId ? store.compartments.get(p.compartmentId) : null;
    if (!c) continue;
    const doorOpen = doorOpenOf(c.channel);
    if (doorOpen === true) {
      if (p.doorOpenedAt === null) custody.doorOpened(p);
      doors.resume(c.id, p, true);
    } else if (p.doorOpenedAt !== null && doorOpen === false) {
      doors.finishHandover(c.id, p.sellerId, p.txn);
    } else {
      const seen = p.doorOpenedAt !== null ? 'seen open, door sensor unreadable at the restart' : 'door not seen open';
      custody.setAsideHandover(p, `handover interrupted by a restart (${seen}): content unknown`);
      log.warn({ txn: p.txn, compartment: c.id }, 'handover interrupted by a restart, outcome unknown: compartment out of service for checking');
    }
  }
}
