import type { CardInfo, CardReader } from '../../drivers/card/contract.js';
import type { CashAcceptor } from '../../drivers/cash/contract.js';
import type { Key, Keypad } from '../../drivers/keypad/contract.js';
import type { Channel } from '../../drivers/locks/contract.js';
import type { Scanner, ScanRead } from '../../drivers/scanner/contract.js';
import type { TimerHandle } from '../clock.js';
import type { FlowContext } from './context.js';
import { Counter } from './counter.js';
import { Courier } from './courier.js';
import { Doors, type DoorNews } from './doors.js';
import { Media } from './media.js';
import { Payment } from './payment.js';
import { Pickup } from './pickup.js';
import { undoLoad } from './rules.js';
import { ScreenState } from './screen.js';
import { sweepUncollected } from './sweep.js';

const SWEEP_MS = 60_000;
const RETURN_TO_IDLE_MS = 8_000;

/**
 * The kiosk's person-facing side: routes key presses and scans to the
 * recipient or courier flow, door events to the door watcher, and keeps the
 * screen. Only one person uses the keypad at a time; doors are followed
 * independently, so the next person can start while a door is still open.
 */
export class Kiosk {
  readonly screen = new ScreenState();
  readonly doors: Doors;
  readonly pickup: Pickup;
  readonly courier: Courier;
  readonly counter: Counter;
  readonly media: Media | null;
  readonly payment: Payment;
  private sweepTimer: TimerHandle | null = null;
  private idleTimer: TimerHandle | null = null;
  private stopped = false;
  private readonly onKey = (k: Key): void => this.key(k);
  private readonly onRead = (r: ScanRead): void => this.scan(r.text);
  private readonly onDoor = (ch: Channel, open: boolean): void => this.door(ch, open);
  private readonly onCardIn = (info: CardInfo): void => this.cardIn(info);
  private readonly onCardOut = (): void => this.media?.onRemove();
  private readonly onCash = (amount: number, currency: string): void => this.payment.onInserted(amount, currency);

  constructor(
    private readonly ctx: FlowContext,
    private readonly keypad: Keypad,
    private readonly scanner: Scanner,
    private readonly card: CardReader | null = null,
    private readonly cash: CashAcceptor | null = null,
  ) {
    this.doors = new Doors(ctx, (n) => this.doorNews(n));
    this.payment = new Payment(ctx, this.screen, this.doors, cash);
    this.pickup = new Pickup(ctx, this.screen, this.doors, this.payment);
    this.counter = new Counter(ctx, this.screen);
    this.courier = new Courier(ctx, this.screen, this.doors, (clerkId) => this.counter.begin(clerkId));
    this.media = card ? new Media(ctx, this.screen, this.doors, card, this.payment) : null;
  }

  /**
   * Brings store and hardware into agreement, then starts listening: every
   * lock commanded locked, door sensors read, interrupted loads cancelled and
   * interrupted handovers finished (or undone) exactly once.
   */
  async start(): Promise<void> {
    const { store, locks, clock, log, config } = this.ctx;
    const problems = store.compartments.sync(config.compartments, clock.now());
    for (const p of problems) log.warn(p);
    await locks.lockAll();
    const states = await locks.states();
    const byChannel = new Map(states.map((s) => [s.channel, s]));
    for (const c of store.compartments.list()) {
      const st = byChannel.get(c.channel);
      store.compartments.setDoor(c.id, st?.doorOpen ?? null, clock.now());
    }
    this.recover(byChannel);
    this.keypad.on('key', this.onKey);
    this.scanner.on('read', this.onRead);
    locks.on('door', this.onDoor);
    this.card?.on('insert', this.onCardIn);
    this.card?.on('remove', this.onCardOut);
    this.cash?.on('inserted', this.onCash);
    await this.cash?.disable(); // it takes money only while someone is paying
    store.audit.add('kiosk.started', clock.now());
    this.sweep();
  }

  private recover(byChannel: Map<Channel, { doorOpen: boolean | null }>): void {
    const { store, clock, log } = this.ctx;
    const now = clock.now();
    for (const p of store.parcels.inState('loading')) {
      const cid = p.compartmentId;
      store.tx(() => {
        undoLoad(store, p, now);
        if (cid) store.compartments.setState(cid, 'check', 'load interrupted by a restart', now);
        store.audit.add('load.cancelled', now, { sellerId: p.sellerId, txn: p.txn, compartmentId: cid, detail: 'restart' });
      });
      log.warn({ txn: p.txn, compartment: cid }, 'load interrupted by a restart: cancelled, compartment set aside for checking');
    }
    for (const p of store.parcels.inState('unlocking')) {
      const c = p.compartmentId ? store.compartments.get(p.compartmentId) : null;
      if (!c) continue;
      const doorOpen = byChannel.get(c.channel)?.doorOpen ?? null;
      if (doorOpen === true) {
        // Still open: finish when it closes.
        if (p.doorOpenedAt === null) store.parcels.update(p.sellerId, p.txn, { doorOpenedAt: now }, now);
        this.doors.resume(c.id, p, true);
      } else if (p.doorOpenedAt !== null && doorOpen === false) {
        // It opened before the restart and is closed now: the parcel was taken.
        this.doors.finishHandover(c.id, p.sellerId, p.txn);
      } else {
        // Never seen open: the lock caught again; the parcel stays for the recipient to retry.
        store.tx(() => {
          store.parcels.update(p.sellerId, p.txn, { state: 'stored', handover: null, doorOpenedAt: null }, now);
          store.audit.add('unlock.not-opened', now, { sellerId: p.sellerId, txn: p.txn, compartmentId: c.id, detail: 'restart' });
        });
      }
    }
  }

