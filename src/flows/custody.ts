/**
 * Custody applied: the one place that writes a parcel's or a compartment's
 * state. Each transition is judged by the pure rules (`domain/custody.ts`)
 * against the row as it is inside the transaction, and recorded in that same
 * transaction with its audit row and the event it reports. Results are typed
 * values; nothing here talks to a person or a device. What staff say about a
 * compartment set aside (checked, out of service or back) is applied in
 * `compartment-check.ts`, with the helpers exported here.
 */
import { rfc3339 } from '../core/clock.js';
import {
  compartmentStep,
  parcelStep,
  waitingForReturn,
  type CompartmentEvent,
  type ParcelCustody,
  type ParcelEvent,
  type ParcelRefusal,
} from '../domain/custody.js';
import { b64uEncode, recipientProof, uuidv7 } from '../domain/index.js';
import type { CompartmentState, HandoverMethod, Money, Parcel, PendingHandover, Size, Store } from '../store/index.js';
import type { FlowContext } from './context.js';
import { holdUntilFor, recordHandedOver } from './parcel-records.js';

/** The custody state of a stored row (the store keeps `withdrawn` and `uncollectedAt` beside `stored`). */
export function custodyOf(p: Parcel | null): ParcelCustody | null {
  if (!p) return null;
  switch (p.state) {
    case 'expected':
    case 'loading':
      return p.state;
    case 'stored':
      if (p.withdrawn) return 'withdrawn';
      return p.uncollectedAt !== null ? 'uncollected' : 'stored';
    case 'unlocking':
      return 'handing-over';
    case 'handed_over':
      return 'handed-over';
    case 'returned':
      return 'returned';
  }
}

/** Out of service is kept as `check` with this note, so no migration is needed; the rules tell them apart. */
export const OUT_OF_SERVICE = 'out of service';

export function compartmentCustody(c: { state: CompartmentState; note: string | null }): 'free' | 'reserved' | 'occupied' | 'check' | 'out-of-service' {
  if (c.state === 'check' && c.note !== null && c.note.startsWith(OUT_OF_SERVICE)) return 'out-of-service';
  return c.state;
}

export type Refused = { ok: false } & (ParcelRefusal | { refused: 'unknown-parcel' } | { refused: 'compartment'; state: string });
export type Done<T = object> = ({ ok: true } & T) | Refused;

/** Judges `e` on the row as it is at `now` (call inside a transaction). */
export function judgeRow(p: Parcel | null, e: ParcelEvent, now: number, announced = true): { ok: true; next: ParcelCustody | null } | Refused {
  return parcelStep({ state: custodyOf(p), holdUntil: p?.holdUntil ?? null }, e, now, announced);
}

export interface Auth {
  method: HandoverMethod;
  salt: Buffer | null;
  kReceipt: Buffer | null;
}

export type Paid = (Money & { means: 'cash' | 'counter' }) | null;

type Where = { sellerId: string; txn: string };

export class Custody {
  constructor(private readonly ctx: FlowContext) {}

