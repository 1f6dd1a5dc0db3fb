import type { TimerHandle } from '../clock.js';
import { b64uEncode, recipientProof, uuidv7 } from '../domain/index.js';
import type { HandoverMethod, Parcel, PendingHandover } from '../store/index.js';
import type { FlowContext } from './context.js';
import { undoLoad } from './rules.js';

/** What a compartment's door is expected to do next, and what follows. */
type Watch =
  | { purpose: 'pickup'; sellerId: string; txn: string; opened: boolean; timers: TimerHandle[] }
  | { purpose: 'load' | 'return'; sellerId: string; txn: string; opened: boolean; timers: TimerHandle[] };

export type DoorNews =
  | { kind: 'handed-over'; compartmentId: string; txn: string }
  | { kind: 'not-opened'; compartmentId: string; txn: string }
  | { kind: 'stored'; compartmentId: string; txn: string }
  | { kind: 'returned'; compartmentId: string; txn: string }
  | { kind: 'load-reminder'; compartmentId: string }
  | { kind: 'load-cancelled'; compartmentId: string; txn: string }
  | { kind: 'opened'; compartmentId: string };

/**
 * Follows every compartment's door. After an unlock it waits for the door to
 * open and close and then records the outcome — handover, load, return — in
 * one transaction with its audit entry and its event. Doors that open with no
 * unlock are forced; doors left open raise an alarm.
 */
export class Doors {
  private readonly watches = new Map<string, Watch>();
  private readonly leftOpen = new Map<string, TimerHandle>();

  constructor(
    private readonly ctx: FlowContext,
    private readonly news: (n: DoorNews) => void,
  ) {}

  isBusy(compartmentId: string): boolean {
    return this.watches.has(compartmentId);
  }

  /**
   * Unlocks a compartment for a recipient: records the pending handover (with
   * its proof, never the code) before the lock moves, so a restart finishes it
   * exactly once. Throws when the unlock is not confirmed, after undoing.
   */
  async unlockForPickup(
    p: Parcel,
    auth: { method: HandoverMethod; salt: Buffer | null; kReceipt: Buffer | null; paid?: PendingHandover['paid'] },
  ): Promise<void> {
    const { store, clock } = this.ctx;
    const c = p.compartmentId ? store.compartments.get(p.compartmentId) : null;
    if (!c) throw new Error(`parcel ${p.txn} is in no compartment`);
    const now = clock.now();
    const eventId = uuidv7(now);
    const proof = auth.kReceipt ? b64uEncode(recipientProof(auth.kReceipt, eventId, p.txn)) : null;
    store.tx(() => {
      store.parcels.update(p.sellerId, p.txn, {
        state: 'unlocking',
        doorOpenedAt: null,
        handover: { eventId, method: auth.method, salt: auth.salt ? b64uEncode(auth.salt) : null, recipientProof: proof, paid: auth.paid ?? null, unlockedAt: now },
      }, now);
      store.audit.add('unlock.pickup', now, { sellerId: p.sellerId, txn: p.txn, compartmentId: c.id });
    });
    this.watch(c.id, { purpose: 'pickup', sellerId: p.sellerId, txn: p.txn, opened: false, timers: [] });
    try {
      await this.ctx.locks.unlock(c.channel);
    } catch (e) {
      this.unwatch(c.id);
      store.tx(() => {
        store.parcels.update(p.sellerId, p.txn, { state: 'stored', handover: null }, clock.now());
        store.compartments.setState(c.id, 'check', 'unlock not confirmed', clock.now());
        this.ctx.reporter.alarm('unlock-failed', c.id, `compartment ${c.id}: ${(e as Error).message}`);
      });
      this.ctx.reporter.queued();
      throw e;
    }
    this.armOpenGrace(c.id);
  }

