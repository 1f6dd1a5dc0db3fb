/**
 * Custody applied to a compartment set aside: staff say what they found in it
 * (checked empty or with its parcel inside), and staff or the device
 * supervisor take a compartment out of service or back. As in `custody.ts`,
 * each change is judged by the pure rules against the rows as they are inside
 * the transaction and recorded there with its audit row and the event it
 * reports; results are typed values.
 */
import { compartmentStep } from '../domain/custody.js';
import type { FlowContext } from './context.js';
import { compartmentCustody, judgeRow, OUT_OF_SERVICE, type Done, type Refused } from './custody.js';
import { holdUntilFor, recordHandedOver } from './parcel-records.js';

/**
 * Staff looked into a compartment set aside for checking (`check` or out of
 * service) and say what they found. Empty: the compartment goes back in
 * service free; a parcel whose handover was set aside (unknown outcome after
 * a restart) is handed over with the receipt of that unlock, and an
 * interrupted load leaves no trace (announced: `expected` again; slip only:
 * forgotten). Parcel inside: the compartment goes back in service occupied;
 * a set-aside handover's parcel stays `stored` (its code opens the door
 * again), an interrupted load is stored now (`parcel.arrived`). Refused
 * while a door is being watched, for an empty compartment whose parcel was
 * never unlocked (it is missing: staff take it up with the seller), and for
 * "inside" where the kiosk links no parcel to the compartment.
 */
export function checkCompartment(ctx: FlowContext, compartmentId: string, found: 'empty' | 'inside', who: string, reason: string): Done<{ outcome: string }> {
  const { store, reporter, config } = ctx;
  const now = ctx.clock.now();
  const r = store.tx((): Done<{ outcome: string }> => {
    const c = store.compartments.get(compartmentId);
    if (!c) return { ok: false, refused: 'compartment', state: 'missing' };
    const cs = compartmentCustody(c);
    if (cs !== 'check' && cs !== 'out-of-service') return { ok: false, refused: 'compartment', state: cs };
    const held = store.parcels.inCompartment(compartmentId);
    if (held && held.state !== 'stored') return { ok: false, refused: 'compartment', state: 'busy' };
    const p = held ?? store.parcels.interruptedLoad(compartmentId);
    let outcome = found === 'empty' ? 'empty' : 'nothing linked';
    let holdsParcel = false;
    if (p) {
      const w = { sellerId: p.sellerId, txn: p.txn };
      const released = p.state === 'stored' && p.handover !== null;
      const j = judgeRow(p, { kind: 'checked', found, released }, now, p.verifier !== null || p.bio !== null);
      if (!j.ok) return { ok: false, refused: 'compartment', state: found === 'empty' ? 'parcel-unaccounted' : 'busy' };
      if (j.next === null) {
        store.parcels.delete(w.sellerId, w.txn);
        outcome = `interrupted load of ${p.txn} dropped`;
      } else if (p.state === 'expected' && j.next === 'expected') {
        store.parcels.update(w.sellerId, w.txn, { compartmentId: null }, now);
        outcome = `interrupted load of ${p.txn} dropped (still announced)`;
      } else if (p.state === 'expected') {
        const holdUntil = holdUntilFor(p, config.hold, now);
        store.parcels.update(w.sellerId, w.txn, { state: 'stored', compartmentId, holdUntil }, now);
        reporter.event('parcel.arrived', w.sellerId, w.txn, { lockerId: compartmentId });
        store.audit.add('parcel.stored', now, { ...w, compartmentId, detail: `found inside by ${who}` });
        holdsParcel = true;
        outcome = `${p.txn} stored`;
      } else if (j.next === 'handed-over' && p.handover) {
        recordHandedOver(ctx, p, p.handover, compartmentId, `${p.handover.method}; found gone by ${who}`, now);
        outcome = `${p.txn} handed over`;
      } else {
        store.parcels.update(w.sellerId, w.txn, { handover: null }, now);
        holdsParcel = true;
        outcome = `${p.txn} still inside`;
      }
    } else if (found === 'inside') {
      return { ok: false, refused: 'compartment', state: 'nothing-linked' };
    }
    store.compartments.setState(compartmentId, holdsParcel ? 'occupied' : 'free', null, now);
    store.audit.add('compartment.checked', now, { compartmentId, sellerId: p?.sellerId ?? null, txn: p?.txn ?? null, detail: `${who}: ${found === 'empty' ? 'empty' : 'parcel inside'}: ${reason}; ${outcome}` });
    return { ok: true, outcome };
  });
  // After the commit: tell the sender rows wait.
  if (r.ok) reporter.queued();
  return r;
}

/** Why a compartment could not be marked checked, in words for the operator. */
export function checkRefusal(r: Refused): string {
  if (r.refused !== 'compartment') return r.refused;
  switch (r.state) {
    case 'missing':
      return 'no such compartment at this kiosk';
    case 'busy':
      return 'a load, handover or return is in progress there';
    case 'parcel-unaccounted':
      return 'its parcel was never unlocked for anyone, so an empty compartment means it is missing: take it up with the seller (nothing changed)';
    case 'nothing-linked':
      return 'the kiosk links no parcel to it: take out what is inside and hand it to the seller (nothing changed)';
    default:
      return `it is not set aside for checking (it is ${r.state})`;
  }
}

/** An operator (or the device supervisor) takes a compartment out of service or back. */
export function setCompartmentService(ctx: FlowContext, compartmentId: string, out: boolean, who: string, reason: string): Done {
  const { store } = ctx;
  const now = ctx.clock.now();
  return store.tx((): Done => {
    const c = store.compartments.get(compartmentId);
    if (!c) return { ok: false, refused: 'compartment', state: 'missing' };
    const holdsParcel = store.parcels.inCompartment(compartmentId) !== null;
    // An interrupted load may be inside: staff say what they found (checkCompartment) instead.
    if (!out && store.parcels.interruptedLoad(compartmentId)) return { ok: false, refused: 'compartment', state: 'check-inside' };
    const r = compartmentStep(compartmentCustody(c), out ? { kind: 'out-of-service' } : { kind: 'in-service', holdsParcel });
    if (!r.ok) return { ok: false, refused: 'compartment', state: r.state };
    store.compartments.setState(compartmentId, r.next === 'out-of-service' ? 'check' : r.next, r.next === 'out-of-service' ? `${OUT_OF_SERVICE}: ${reason}` : null, now);
    // Back in service as it is: a set-aside handover's receipt is void (the parcel is taken to be inside).
    const held = store.parcels.inCompartment(compartmentId);
    if (!out && held?.state === 'stored' && held.handover) store.parcels.update(held.sellerId, held.txn, { handover: null }, now);
    store.audit.add(out ? 'compartment.out-of-service' : 'compartment.in-service', now, { compartmentId, detail: `${who}: ${reason}` });
    return { ok: true };
  });
}