  private key(k: Key): void {
    if (this.stopped) return;
    this.cancelIdle();
    if (this.courier.active) return this.courier.onKey(k);
    if (this.counter.active) return this.counter.onKey(k);
    if (this.payment.active) {
      if (k === '*') this.payment.cancel();
      return;
    }
    if (this.media?.active) return this.media.onKey(k);
    if (this.pickup.onKey(k) === 'courier') this.courier.begin();
  }

  private scan(text: string): void {
    if (this.stopped) return;
    this.cancelIdle();
    if (this.courier.active) return this.courier.onScan(text);
    if (this.counter.active) return this.counter.onScan(text);
    if (this.payment.active) this.payment.cancel();
    this.media?.reset();
    const r = this.pickup.onScan(text);
    if (r && typeof r === 'object') this.courier.begin(r.courierId);
  }

  /** A card or tag on the reader: a recipient bringing their slip (ignored while a courier works). */
  private cardIn(info: CardInfo): void {
    if (this.stopped || !this.media || this.courier.active || this.counter.active || this.pickup.busy || this.payment.active) return;
    this.cancelIdle();
    this.pickup.reset();
    this.media.onInsert(info).catch((e: unknown) => this.ctx.log.error({ err: (e as Error).message }, 'card pickup failed'));
  }

  private door(channel: Channel, open: boolean): void {
    if (this.stopped) return;
    const c = this.ctx.store.compartments.byChannel(channel);
    if (!c) {
      this.ctx.log.warn({ channel, open }, 'door event on a channel with no compartment');
      return;
    }
    try {
      this.doors.onDoor(c.id, open);
    } catch (e) {
      this.ctx.log.error({ err: (e as Error).message, compartment: c.id }, 'door event not recorded');
    }
  }

  private doorNews(n: DoorNews): void {
    switch (n.kind) {
      case 'handed-over':
        if (!this.pickup.active && !this.courier.active && !this.counter.active && !this.media?.active && !this.payment.active) {
          this.screen.set('thanks', `Thank you! Compartment ${n.compartmentId} is closed.`);
          this.idleSoon();
        }
        return;
      case 'not-opened':
        if (!this.pickup.active && !this.courier.active) {
          this.screen.set('door-not-opened', `Compartment ${n.compartmentId} was not opened, so it is locked again. Type your parcel number and code again to retry.`);
          this.idleSoon();
        }
        return;
      case 'opened':
        return;
      case 'stored':
      case 'returned':
      case 'load-cancelled':
      case 'load-reminder':
        this.courier.doorDone(n.kind, n.compartmentId, 'txn' in n ? n.txn : null);
        return;
    }
  }

  private idleSoon(): void {
    this.cancelIdle();
    this.idleTimer = this.ctx.clock.setTimeout(() => {
      this.idleTimer = null;
      if (!this.pickup.active && !this.courier.active) this.screen.idle();
    }, RETURN_TO_IDLE_MS);
  }

  private cancelIdle(): void {
    if (this.idleTimer) this.ctx.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Runs the uncollected sweep now and then every minute. */
  sweep(): number {
    if (this.sweepTimer) this.ctx.clock.clearTimeout(this.sweepTimer);
    let n = 0;
    try {
      n = sweepUncollected(this.ctx);
    } catch (e) {
      this.ctx.log.error({ err: (e as Error).message }, 'uncollected sweep failed');
    }
    if (!this.stopped) this.sweepTimer = this.ctx.clock.setTimeout(() => this.sweep(), SWEEP_MS);
    return n;
  }

  stop(): void {
    this.stopped = true;
    this.keypad.off('key', this.onKey);
    this.scanner.off('read', this.onRead);
    this.ctx.locks.off('door', this.onDoor);
    this.card?.off('insert', this.onCardIn);
    this.card?.off('remove', this.onCardOut);
    this.cash?.off('inserted', this.onCash);
    this.payment.cancel('The kiosk is stopping.');
    this.media?.reset();
    if (this.sweepTimer) this.ctx.clock.clearTimeout(this.sweepTimer);
    this.cancelIdle();
    this.doors.stop();
    this.pickup.reset();
    if (this.counter.active) this.counter.signOut();
  }
}
