import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { TransportHold } from '../serial/hold.js';
import { RequestLine } from '../serial/request-line.js';
import type { ByteTransport } from '../serial/transport.js';
import { screenBill, type Bill, type CashAcceptor, type CashEvents, type Due, type EscrowHandler, type ReturnReason } from './contract.js';
import { CMD, encodeFrame, Id003Decoder, STATUS, type Id003Frame } from './id003-codec.js';
import { resolveId003Options, type Id003Options, type ResolvedId003Options } from './id003-options.js';

export type { Id003Options } from './id003-options.js';

/** The bill in escrow and what the kiosk said about it. */
interface Held {
  bill: Bill;
  code: number;
  /** asking: the handler has it; waiting: no handler yet; stack/return: decided, command sent (again on each ESCROW poll until it takes). */
  decision: 'asking' | 'waiting' | 'stack' | 'return';
  reason: ReturnReason;
  /** The validator left escrow before the handler answered (its own escrow timeout, a reset). */
  gone: boolean;
  /** The decision's command was acknowledged (or is on its way): not to be sent again. */
  sent: boolean;
}

const FAULTS: Record<number, string> = {
  [STATUS.stackerFull]: 'the stacker (cash box) is full',
  [STATUS.stackerOpen]: 'the stacker (cash box) is open or removed',
  [STATUS.jamInAcceptor]: 'a bill is jammed in the acceptor',
  [STATUS.jamInStacker]: 'a bill is jammed in the stacker',
  [STATUS.pause]: 'paused: a second bill was inserted while one was being handled',
  [STATUS.cheated]: 'reports a cheat attempt (a bill pulled back on a string?)',
  [STATUS.failure]: 'reports a hardware failure',
};

/**
 * A JCM ID-003 bill validator (iVIZION, UBA, WBA, DBV…) as a CashAcceptor.
 * Polls the status; a bill in ESCROW is screened against what is due, put to
 * the escrow handler, and stacked (STACK-1) only after the handler answered
 * `stack` — or handed back (RETURN). VEND VALID is acknowledged and reported
 * as `stacked`. One request on the wire at a time. See docs/drivers/cash.md.
 */
/** After a STACK or RETURN is acknowledged, the status is polled this soon (ms), until the bill is through. */
const FOLLOW_UP_POLL_MS = 50;

export class Id003CashAcceptor extends TypedEmitter<CashEvents> implements CashAcceptor {
  readonly name: string;
  private readonly o: ResolvedId003Options;
  private readonly line: RequestLine<Id003Frame>;
  private readonly hold: TransportHold;
  private readonly log: Log;
  private readonly runId: string;
  private handler: EscrowHandler | null = null;
  private enabled = false;
  private due: Due | null = null;
  private held: Held | null = null;
  private seq = 0;
  private pollTimer: TimerHandle | null = null;
  private misses = 0;
  private lastStatus = -1;
  /** The first status after open belongs to a bill this run never saw. */
  private resuming = true;

  constructor(
    private readonly transport: ByteTransport,
    options: Id003Options,
    private readonly clock: Clock = systemClock,
    log: Log = silentLog,
  ) {
    super();
    this.o = resolveId003Options(options);
    this.name = `cash:id003 ${transport.description}`;
    this.log = log.child({ module: 'cash:id003' });
    this.runId = clock.now().toString(36);
    this.line = new RequestLine(transport, new Id003Decoder(), clock, {
      noise: (kind, bytes) => this.fault(new DeviceError(kind === 'checksum' ? 'checksum' : 'protocol', `line noise: ${bytes.subarray(0, 16).toString('hex')}`, this.name)),
    });
    this.hold = new TransportHold(transport, {
      data: (chunk) => this.line.receive(chunk),
      lost: (reason) => this.lost(reason),
      back: () => this.back(),
      fault: (err) => this.fault(err),
    });
  }

  async open(): Promise<void> {
    if (!(await this.hold.open(this.name))) return;
    try {
      await this.startUp();
    } catch (e) {
      await this.close();
      const why = (e as Error).message;
      throw new DeviceError('not-found', `no ID-003 validator answered (${why}); check the cable (RS-232 TX/RX, or the USB adapter), 9600 8E1, and that the unit is set to ID-003`, this.name);
    }
    this.schedulePoll(this.o.pollIntervalMs);
  }

  async close(): Promise<void> {
    const was = this.hold.close();
    if (was === 'closed') return;
    this.stopPoll();
    this.line.failAll(new DeviceError('closed', 'driver closed', this.name));
    if (was !== 'idle') await this.transport.close();
  }

  async enable(due?: Due): Promise<void> {
    this.hold.ready(this.name);
    this.due = due ?? null;
    await this.inhibit(false);
    this.enabled = true;
  }

