import type { TimerHandle } from '../core/clock.js';
import type { Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Auth, Custody, Paid, Refused } from './custody.js';

/** What an unlock for a recipient came to. */
export type PickupUnlock =
  | { ok: true; compartmentId: string; eventId: string }
  | Refused
  | { ok: false; refused: 'unlock-failed'; compartmentId: string };

/** What a compartment's door is expected to do next, and what follows. */
type Watch =
  | { purpose: 'pickup'; sellerId: string; txn: string; opened: boolean; timers: TimerHandle[] }
  | { purpose: 'load' | 'return'; sellerId: string; txn: string; opened: boolean; timers: TimerHandle[] }
  | { purpose: 'operator'; sellerId: string; txn: string; opened: boolean; timers: TimerHandle[] };

export type DoorNews =
  | { kind: 'handed-over'; compartmentId: string; txn: string }
  | { kind: 'not-opened'; compartmentId: string; txn: string }
  | { kind: 'stored'; compartmentId: string; txn: string }
  | { kind: 'returned'; compartmentId: string; txn: string }
  | { kind: 'load-reminder'; compartmentId: string }
  | { kind: 'load-cancelled'; compartmentId: string; txn: string }
  /** A load's door closed and the item sensor saw nothing inside: nothing stored. */
  | { kind: 'load-empty'; compartmentId: string; txn: string }
  /** A take-back's door closed with the item still inside: not returned, the parcel still waits for return. */
  | { kind: 'return-still-inside'; compartmentId: string; txn: string }
  /** A pickup's door closed with the item still inside: not handed over, the parcel stays stored. */
  | { kind: 'item-inside'; compartmentId: string; txn: string }
  | { kind: 'opened'; compartmentId: string }
  | { kind: 'operator-closed'; compartmentId: string };

/**
 * Follows every compartment's door. After an unlock it waits for the door to
 * open and close and then records the outcome — handover, load, return — in
 * one transaction with its audit entry and its event. Doors that open with no
 * unlock are forced; doors left open raise an alarm.
 */
export class Doors {
  private readonly watches = new Map<string, Watch>();
  private readonly leftOpen = new Map<string, TimerHandle>();
  /** Each compartment's item sensor as last read (absent or null: no sensor, or not answering). */
  private readonly items = new Map<string, boolean | null>();

  constructor(
    private readonly ctx: FlowContext,
    private readonly custody: Custody,
    private readonly news: (n: DoorNews) => void,
  ) {}

  /** What the item sensor last said (a state read, or an `item` event): true inside, false empty, null no sensor or unknown. */
  setItem(compartmentId: string, present: boolean | null): void {
    this.items.set(compartmentId, present);
  }

  itemOf(compartmentId: string): boolean | null {
    return this.items.get(compartmentId) ?? null;
  }

  /** Whether the item sensor says the opposite of what staff found (`empty` while it sees something, or the reverse). */
  sensorDisagrees(compartmentId: string, found: 'empty' | 'inside'): boolean {
    const item = this.itemOf(compartmentId);
    return item !== null && item !== (found === 'inside');
  }

  isBusy(compartmentId: string): boolean {
    return this.watches.has(compartmentId);
  }