  private get store(): Store {
    return this.ctx.store;
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  /** Judges `e` on the row as it is now (call inside a transaction). */
  private judge(p: Parcel | null, e: ParcelEvent, announced = true): { ok: true; next: ParcelCustody | null } | Refused {
    return judgeRow(p, e, this.now(), announced);
  }

  private compartment(id: string, e: CompartmentEvent, note: string | null): void {
    const c = this.store.compartments.get(id);
    if (!c) return;
    const r = compartmentStep(compartmentCustody(c), e);
    if (!r.ok) return;
    const next = r.next === 'out-of-service' ? 'check' : r.next;
    const keepNote = r.next === 'out-of-service' && compartmentCustody(c) === 'out-of-service';
    this.store.compartments.setState(id, next, keepNote ? c.note : note, this.now());
  }

  /** After the commit: tell the sender rows wait. */
  private queued<T>(r: T): T {
    this.ctx.reporter.queued();
    return r;
  }

  // ── Loads (courier) and check-ins (clerk) ──────────────────────────────

  /** A courier is about to put a parcel in `compartmentId`: parcel `loading`, compartment `reserved`. */
  startLoad(load: Where & { slip: string | null; size: Size }, compartmentId: string, courierId: string): Done {
    const now = this.now();
    return this.store.tx((): Done => {
      const p = this.store.parcels.get(load.sellerId, load.txn);
      const j = this.judge(p, { kind: 'load-start' });
      if (!j.ok) return j;
      const c = this.store.compartments.get(compartmentId);
      const cs = c ? compartmentStep(compartmentCustody(c), { kind: 'reserve' }) : null;
      if (!cs || !cs.ok) return { ok: false, refused: 'compartment', state: cs?.state ?? 'missing' };
      if (p) this.store.parcels.update(load.sellerId, load.txn, { state: 'loading', compartmentId, slip: load.slip ?? p.slip }, now);
      else this.store.parcels.insert({ sellerId: load.sellerId, txn: load.txn, state: 'loading', compartmentId, slip: load.slip, size: load.size }, now);
      this.store.compartments.setState(compartmentId, 'reserved', `loading ${load.txn}`, now);
      this.store.audit.add('load.started', now, { sellerId: load.sellerId, txn: load.txn, compartmentId, detail: courierId });
      return { ok: true };
    });
  }

  /** The load's door opened and closed: `stored`, `occupied`, `parcel.arrived`. */
  finishLoad(w: Where, compartmentId: string): Done {
    const { reporter, config } = this.ctx;
    const now = this.now();
    return this.queued(this.store.tx((): Done => {
      const p = this.store.parcels.get(w.sellerId, w.txn);
      const j = this.judge(p, { kind: 'load-done' });
      if (!j.ok || !p) return j.ok ? { ok: false, refused: 'unknown-parcel' } : j;
      const holdUntil = holdUntilFor(p, config.hold, now);
      this.store.parcels.update(w.sellerId, w.txn, { state: 'stored', compartmentId, holdUntil }, now);
      this.compartment(compartmentId, { kind: 'fill' }, null);
      this.store.audit.add('parcel.stored', now, { ...w, compartmentId });
      reporter.event('parcel.arrived', w.sellerId, w.txn, { lockerId: compartmentId });
      return { ok: true };
    }));
  }

  /**
   * An unfinished load is undone. Where the parcel cannot be inside (the unlock
   * failed, the door never opened, the item sensor saw it close empty) it
   * leaves no trace: an announced parcel goes back to `expected`, one known
   * only from its slip is forgotten (the courier still holds it and its slip).
   * Where it may be inside (`maybeInside`: the door was opened, or a restart
   * hid it) it stays known — `expected`, still naming the compartment, with its
   * slip — until staff say what they found (`checkCompartment`). The
   * compartment goes to `check` when `fault` names why, else back to free.
   */
  undoLoad(w: Where, compartmentId: string | null, why: { audit: string; fault: string | null; alarm?: string; maybeInside?: boolean }): Done {
    const now = this.now();
    const maybeInside = why.maybeInside === true && compartmentId !== null;
    return this.queued(this.store.tx((): Done => {
      const p = this.store.parcels.get(w.sellerId, w.txn);
      const j = this.judge(p, { kind: 'load-undo', maybeInside }, p !== null && (p.verifier !== null || p.bio !== null));
      if (j.ok && p) {
        if (j.next === null) this.store.parcels.delete(w.sellerId, w.txn);
        else this.store.parcels.update(w.sellerId, w.txn, { state: 'expected', compartmentId: maybeInside ? compartmentId : null }, now);
      }
      if (compartmentId) {
        if (why.fault) this.compartment(compartmentId, { kind: 'fault' }, why.fault);
        else this.compartment(compartmentId, { kind: 'release' }, null);
        if (why.alarm) this.ctx.reporter.alarm('unlock-failed', compartmentId, why.alarm);
      }
      this.store.audit.add('load.cancelled', now, { ...w, compartmentId, detail: maybeInside ? `${why.audit}; the parcel may be inside` : why.audit });
      return j.ok ? { ok: true } : j;
    }));
  }

  /** A clerk keeps the parcel behind the counter: `stored` in no compartment, `parcel.arrived` with `lockerId: null`. */
  checkIn(w: Where & { slip: string | null }, clerkId: string): Done {
    const { reporter, config } = this.ctx;
    const now = this.now();
    return this.queued(this.store.tx((): Done => {
      const p = this.store.parcels.get(w.sellerId, w.txn);
      const j = this.judge(p, { kind: 'check-in' });
      if (!j.ok) return j;
      const holdUntil = holdUntilFor(p, config.hold, now);
      if (p) this.store.parcels.update(w.sellerId, w.txn, { state: 'stored', compartmentId: null, slip: w.slip ?? p.slip, holdUntil }, now);
      else this.store.parcels.insert({ sellerId: w.sellerId, txn: w.txn, state: 'stored', compartmentId: null, slip: w.slip, holdUntil }, now);
      this.store.audit.add('parcel.checked-in', now, { sellerId: w.sellerId, txn: w.txn, detail: clerkId });
      reporter.event('parcel.arrived', w.sellerId, w.txn, { lockerId: null });
      return { ok: true };
    }));
  }

  // ── Handovers ───────────────────────────────────────────────────────────

  /**
   * Whether a handover may start now, without starting it (before money is
   * taken, say). A hold that has passed is recorded at once (`parcel.uncollected`).
   */
  mayHandOver(w: Where): Done<{ parcel: Parcel }> {
    const p = this.store.parcels.get(w.sellerId, w.txn);
    const j = this.judge(p, { kind: 'handover-start' });
    if (!j.ok) {
      if (j.refused === 'hold-passed' && p) this.markUncollected(p);
      return j;
    }
    return p ? { ok: true, parcel: p } : { ok: false, refused: 'unknown-parcel' };
  }

  /**
   * A right code: records the pending handover (its proof, never the code)
   * before the lock moves, so a restart finishes it exactly once. Refused at
   * the very moment its hold passes (and `parcel.uncollected` written then).
   */
  startHandover(w: Where, auth: Auth, paid: Paid): Done<{ parcel: Parcel; eventId: string }> {
    const now = this.now();
    const eventId = uuidv7(now);
    const r = this.store.tx((): Done<{ parcel: Parcel; eventId: string }> => {
      const p = this.store.parcels.get(w.sellerId, w.txn);
      const j = this.judge(p, { kind: 'handover-start' });
      if (!j.ok) {
        if (j.refused === 'hold-passed' && p) this.uncollectedNow(p);
        return j;
      }
      if (!p) return { ok: false, refused: 'unknown-parcel' };
      const c = p.compartmentId ? this.store.compartments.get(p.compartmentId) : null;
      if (c && compartmentCustody(c) === 'out-of-service') return { ok: false, refused: 'compartment', state: 'out-of-service' };
      const proof = auth.kReceipt ? b64uEncode(recipientProof(auth.kReceipt, eventId, p.txn)) : null;
      const handover: PendingHandover = { eventId, method: auth.method, salt: auth.salt ? b64uEncode(auth.salt) : null, recipientProof: proof, paid, unlockedAt: now };
      this.store.parcels.update(w.sellerId, w.txn, { state: 'unlocking', doorOpenedAt: null, handover }, now);
      this.store.audit.add('unlock.pickup', now, { ...w, compartmentId: p.compartmentId });
      return { ok: true, parcel: p, eventId };
    });
    if (!r.ok && r.refused === 'hold-passed') this.ctx.reporter.queued();
    return r;
  }

  /** The handover's door was seen open (a restart then knows it was taken once it is closed). */
  doorOpened(w: Where): void {
    this.store.parcels.update(w.sellerId, w.txn, { doorOpenedAt: this.now() }, this.now());
  }

  /** Door opened then closed (or the clerk's `#`): `handed-over` exactly once, with its receipt. */
  finishHandover(w: Where): Done<{ compartmentId: string | null }> {
    const now = this.now();
    const r = this.store.tx((): Done<{ compartmentId: string | null }> => {
      const p = this.store.parcels.get(w.sellerId, w.txn);
      const j = this.judge(p, { kind: 'handover-done' });
      if (!j.ok) return j;
      if (!p || !p.handover) return { ok: false, refused: 'unknown-parcel' };
      recordHandedOver(this.ctx, p, p.handover, p.compartmentId, p.handover.method, now);
      if (p.compartmentId) this.compartment(p.compartmentId, { kind: 'empty' }, null);
      return { ok: true, compartmentId: p.compartmentId };
    });
    return r.ok ? this.queued(r) : r;
  }

  /** At a counter start and finish are one step: the clerk hands it across and presses `#`. */
  handOverAtCounter(w: Where, auth: Auth, paid: Paid, clerkId: string): Done {
    return this.store.tx((): Done => {
      const s = this.startHandover(w, auth, paid);
      if (!s.ok) return s;
      this.store.audit.add('counter.handover', this.now(), { ...w, detail: `clerk ${clerkId}` });
      return this.finishHandover(w);
    });
  }

  /** The door never opened (or the unlock failed, or a restart found it shut): back to `stored`. */
  undoHandover(w: Where, why: { audit: string; detail?: string; fault?: string; alarm?: string }): Done {
    const now = this.now();
    return this.queued(this.store.tx((): Done => {
      const p = this.store.parcels.get(w.sellerId, w.txn);
      const j = this.judge(p, { kind: 'handover-undo' });
      if (!j.ok) return j;
      this.store.parcels.update(w.sellerId, w.txn, { state: 'stored', handover: null, doorOpenedAt: null }, now);
      const cid = p?.compartmentId ?? null;
      if (cid && why.fault) this.compartment(cid, { kind: 'fault' }, why.fault);
      if (cid && why.alarm) this.ctx.reporter.alarm('unlock-failed', cid, why.alarm);
      this.store.audit.add(why.audit, now, { ...w, compartmentId: cid, detail: why.detail ?? null });
      return { ok: true };
    }));
  }

  /**
   * A restart found a handover whose door was unlocked but not seen to open
   * and close: the person may have taken the parcel while nobody watched, or
   * not. Back to `stored` (the kiosk still owes it if it is there), and in the
   * same transaction its compartment is taken out of service for staff to look
   * into, so its code opens nothing until they put it back in service.
   */
  setAsideHandover(w: Where, why: string): Done {
    const now = this.now();
    return this.queued(this.store.tx((): Done => {
      const p = this.store.parcels.get(w.sellerId, w.txn);
      const j = this.judge(p, { kind: 'handover-undo' });
      if (!j.ok) return j;
      // The pending handover (its receipt) is kept: if staff find the compartment empty, it was taken with it.
      this.store.parcels.update(w.sellerId, w.txn, { state: 'stored', doorOpenedAt: null }, now);
      const cid = p?.compartmentId ?? null;
      if (cid) {
        const c = this.store.compartments.get(cid);
        // Already out of service: it stays so, with the operator's own reason.
        if (c && compartmentCustody(c) !== 'out-of-service') this.store.compartments.setState(cid, 'check', `${OUT_OF_SERVICE}: ${why}`, now);
      }
      this.store.audit.add('unlock.unknown', now, { ...w, compartmentId: cid, detail: why });
      return { ok: true };
    }));
  }

  // ── Uncollected and returns ─────────────────────────────────────────────

  /** Inside a transaction: a parcel whose hold passed gets its one `parcel.uncollected`. */
  private uncollectedNow(p: Parcel): boolean {
    const fresh = this.store.parcels.get(p.sellerId, p.txn);
    if (!fresh) return false;
    const j = this.judge(fresh, { kind: 'hold-check' });
    if (!j.ok) return false;
    const now = this.now();
    this.store.parcels.update(p.sellerId, p.txn, { uncollectedAt: now }, now);
    this.store.audit.add('parcel.uncollected', now, { sellerId: p.sellerId, txn: p.txn, compartmentId: p.compartmentId });
    this.ctx.reporter.event('parcel.uncollected', p.sellerId, p.txn, { since: rfc3339(fresh.holdUntil as number), lockerId: p.compartmentId });
    return true;
  }

  /** Records `parcel.uncollected` once for a parcel past its hold. True when it was recorded now. */
  markUncollected(p: Parcel): boolean {
    const done = this.store.tx(() => this.uncollectedNow(p));
    if (done) this.ctx.reporter.queued();
    return done;
  }

  /** Whether a courier may take this parcel back now (withdrawn or uncollected). */
  mayReturn(p: Parcel): boolean {
    return this.judge(p, { kind: 'return-start' }).ok;
  }

  /** A courier's door opens to take a parcel back (the parcel's row changes when the door closes). */
  startReturn(w: Where, compartmentId: string, courierId: string): Done {
    const p = this.store.parcels.get(w.sellerId, w.txn);
    const j = this.judge(p, { kind: 'return-start' });
    if (!j.ok) return j;
    this.store.audit.add('return.started', this.now(), { ...w, compartmentId, detail: courierId });
    return { ok: true };
  }

  /** The return's door opened and closed: `returned`, the compartment free, `parcel.returned`. */
  finishReturn(w: Where, compartmentId: string): Done {
    const now = this.now();
    return this.queued(this.store.tx((): Done => {
      const p = this.store.parcels.get(w.sellerId, w.txn);
      const start = this.judge(p, { kind: 'return-start' });
      if (!start.ok) return start;
      const done = parcelStep({ state: start.next, holdUntil: null }, { kind: 'return-done' }, now);
      if (!done.ok) return done;
      this.store.parcels.update(w.sellerId, w.txn, { state: 'returned', handover: null, bio: null, verifier: null }, now);
      this.compartment(compartmentId, { kind: 'empty' }, null);
      this.store.audit.add('parcel.returned', now, { ...w, compartmentId });
      this.ctx.reporter.event('parcel.returned', w.sellerId, w.txn, { lockerId: compartmentId });
      return { ok: true };
    }));
  }

  /** A take-back's door closed with the item still inside: nothing changes but the audit; it still waits for return. */
  returnNotTaken(w: Where, compartmentId: string): void {
    this.store.audit.add('return.item-inside', this.now(), { ...w, compartmentId, detail: 'door closed with the item still inside' });
  }

  /** A return's door was not closed in time: the parcel still waits for return, the compartment is checked. */
  undoReturn(w: Where, compartmentId: string, why: string): void {
    const p = this.store.parcels.get(w.sellerId, w.txn);
    this.store.tx(() => {
      this.compartment(compartmentId, { kind: 'fault' }, why);
      this.store.audit.add('return.cancelled', this.now(), { ...w, compartmentId, detail: `${why}; ${p ? waitingForReturn(p.withdrawn) : 'gone'}` });
    });
  }

  // ── Compartments ───────────────────────────────────────────────────────

  /** Something is wrong with a compartment (a forced door, say): set aside for checking. */
  fault(compartmentId: string, note: string): void {
    this.store.tx(() => this.compartment(compartmentId, { kind: 'fault' }, note));
  }
}