  /** Never rejects for a closed or lost line: a validator is inhibited again whenever it is (re)opened. */
  async disable(): Promise<void> {
    this.enabled = false;
    this.due = null;
    if (this.hold.isOpen) await this.inhibit(true);
  }

  setEscrowHandler(handler: EscrowHandler | null): void {
    this.handler = handler;
    const h = this.held;
    if (h && h.decision === 'waiting') {
      if (handler) this.ask(h);
      else this.decide(h, 'return', 'no-handler');
    }
  }

  // --- start-up and polling ---------------------------------------------------

  private async startUp(): Promise<void> {
    const first = await this.status();
    if (first.cmd === STATUS.powerUpBillInStacker) {
      this.emit('unaccounted', 'the validator powered up with a bill in the stacker: it was stacked while nothing was listening');
    }
    if (this.needsReset(first.cmd)) {
      await this.command(CMD.reset, 'reset');
      this.resuming = false;
    } else {
      this.handle(first);
    }
    await this.inhibit(true);
  }

  private needsReset(status: number): boolean {
    return status === STATUS.powerUp || status === STATUS.powerUpBillInAcceptor || status === STATUS.powerUpBillInStacker || status === STATUS.failure;
  }

  private schedulePoll(ms: number): void {
    this.stopPoll();
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = null;
      void this.poll();
    }, ms);
  }

  private stopPoll(): void {
    if (this.pollTimer) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private async poll(): Promise<void> {
    if (!this.hold.isOpen) return;
    try {
      const f = await this.status();
      this.misses = 0;
      this.handle(f);
      if (this.needsReset(f.cmd)) await this.command(CMD.reset, 'reset').then(() => this.inhibit(!this.enabled));
    } catch (e) {
      const err = e as DeviceError;
      if (err.code === 'closed' || err.code === 'disconnected') return;
      if (++this.misses === this.o.missesBeforeLost) this.fault(new DeviceError('timeout', `the validator stopped answering (${err.message})`, this.name));
    }
    if (this.hold.isOpen) this.schedulePoll(this.held?.sent === true ? this.followUpMs() : this.o.pollIntervalMs);
  }

  private followUpMs(): number {
    return Math.min(FOLLOW_UP_POLL_MS, this.o.pollIntervalMs);
  }

  private handle(f: Id003Frame): void {
    const resumed = this.resuming;
    this.resuming = false;
    const changed = f.cmd !== this.lastStatus;
    this.lastStatus = f.cmd;
    switch (f.cmd) {
      case STATUS.escrow:
        return this.escrow(f.data[0] ?? -1, resumed);
      case STATUS.vendValid:
      case STATUS.stacked:
        if (f.cmd === STATUS.vendValid) void this.send(CMD.ack, 'ack vend valid');
        return this.stackedNow(resumed);
      case STATUS.idling:
      case STATUS.inhibit:
      case STATUS.accepting:
      case STATUS.rejecting:
      case STATUS.initialize:
      case STATUS.powerUp:
      case STATUS.powerUpBillInAcceptor:
      case STATUS.powerUpBillInStacker:
        return this.leftEscrow();
      case STATUS.stacking:
      case STATUS.returning:
      case STATUS.holding:
        return;
      default: {
        const fault = FAULTS[f.cmd];
        if (fault && changed) this.fault(new DeviceError('device-error', fault, this.name));
        else if (!fault && changed) this.fault(new DeviceError('protocol', `unexpected status 0x${f.cmd.toString(16)}`, this.name));
      }
    }
  }

  // --- escrow ----------------------------------------------------------------

  private escrow(code: number, resumed: boolean): void {
    const h = this.held;
    if (h && h.code === code && !h.gone) {
      // Still in escrow: repeat a decision whose command was lost.
      if ((h.decision === 'stack' || h.decision === 'return') && !h.sent) this.sendDecision(h);
      return;
    }
    const amount = this.o.denominations[code];
    const bill: Bill = { id: `${this.runId}-${++this.seq}`, amount: amount ?? 0, currency: this.o.currency, resumed };
    const held: Held = { bill, code, decision: 'asking', reason: 'refused', gone: false, sent: false };
    this.held = held;
    if (amount === undefined) return this.decide(held, 'return', 'unknown-note');
    // A bill held over from an earlier run was taken while someone was paying: ask, whatever the state now.
    const screened = resumed ? null : screenBill(bill, this.enabled, this.due);
    if (screened) return this.decide(held, 'return', screened);
    if (!this.handler) {
      held.decision = 'waiting';
      return;
    }
    this.ask(held);
  }

  private ask(held: Held): void {
    const handler = this.handler;
    if (!handler) return;
    held.decision = 'asking';
    Promise.resolve()
      .then(() => handler(held.bill))
      .then(
        (answer) => (answer === 'stack' ? this.decide(held, 'stack', 'stack-failed') : this.decide(held, 'return', 'refused')),
        (e: unknown) => {
          this.log.warn({ bill: held.bill.id, err: (e as Error).message }, 'escrow handler failed: returning the bill');
          this.decide(held, 'return', 'refused');
        },
      );
  }

  /** `reason` is what `returned` will say if the bill comes back. */
  private decide(held: Held, decision: 'stack' | 'return', reason: ReturnReason): void {
    held.decision = decision;
    held.reason = reason;
    if (held.gone) {
      // The validator let go of it while the kiosk decided: it went back to the person.
      if (this.held === held) this.held = null;
      this.emit('returned', held.bill, decision === 'stack' ? 'stack-failed' : reason);
      return;
    }
    if (!this.hold.isOpen) return; // the next open finds it still in escrow
    this.sendDecision(held);
  }

  private sendDecision(held: Held): void {
    held.sent = true;
    const stack = held.decision === 'stack';
    void this.command(stack ? CMD.stack1 : CMD.return, stack ? 'stack' : 'return').then((ok) => {
      if (!ok) held.sent = false;
      // The bill is on its way: look again soon rather than a whole poll later, so the person sees it counted.
      else if (this.hold.isOpen) this.schedulePoll(this.followUpMs());
    });
  }

  private stackedNow(resumed: boolean): void {
    const h = this.held;
    if (h && h.decision === 'stack') {
      this.held = null;
      this.emit('stacked', h.bill);
      return;
    }
    if (h || resumed) {
      this.held = null;
      this.emit('unaccounted', `a bill was stacked that ${h ? 'the kiosk had not agreed to stack' : 'was in escrow before this start'}${h ? ` (${h.bill.amount} ${h.bill.currency})` : ''}`);
    }
  }

  /** The validator is out of escrow without a stack. */
  private leftEscrow(): void {
    const h = this.held;
    if (!h) return;
    if (h.decision === 'asking' || h.decision === 'waiting') {
      h.gone = true;
      if (h.decision === 'waiting') {
        this.held = null;
        this.emit('returned', h.bill, 'no-handler');
      }
      return;
    }
    this.held = null;
    this.emit('returned', h.bill, h.decision === 'stack' ? 'stack-failed' : h.reason);
  }

  // --- wire ------------------------------------------------------------------

  private status(): Promise<Id003Frame> {
    // Every validator frame is a status; the one after our request answers it.
    return this.line.ask(encodeFrame(CMD.status), () => true, this.o.replyTimeoutMs, 'status request');
  }

  /** An operation command (reset, stack, return): the validator answers ACK. */
  private async command(cmd: number, label: string): Promise<boolean> {
    try {
      const f = await this.line.ask(encodeFrame(cmd), () => true, this.o.replyTimeoutMs, label);
      if (f.cmd === STATUS.invalidCommand) throw new DeviceError('protocol', `${label}: the validator answered INVALID COMMAND`, this.name);
      if (f.cmd !== STATUS.ack) throw new DeviceError('protocol', `${label}: answered 0x${f.cmd.toString(16)} instead of ACK`, this.name);
      return true;
    } catch (e) {
      if (label === 'reset') throw e;
      // A lost stack/return is sent again on the next ESCROW poll.
      const err = e as DeviceError;
      if (err.code !== 'closed') this.fault(err);
      return false;
    }
  }

  private send(cmd: number, label: string): Promise<unknown> {
    return this.line.request(encodeFrame(cmd), null, this.o.replyTimeoutMs, label).catch(() => undefined);
  }

  private async inhibit(on: boolean): Promise<void> {
    const f = await this.line.ask(encodeFrame(CMD.setInhibit, Buffer.from([on ? 1 : 0])), () => true, this.o.replyTimeoutMs, on ? 'inhibit' : 'permit');
    if (f.cmd !== CMD.setInhibit || f.data[0] !== (on ? 1 : 0)) {
      throw new DeviceError('protocol', `${on ? 'inhibit' : 'permit'}: the validator did not echo the setting (0x${f.cmd.toString(16)})`, this.name);
    }
  }

  private lost(reason: string): void {
    this.stopPoll();
    this.line.failAll(new DeviceError('disconnected', `serial line lost: ${reason}`, this.name));
    this.emit('disconnect', reason);
  }

  private back(): void {
    this.emit('reconnect');
    void this.inhibit(!this.enabled).catch((e: unknown) => this.fault(e as Error));
    this.schedulePoll(0);
  }

  private fault(err: Error): void {
    if (this.hold.isClosed) return;
    this.emitError(err);
  }
}