  /** Unlocks a reserved compartment for a courier loading (or taking back) a parcel. */
  async unlockForCourier(purpose: 'load' | 'return', compartmentId: string, sellerId: string, txn: string): Promise<void> {
    const c = this.ctx.store.compartments.get(compartmentId);
    if (!c) throw new Error(`no compartment ${compartmentId}`);
    const w: Watch = { purpose, sellerId, txn, opened: false, timers: [] };
    this.watch(compartmentId, w);
    try {
      await this.ctx.locks.unlock(c.channel);
    } catch (e) {
      this.unwatch(compartmentId);
      throw e;
    }
    const { clock, config } = this.ctx;
    w.timers.push(clock.setTimeout(() => this.news({ kind: 'load-reminder', compartmentId }), config.doors.closeReminderMs));
    w.timers.push(clock.setTimeout(() => this.cancelCourier(compartmentId), config.doors.closeTimeoutMs));
  }

  /** Resumes watching after a restart (recovery decided the door is still to close). */
  resume(compartmentId: string, p: Parcel, opened: boolean): void {
    this.watch(compartmentId, { purpose: 'pickup', sellerId: p.sellerId, txn: p.txn, opened, timers: [] });
    if (!opened) this.armOpenGrace(compartmentId);
  }

  private armOpenGrace(compartmentId: string): void {
    const w = this.watches.get(compartmentId);
    if (!w) return;
    w.timers.push(this.ctx.clock.setTimeout(() => this.openGraceOver(compartmentId), this.ctx.config.doors.openGraceMs));
  }

  private watch(compartmentId: string, w: Watch): void {
    this.unwatch(compartmentId);
    this.watches.set(compartmentId, w);
  }

  private unwatch(compartmentId: string): void {
    const w = this.watches.get(compartmentId);
    if (!w) return;
    for (const t of w.timers) this.ctx.clock.clearTimeout(t);
    this.watches.delete(compartmentId);
  }

  /** The recipient never opened the door: the parcel stays stored, they may try again. */
  private openGraceOver(compartmentId: string): void {
    const w = this.watches.get(compartmentId);
    if (!w || w.purpose !== 'pickup' || w.opened) return;
    this.unwatch(compartmentId);
    const { store, clock } = this.ctx;
    const now = clock.now();
    store.tx(() => {
      store.parcels.update(w.sellerId, w.txn, { state: 'stored', handover: null, doorOpenedAt: null }, now);
      store.audit.add('unlock.not-opened', now, { sellerId: w.sellerId, txn: w.txn, compartmentId });
    });
    this.news({ kind: 'not-opened', compartmentId, txn: w.txn });
  }

  private cancelCourier(compartmentId: string): void {
    const w = this.watches.get(compartmentId);
    if (!w || w.purpose === 'pickup') return;
    this.unwatch(compartmentId);
    const { store, clock } = this.ctx;
    const now = clock.now();
    store.tx(() => {
      const p = store.parcels.get(w.sellerId, w.txn);
      if (w.purpose === 'load' && p && p.state === 'loading') undoLoad(store, p, now);
      store.compartments.setState(compartmentId, 'check', `${w.purpose} cancelled: door not closed in time`, now);
      store.audit.add(`${w.purpose}.cancelled`, now, { sellerId: w.sellerId, txn: w.txn, compartmentId, detail: 'door not closed in time' });
    });
    this.news({ kind: 'load-cancelled', compartmentId, txn: w.txn });
  }

  /** A door sensor changed (from the lock bank). */
  onDoor(compartmentId: string, open: boolean): void {
    const { store, clock } = this.ctx;
    const now = clock.now();
    store.compartments.setDoor(compartmentId, open, now);
    this.trackLeftOpen(compartmentId, open);
    const w = this.watches.get(compartmentId);
    if (!w) {
      if (open) this.forced(compartmentId);
      return;
    }
    if (open) {
      if (!w.opened) {
        w.opened = true;
        if (w.purpose === 'pickup') store.parcels.update(w.sellerId, w.txn, { doorOpenedAt: now }, now);
        this.news({ kind: 'opened', compartmentId });
      }
      return;
    }
    if (!w.opened) return; // closed without having opened: nothing happened yet
    this.unwatch(compartmentId);
    switch (w.purpose) {
      case 'pickup':
        this.finishHandover(compartmentId, w.sellerId, w.txn);
        return;
      case 'load':
        this.finishLoad(compartmentId, w.sellerId, w.txn);
        return;
      case 'return':
        this.finishReturn(compartmentId, w.sellerId, w.txn);
        return;
    }
  }

