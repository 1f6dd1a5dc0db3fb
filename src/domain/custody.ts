/**
 * Custody: where a parcel is and who may do what with it, and what each
 * compartment is doing. Pure: a state, an event and the time in, the next
 * state or a typed refusal out. Every rule about which transition is allowed
 * lives here; `src/flows/custody.ts` carries them out in the store.
 *
 * Parcel:
 *   expected → loading → stored → handing-over → handed-over
 *   stored → withdrawn | uncollected → returning → returned
 *   loading, handing-over and returning can be undone.
 * Compartment: free, reserved, occupied, check, out-of-service.
 */

export type ParcelCustody =
  | 'expected' // announced by the seller, not here yet
  | 'loading' // a courier's door is open to put it in
  | 'stored' // in a compartment (or behind the counter), waiting for its recipient
  | 'handing-over' // its door is unlocked for the recipient
  | 'handed-over'
  | 'withdrawn' // the seller cancelled it while it was here: it waits for return
  | 'uncollected' // its hold passed: it waits for return
  | 'returning' // a courier's door is open to take it back
  | 'returned';

export type CompartmentCustody = 'free' | 'reserved' | 'occupied' | 'check' | 'out-of-service';

/** What the rules need to know of a parcel. `holdUntil` null: no hold ends. */
export interface ParcelFacts {
  state: ParcelCustody | null; // null: the kiosk has never heard of it
  holdUntil: number | null;
}

export type ParcelEvent =
  | { kind: 'announce' } // a manifest upsert
  | { kind: 'cancel' } // a manifest cancel
  | { kind: 'load-start' }
  | { kind: 'load-done' }
  /** `maybeInside`: the door was opened (or a restart hid it): the parcel may be in the compartment, so it stays known. */
  | { kind: 'load-undo'; maybeInside?: boolean }
  | { kind: 'check-in' } // a clerk takes it behind the counter
  | { kind: 'handover-start' }
  | { kind: 'handover-done' }
  | { kind: 'handover-undo' }
  | { kind: 'hold-check' } // the sweep, or anyone, asking whether the hold passed
  | { kind: 'return-start' }
  | { kind: 'return-done' }
  | { kind: 'return-undo' }
  /**
   * Staff looked into a compartment set aside for checking and found it empty
   * (`found: 'empty'`) or the parcel inside. `released`: the parcel's door was
   * unlocked for its recipient (with a right code) before the kiosk lost sight
   * of it, so an empty compartment means it was handed over.
   */
  | { kind: 'checked'; found: 'empty' | 'inside'; released: boolean };

export type ParcelRefusal =
  /** Not allowed from this state (`state` says where the parcel is). */
  | { refused: 'wrong-state'; state: ParcelCustody | null }
  /** The hold passed at `holdUntil`: it is no longer handed over; it waits for return. */
  | { refused: 'hold-passed'; holdUntil: number }
  /** The seller withdrew it. */
  | { refused: 'withdrawn' }
  /** Nothing to do (a hold check before the hold ends, a cancel of what has left). */
  | { refused: 'nothing-to-do' };

/** `null` next: the parcel is forgotten (a cancel of an expected parcel, an undone load of an unannounced one). */
export type ParcelStep = { ok: true; next: ParcelCustody | null } | ({ ok: false } & ParcelRefusal);

const refuse = (r: ParcelRefusal): ParcelStep => ({ ok: false, ...r });
const to = (next: ParcelCustody | null): ParcelStep => ({ ok: true, next });

/** Whether the hold has passed at `now` (a hold ends at `holdUntil`, that instant included). */
export function holdPassed(p: ParcelFacts, now: number): boolean {
  return p.holdUntil !== null && now >= p.holdUntil;
}

/** Where a parcel waiting for return goes back to when its return is undone. */
export function waitingForReturn(withdrawn: boolean): ParcelCustody {
  return withdrawn ? 'withdrawn' : 'uncollected';
}

/**
 * One parcel transition. `announced`: the seller's manifest names it (an
 * undone load then goes back to `expected`, else it is forgotten).
 */
