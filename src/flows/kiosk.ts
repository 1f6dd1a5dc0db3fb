import type { CardInfo, CardReader } from '../../drivers/card/contract.js';
import type { Bill, CashAcceptor, EscrowAnswer, ReturnReason } from '../../drivers/cash/contract.js';
import type { Key } from '../../drivers/keypad/contract.js';
import { itemPresent, type Channel } from '../../drivers/locks/contract.js';
import type { Scanner, ScanRead } from '../../drivers/scanner/contract.js';
import type { Keypad } from '../../drivers/keypad/contract.js';
import type { TimerHandle } from '../core/clock.js';
import type { Screen } from '../domain/screens.js';
import type { FlowContext } from './context.js';
import type { Conversation, Session, StartRequest } from './conversation.js';
import { checkCompartment, checkRefusal, setCompartmentService } from './compartment-check.js';
import { ClerkConversation } from './counter.js';
import { CourierConversation } from './courier.js';
import { Custody } from './custody.js';
import { Doors, type DoorNews } from './doors.js';
import { CardConversation } from './media.js';
import { OperatorConversation } from './operator.js';
import { unaccountedCash, unassignedEscrow } from './payment.js';
import { RecipientConversation } from './recipient.js';
import { recoverAfterRestart } from './recover.js';
import { classifyScan } from './scan-text.js';
import { IDLE, ScreenState } from './screen.js';
import { SignInConversation } from './sign-in.js';
import { sweepUncollected } from './sweep.js';

/** The second `*` of the staff way in must follow the first within this. */
const STAR_STAR_MS = 3_000;

export interface KioskOptions {
  /** How often the uncollected sweep runs (default: config `hold.sweepMs`). */
  sweepMs?: number;
}

/** What the device supervisor (or anyone) says is out of service. */
export interface ServiceState {
  /** The whole kiosk: the `out-of-service` screen, no recipient or courier can start (staff can still sign in). */
  whole: boolean;
  /** Compartments taken out of service: no load goes in, no recipient's door opens. */
  compartments: string[];
}

/**
 * The session arbiter: it owns the keypad, scanner, card reader, cash
 * acceptor and the screen, and gives them to one conversation at a time
 * (recipient, card holder, staff sign-in, courier, clerk, operator). A
 * conversation starts and ends explicitly; when it ends — by itself, by `*`,
 * by its timeout — every device wait it started ends with it, and the screen
 * goes back to an empty idle. Doors are followed independently, so the next
 * person can start while a door is still open.
 */
export class Kiosk {
  readonly screen = new ScreenState();
  readonly doors: Doors;
  readonly custody: Custody;
  private current: { c: Conversation | null; ctl: AbortController; held: boolean } | null = null;
  private timer: TimerHandle | null = null;
  private sweepTimer: TimerHandle | null = null;
  private starAt: number | null = null;
  private service: ServiceState = { whole: false, compartments: [] };
  private stopped = false;
  private readonly sweepMs: number;
  private readonly onKey = (k: Key): void => this.guard(() => this.key(k));
  private readonly onRead = (r: ScanRead): void => this.guard(() => this.scan(r.text));
  private readonly onDoor = (ch: Channel, open: boolean): void => this.guard(() => this.door(ch, open));
  private readonly onItem = (ch: Channel, present: boolean): void => this.guard(() => this.item(ch, present));
  private readonly onCardIn = (info: CardInfo): void => this.guard(() => this.cardIn(info));
  private readonly onCardOut = (): void => this.guard(() => this.current?.c?.cardOut?.());
  private readonly onStacked = (bill: Bill): void => this.guard(() => this.current?.c?.stacked?.(bill));
  private readonly onReturned = (bill: Bill, reason: ReturnReason): void => this.guard(() => this.current?.c?.returned?.(bill, reason));
  private readonly onUnaccounted = (words: string): void => this.guard(() => unaccountedCash(this.ctx, words));

  constructor(
    private readonly ctx: FlowContext,
    private readonly keypad: Keypad,
    private readonly scanner: Scanner,
    private readonly card: CardReader | null = null,
    private readonly cashAcceptor: CashAcceptor | null = null,
    opts: KioskOptions = {},
  ) {
    this.custody = new Custody(ctx);
    this.doors = new Doors(ctx, this.custody, (n) => this.doorNews(n));
    this.sweepMs = opts.sweepMs ?? ctx.config.hold.sweepMs;
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
    // Read once: a bank whose locks latch by themselves only reads them in lockAll (one round trip less).
    const states = await locks.states();
    await locks.lockAll(states);
    const byChannel = new Map(states.map((s) => [s.channel, s]));
    // One transaction (one fsync) for every door, not one per compartment.
    store.tx(() => {
      for (const c of store.compartments.list()) store.compartments.setDoor(c.id, byChannel.get(c.channel)?.doorOpen ?? null, clock.now());
    });
    for (const c of store.compartments.list()) {
      const st = byChannel.get(c.channel);
      this.doors.setItem(c.id, st ? itemPresent(st) : null);
    }
    recoverAfterRestart(this.ctx, this.custody, this.doors, (ch) => byChannel.get(ch)?.doorOpen ?? null);
    this.keypad.on('key', this.onKey);
    this.scanner.on('read', this.onRead);
    locks.on('door', this.onDoor);
    locks.on('item', this.onItem);
    this.card?.on('insert', this.onCardIn);
    this.card?.on('remove', this.onCardOut);
    // escrow → record → stack: the conversation paying records a bill before the acceptor may keep it.
    this.cashAcceptor?.setEscrowHandler((bill) => this.escrow(bill));
    this.cashAcceptor?.on('stacked', this.onStacked);
    this.cashAcceptor?.on('returned', this.onReturned);
    this.cashAcceptor?.on('unaccounted', this.onUnaccounted);
    await this.cashAcceptor?.disable(); // it takes money only while someone is paying
    store.audit.add('kiosk.started', clock.now());
    this.sweep();
  }