  /** Door opened then closed after a pickup unlock: handed over, exactly once. */
  finishHandover(compartmentId: string, sellerId: string, txn: string): void {
    const { store, clock, reporter } = this.ctx;
    const now = clock.now();
    const done = store.tx(() => {
      const p = store.parcels.get(sellerId, txn);
      if (!p || p.state !== 'unlocking' || !p.handover) return false;
      const h = p.handover;
      store.parcels.update(sellerId, txn, { state: 'handed_over', handover: null, bio: null, verifier: null }, now);
      store.compartments.setState(compartmentId, 'free', null, now);
      store.attempts.clearParcel(sellerId, txn);
      store.audit.add('parcel.handed_over', now, { sellerId, txn, compartmentId, detail: h.method });
      reporter.event('parcel.handed_over', sellerId, txn, {
        lockerId: compartmentId,
        method: h.method,
        paid: h.paid,
        recipientProof: h.recipientProof,
        salt: h.salt,
      }, h.eventId);
      return true;
    });
    if (!done) return;
    reporter.queued();
    this.news({ kind: 'handed-over', compartmentId, txn });
  }

  private finishLoad(compartmentId: string, sellerId: string, txn: string): void {
    const { store, clock, reporter, config } = this.ctx;
    const now = clock.now();
    const done = store.tx(() => {
      const p = store.parcels.get(sellerId, txn);
      if (!p || p.state !== 'loading') return false;
      const holdUntil = p.holdUntil ?? now + config.hold.defaultDays * 86_400_000;
      store.parcels.update(sellerId, txn, { state: 'stored', compartmentId, holdUntil }, now);
      store.compartments.setState(compartmentId, 'occupied', null, now);
      store.audit.add('parcel.stored', now, { sellerId, txn, compartmentId });
      reporter.event('parcel.arrived', sellerId, txn, { lockerId: compartmentId });
      return true;
    });
    if (!done) return;
    reporter.queued();
    this.news({ kind: 'stored', compartmentId, txn });
  }

  private finishReturn(compartmentId: string, sellerId: string, txn: string): void {
    const { store, clock, reporter } = this.ctx;
    const now = clock.now();
    store.tx(() => {
      store.parcels.update(sellerId, txn, { state: 'returned', handover: null, bio: null, verifier: null }, now);
      store.compartments.setState(compartmentId, 'free', null, now);
      store.audit.add('parcel.returned', now, { sellerId, txn, compartmentId });
      reporter.event('parcel.returned', sellerId, txn, { lockerId: compartmentId });
    });
    reporter.queued();
    this.news({ kind: 'returned', compartmentId, txn });
  }

  private forced(compartmentId: string): void {
    const { store, clock, reporter } = this.ctx;
    const now = clock.now();
    store.tx(() => {
      const c = store.compartments.get(compartmentId);
      if (c && c.state === 'free') store.compartments.setState(compartmentId, 'check', 'door forced open', now);
      reporter.alarm('door-forced', compartmentId, `compartment ${compartmentId}: door opened without an unlock`);
    });
    reporter.queued();
  }

  private trackLeftOpen(compartmentId: string, open: boolean): void {
    const t = this.leftOpen.get(compartmentId);
    if (t) this.ctx.clock.clearTimeout(t);
    this.leftOpen.delete(compartmentId);
    if (!open) return;
    const { clock, config, store, reporter } = this.ctx;
    this.leftOpen.set(
      compartmentId,
      clock.setTimeout(() => {
        this.leftOpen.delete(compartmentId);
        store.tx(() =>
          reporter.alarm('door-left-open', compartmentId, `compartment ${compartmentId}: door open for more than ${Math.round(config.doors.leftOpenAlarmMs / 1000)} s`),
        );
        reporter.queued();
      }, config.doors.leftOpenAlarmMs),
    );
  }

  stop(): void {
    for (const id of [...this.watches.keys()]) this.unwatch(id);
    for (const t of this.leftOpen.values()) this.ctx.clock.clearTimeout(t);
    this.leftOpen.clear();
  }
}