export function parcelStep(p: ParcelFacts, e: ParcelEvent, now: number, announced = true): ParcelStep {
  const s = p.state;
  const wrong = refuse({ refused: 'wrong-state', state: s });
  switch (e.kind) {
    case 'announce':
      return s === null ? to('expected') : to(s); // a known parcel keeps its state and gets the new fields
    case 'cancel':
      if (s === null) return refuse({ refused: 'nothing-to-do' });
      if (s === 'expected') return to(null);
      if (s === 'loading' || s === 'stored' || s === 'handing-over' || s === 'uncollected') return to('withdrawn');
      return refuse({ refused: 'nothing-to-do' });
    case 'load-start':
    case 'check-in':
      if (s === null || s === 'expected') return to(e.kind === 'load-start' ? 'loading' : 'stored');
      return wrong;
    case 'load-done':
      return s === 'loading' ? to('stored') : wrong;
    case 'load-undo':
      return s === 'loading' ? to(announced || e.maybeInside === true ? 'expected' : null) : wrong;
    case 'handover-start':
      if (s === 'withdrawn') return refuse({ refused: 'withdrawn' });
      if (s !== 'stored') return wrong;
      if (holdPassed(p, now)) return refuse({ refused: 'hold-passed', holdUntil: p.holdUntil as number });
      return to('handing-over');
    case 'handover-done':
      // Once the door has opened and closed it is taken, hold or not: the person has it.
      return s === 'handing-over' ? to('handed-over') : wrong;
    case 'handover-undo':
      return s === 'handing-over' ? to('stored') : wrong;
    case 'hold-check':
      return s === 'stored' && holdPassed(p, now) ? to('uncollected') : refuse({ refused: 'nothing-to-do' });
    case 'return-start':
      return s === 'withdrawn' || s === 'uncollected' ? to('returning') : wrong;
    case 'return-done':
      return s === 'returning' ? to('returned') : wrong;
    case 'return-undo':
      // The caller knows whether it was withdrawn or uncollected (waitingForReturn).
      return s === 'returning' ? to('uncollected') : wrong;
    case 'checked':
      // `expected` here is an interrupted load kept beside its compartment (load-undo with maybeInside).
      if (s === 'expected') return e.found === 'inside' ? to('stored') : to(announced ? 'expected' : null);
      if (s === 'stored' || s === 'withdrawn' || s === 'uncollected') {
        if (e.found === 'inside') return to(s);
        return e.released ? to('handed-over') : wrong; // taken by the person whose code unlocked it
      }
      return wrong;
  }
}

export type CompartmentEvent =
  | { kind: 'reserve' } // a load begins
  | { kind: 'fill' } // the load's door closed
  | { kind: 'release' } // a load undone cleanly
  | { kind: 'empty' } // handed over or returned
  | { kind: 'fault' } // forced door, unconfirmed unlock, load left open, restart mid-load
  | { kind: 'out-of-service' }
  | { kind: 'in-service'; holdsParcel: boolean };

export type CompartmentStep =
  | { ok: true; next: CompartmentCustody }
  | { ok: false; refused: 'wrong-state' | 'out-of-service'; state: CompartmentCustody };

/** One compartment transition. */
export function compartmentStep(s: CompartmentCustody, e: CompartmentEvent): CompartmentStep {
  const ok = (next: CompartmentCustody): CompartmentStep => ({ ok: true, next });
  const no = (refused: 'wrong-state' | 'out-of-service' = 'wrong-state'): CompartmentStep => ({ ok: false, refused, state: s });
  switch (e.kind) {
    case 'reserve':
      if (s === 'out-of-service') return no('out-of-service');
      return s === 'free' ? ok('reserved') : no();
    case 'fill':
      return s === 'reserved' ? ok('occupied') : no();
    case 'release':
      return s === 'reserved' ? ok('free') : no();
    case 'empty':
      // A compartment taken out of service with a parcel in it stays out of service when emptied.
      if (s === 'out-of-service' || s === 'check') return ok(s);
      return s === 'occupied' || s === 'reserved' ? ok('free') : no();
    case 'fault':
      return s === 'out-of-service' ? ok(s) : ok('check');
    case 'out-of-service':
      return s === 'reserved' ? no() : ok('out-of-service');
    case 'in-service':
      return s === 'out-of-service' || s === 'check' ? ok(e.holdsParcel ? 'occupied' : 'free') : no();
  }
}

/**
 * Whether a compartment may be opened for a recipient now: not while it is out
 * of service. A compartment set to `check` after an unconfirmed unlock may be
 * tried again (the retry is what tells staff whether the lock works).
 */
export function canOpenForRecipient(s: CompartmentCustody): boolean {
  return s === 'occupied' || s === 'check';
}