  /** Which conversation owns the kiosk now (null: idle). */
  get conversation(): Conversation['kind'] | null {
    return this.current?.c?.kind ?? null;
  }

  /**
   * Sets what is out of service (the device supervisor calls this): the whole
   * kiosk shows `out-of-service` and starts no recipient or courier; listed
   * compartments are taken out of service (and ones no longer listed put back).
   */
  setService(s: ServiceState): void {
    const before = new Set(this.service.compartments);
    const after = new Set(s.compartments);
    for (const id of after) if (!before.has(id)) setCompartmentService(this.ctx, id, true, 'device supervisor', 'device fault');
    for (const id of before) if (!after.has(id)) setCompartmentService(this.ctx, id, false, 'device supervisor', 'device back');
    this.service = { whole: s.whole, compartments: [...after] };
    const kind = this.conversation;
    if (s.whole && kind !== null && kind !== 'operator' && kind !== 'sign-in') this.end();
    if (!this.current) this.screen.set(this.idleScreen());
  }

  private idleScreen(): Screen {
    return this.service.whole ? { id: 'out-of-service' } : IDLE;
  }

  private guard(fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (e) {
      this.ctx.log.error({ err: (e as Error).message }, 'input not handled');
    }
  }

  // ── Conversations ───────────────────────────────────────────────────────

  private begin(req: StartRequest): Conversation {
    this.end();
    const ctl = new AbortController();
    // The conversation may show its first screen from its constructor, before `slot.c` is set.
    const slot: { c: Conversation | null; ctl: AbortController; held: boolean } = { c: null, ctl, held: false };
    const alive = (): boolean => this.current === slot && !ctl.signal.aborted;
    const session: Session = {
      show: (s) => {
        if (!alive()) return;
        this.screen.set(s);
        this.arm();
      },
      hold: (on) => {
        if (!alive()) return;
        slot.held = on;
        this.arm();
      },
      end: () => {
        if (alive()) this.end();
      },
      handOff: (next) => {
        if (alive()) this.begin(next);
      },
      signal: ctl.signal,
      get alive() {
        return alive();
      },
    };
    this.current = slot;
    const c = this.make(req, session);
    slot.c = c;
    this.arm();
    return c;
  }

  private make(req: StartRequest, session: Session): Conversation {
    const { ctx, custody, doors } = this;
    switch (req.kind) {
      case 'recipient':
        return new RecipientConversation(ctx, session, custody, doors, this.cashAcceptor);
      case 'card': {
        const c = new CardConversation(ctx, session, custody, doors, this.card as CardReader, this.cashAcceptor, req.info);
        c.begin().catch((e: unknown) => ctx.log.error({ err: (e as Error).message }, 'card read failed'));
        return c;
      }
      case 'sign-in':
        return new SignInConversation(ctx, session, req.badge);
      case 'courier':
        return new CourierConversation(ctx, session, custody, doors, req.id);
      case 'clerk':
        return new ClerkConversation(ctx, session, custody, req.id);
      case 'operator':
        return new OperatorConversation(ctx, session, doors, req.id);
    }
  }

  /** Ends the current conversation (its device waits with it) and shows idle. */
  private end(): void {
    const cur = this.current;
    this.disarm();
    if (!cur) return;
    this.current = null;
    cur.ctl.abort();
    try {
      cur.c?.ended();
    } catch (e) {
      this.ctx.log.error({ err: (e as Error).message }, 'ending a conversation failed');
    }
    this.screen.set(this.idleScreen());
  }