  /**
   * Unlocks a compartment for a recipient: custody records the pending
   * handover before the lock moves, so a restart finishes it exactly once.
   * Returns the refusal (a hold that passed, a compartment out of service), or
   * `unlock-failed` after undoing when the hardware does not confirm.
   */
  async unlockForPickup(p: Parcel, auth: Auth, paid: Paid): Promise<PickupUnlock> {
    const c = p.compartmentId ? this.ctx.store.compartments.get(p.compartmentId) : null;
    if (!c) return { ok: false, refused: 'unknown-parcel' };
    const w = { sellerId: p.sellerId, txn: p.txn };
    const started = this.custody.startHandover(w, auth, paid);
    if (!started.ok) return started;
    this.watch(c.id, { purpose: 'pickup', sellerId: p.sellerId, txn: p.txn, opened: false, timers: [] });
    try {
      await this.ctx.locks.unlock(c.channel);
    } catch (e) {
      this.unwatch(c.id);
      this.custody.undoHandover(w, { audit: 'unlock.failed', fault: 'unlock not confirmed', alarm: `compartment ${c.id}: ${(e as Error).message}` });
      return { ok: false, refused: 'unlock-failed', compartmentId: c.id };
    }
    this.armOpenGrace(c.id);
    return { ok: true, compartmentId: c.id, eventId: started.eventId };
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

  /**
   * Unlocks a compartment for an operator (maintenance): its door opening is
   * expected, not forced; nothing in custody changes. Throws when the unlock
   * is not confirmed.
   */
  async unlockForOperator(compartmentId: string): Promise<void> {
    const c = this.ctx.store.compartments.get(compartmentId);
    if (!c) throw new Error(`no compartment ${compartmentId}`);
    const w: Watch = { purpose: 'operator', sellerId: '', txn: '', opened: false, timers: [] };
    this.watch(compartmentId, w);
    try {
      await this.ctx.locks.unlock(c.channel);
    } catch (e) {
      this.unwatch(compartmentId);
      throw e;
    }
    // Never opened within the grace: the lock caught again; stop expecting it.
    w.timers.push(this.ctx.clock.setTimeout(() => {
      if (!w.opened) this.unwatch(compartmentId);
    }, this.ctx.config.doors.openGraceMs));
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
    this.custody.undoHandover(w, { audit: 'unlock.not-opened' });
    this.news({ kind: 'not-opened', compartmentId, txn: w.txn });
  }

  private cancelCourier(compartmentId: string): void {
    const w = this.watches.get(compartmentId);
    if (!w || w.purpose === 'pickup' || w.purpose === 'operator') return;
    this.unwatch(compartmentId);
    const why = `${w.purpose} cancelled: door not closed in time`;
    // Opened (and still open: anything may go in yet, sensor or not): the parcel may be inside; it stays known beside the compartment.
    const maybeInside = w.opened;
    if (w.purpose === 'load') this.custody.undoLoad(w, compartmentId, { audit: 'door not closed in time', fault: why, maybeInside });
    else this.custody.undoReturn(w, compartmentId, why);
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
        if (w.purpose === 'pickup') this.custody.doorOpened(w);
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
      case 'operator':
        this.news({ kind: 'operator-closed', compartmentId });
        return;
    }
  }

  /**
   * Door opened then closed after a pickup unlock: handed over, exactly once —
   * unless the item sensor still sees something inside: then nothing was
   * handed over, the parcel stays `stored` and no receipt is sent.
   */
  finishHandover(compartmentId: string, sellerId: string, txn: string): void {
    if (this.itemOf(compartmentId) === true) {
      const r = this.custody.undoHandover({ sellerId, txn }, { audit: 'handover.item-inside', detail: 'door closed with the item still inside' });
      if (r.ok) this.news({ kind: 'item-inside', compartmentId, txn });
      return;
    }
    if (this.custody.finishHandover({ sellerId, txn }).ok) this.news({ kind: 'handed-over', compartmentId, txn });
  }

  /** A load's door closed: stored — unless the item sensor sees the compartment empty (then nothing was loaded). */
  private finishLoad(compartmentId: string, sellerId: string, txn: string): void {
    if (this.itemOf(compartmentId) === false) {
      if (this.custody.undoLoad({ sellerId, txn }, compartmentId, { audit: 'door closed empty', fault: null }).ok) this.news({ kind: 'load-empty', compartmentId, txn });
      return;
    }
    if (this.custody.finishLoad({ sellerId, txn }, compartmentId).ok) this.news({ kind: 'stored', compartmentId, txn });
  }

  /** A take-back's door closed: returned — unless the item sensor still sees something inside. */
  private finishReturn(compartmentId: string, sellerId: string, txn: string): void {
    if (this.itemOf(compartmentId) === true) {
      this.custody.returnNotTaken({ sellerId, txn }, compartmentId);
      this.news({ kind: 'return-still-inside', compartmentId, txn });
      return;
    }
    if (this.custody.finishReturn({ sellerId, txn }, compartmentId).ok) this.news({ kind: 'returned', compartmentId, txn });
  }

  private forced(compartmentId: string): void {
    const { store, reporter } = this.ctx;
    store.tx(() => {
      const c = store.compartments.get(compartmentId);
      if (c && c.state === 'free') this.custody.fault(compartmentId, 'door forced open');
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