  /** (Re)starts the current conversation's timeout; none while it holds the screen (a door open). */
  private arm(): void {
    this.disarm();
    const cur = this.current;
    if (!cur || cur.held || !cur.c) return;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = null;
      if (this.current === cur) this.end();
    }, cur.c.timeoutMs);
  }

  private disarm(): void {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  // ── Input ───────────────────────────────────────────────────────────────

  private key(k: Key): void {
    const cur = this.current?.c;
    if (cur) {
      this.arm();
      return cur.key(k);
    }
    // Idle: `*` `*` is the staff way in; a single `*` never is.
    if (k === '*') {
      const now = this.ctx.clock.now();
      if (this.starAt !== null && now - this.starAt <= STAR_STAR_MS) {
        this.starAt = null;
        this.begin({ kind: 'sign-in', badge: null });
      } else {
        this.starAt = now;
      }
      return;
    }
    this.starAt = null;
    if (k === '#' || this.service.whole) return;
    this.begin({ kind: 'recipient', first: { key: k } }).key(k);
  }

  private scan(text: string): void {
    const what = classifyScan(text);
    if (what.kind === 'staff') {
      this.begin({ kind: 'sign-in', badge: { role: what.role, id: what.id } });
      return;
    }
    const cur = this.current?.c;
    if (cur && cur.kind !== 'card') {
      this.arm();
      return cur.scan(text);
    }
    if (this.service.whole) return;
    this.begin({ kind: 'recipient', first: { scan: text } }).scan(text);
  }

  /** A card or tag on the reader: a recipient bringing their slip (ignored while staff work). */
  private cardIn(info: CardInfo): void {
    const kind = this.conversation;
    if (!this.card || this.service.whole || (kind !== null && kind !== 'recipient' && kind !== 'card')) return;
    this.begin({ kind: 'card', info });
  }

  /** A bill in escrow: the conversation paying records it; with nobody paying it goes back (see unassignedEscrow). */
  private escrow(bill: Bill): EscrowAnswer {
    try {
      return this.current?.c?.escrow?.(bill) ?? unassignedEscrow(this.ctx, bill);
    } catch (e) {
      this.ctx.log.error({ err: (e as Error).message }, 'recording a bill failed: it goes back');
      return 'return';
    }
  }

  private door(channel: Channel, open: boolean): void {
    const c = this.ctx.store.compartments.byChannel(channel);
    if (!c) {
      this.ctx.log.warn({ channel, open }, 'door event on a channel with no compartment');
      return;
    }
    this.doors.onDoor(c.id, open);
  }

  /**
   * Staff say what they found in a compartment set aside for checking (on the
   * keypad, or by a remote `kiosk.command`): the outcome in words, or why not.
   */
  markChecked(compartmentId: string, found: 'empty' | 'inside', who: string, reason: string): { ok: boolean; words: string } {
    if (this.doors.isBusy(compartmentId)) return { ok: false, words: `compartment ${compartmentId} has a door in use: try again when it is closed` };
    if (this.doors.sensorDisagrees(compartmentId, found)) {
      return { ok: false, words: `compartment ${compartmentId} not marked: its item sensor reads ${found === 'empty' ? 'something inside' : 'empty'}; look again (nothing changed)` };
    }
    const r = checkCompartment(this.ctx, compartmentId, found, who, reason);
    if (r.ok) return { ok: true, words: `compartment ${compartmentId} checked (${found === 'empty' ? 'empty' : 'parcel inside'}): ${r.outcome}; back in service` };
    return { ok: false, words: `compartment ${compartmentId} not marked: ${checkRefusal(r)}` };
  }

  /** An item sensor changed: the doors decide with it when a door closes. */
  private item(channel: Channel, present: boolean): void {
    const c = this.ctx.store.compartments.byChannel(channel);
    if (c) this.doors.setItem(c.id, present);
  }

  /** Each compartment's item sensor as last read: true something inside, false empty, null no sensor (or not answering). */
  occupancy(): Map<string, boolean | null> {
    return new Map(this.ctx.store.compartments.list().map((c) => [c.id, this.doors.itemOf(c.id)]));
  }

  private doorNews(n: DoorNews): void {
    this.current?.c?.door?.(n);
  }

  // ── Sweep, stop ─────────────────────────────────────────────────────────

  /** Runs the uncollected sweep now and then every `sweepMs`. */
  sweep(): number {
    if (this.sweepTimer) this.ctx.clock.clearTimeout(this.sweepTimer);
    let n = 0;
    try {
      n = sweepUncollected(this.ctx, this.custody);
    } catch (e) {
      this.ctx.log.error({ err: (e as Error).message }, 'uncollected sweep failed');
    }
    if (!this.stopped) this.sweepTimer = this.ctx.clock.setTimeout(() => this.sweep(), this.sweepMs);
    return n;
  }

  stop(): void {
    this.end();
    this.stopped = true;
    this.keypad.off('key', this.onKey);
    this.scanner.off('read', this.onRead);
    this.ctx.locks.off('door', this.onDoor);
    this.ctx.locks.off('item', this.onItem);
    this.card?.off('insert', this.onCardIn);
    this.card?.off('remove', this.onCardOut);
    this.cashAcceptor?.setEscrowHandler(null);
    this.cashAcceptor?.off('stacked', this.onStacked);
    this.cashAcceptor?.off('returned', this.onReturned);
    this.cashAcceptor?.off('unaccounted', this.onUnaccounted);
    if (this.sweepTimer) this.ctx.clock.clearTimeout(this.sweepTimer);
    this.doors.stop();
  }
}
