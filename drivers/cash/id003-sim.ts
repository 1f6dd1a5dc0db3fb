import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import type { ByteTransport } from '../serial/transport.js';
import { CMD, encodeFrame, Id003Decoder, STATUS, type Id003Frame } from './id003-codec.js';

/**
 * What the simulated validator does wrong:
 * - `none`;
 * - `silent`: never answers (unpowered, wrong port);
 * - `bad-crc`: every reply's CRC is off;
 * - `stack-fails`: a STACK is acknowledged but the bill comes back (the stacker cannot take it).
 */
export type Id003Fault = 'none' | 'silent' | 'bad-crc' | 'stack-fails';

export interface Id003SimOptions {
  /** Reply delay (ms). Default 3. */
  replyDelayMs?: number;
  /** Time a bill takes from the slot to escrow, and from escrow into the box or back (ms). Default 20. */
  moveMs?: number;
}

/**
 * A JCM ID-003 validator's end of the cable: answers status requests with its
 * state, takes a bill to escrow, stacks it on STACK-1/2 (VEND VALID until the
 * host's ACK), hands it back on RETURN, echoes setting commands. The caller
 * opens and closes the transport.
 */
export class Id003ValidatorSim {
  /** Escrow codes of the bills in the box, in order. */
  readonly stacked: number[] = [];
  /** Escrow codes of the bills handed back, in order. */
  readonly returned: number[] = [];
  /** Every command received, in order. */
  readonly commands: number[] = [];
  fault: Id003Fault = 'none';
  private state: number = STATUS.powerUp;
  private data: Buffer = Buffer.alloc(0);
  private inhibited = true;
  private escrowCode = -1;
  private readonly decoder = new Id003Decoder();
  private readonly timers = new Set<TimerHandle>();
  private readonly replyDelayMs: number;
  private readonly moveMs: number;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  constructor(
    private readonly transport: ByteTransport,
    options: Id003SimOptions = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.replyDelayMs = options.replyDelayMs ?? 3;
    this.moveMs = options.moveMs ?? 20;
    transport.on('data', this.onData);
  }

  /** The validator's status byte now. */
  get status(): number {
    return this.state;
  }

  get accepting(): boolean {
    return !this.inhibited && this.state === STATUS.idling;
  }

  /**
   * A person feeds a bill with escrow code `code`. Returns false when the
   * validator does not take it in (inhibited, busy, not initialised).
   */
  insert(code: number): boolean {
    if (!this.accepting) return false;
    this.set(STATUS.accepting);
    this.later(this.moveMs, () => {
      this.escrowCode = code;
      this.set(STATUS.escrow, Buffer.from([code]));
    });
    return true;
  }

  /** A bill already in escrow, as a kiosk that stopped mid-payment leaves it (the validator keeps holding it). */
  holdInEscrow(code: number): void {
    this.escrowCode = code;
    this.set(STATUS.escrow, Buffer.from([code]));
  }

  /** Power cycles with the bill in escrow still in the slot, as after a power cut. */
  powerCycle(): void {
    this.state = this.escrowCode >= 0 ? STATUS.powerUpBillInAcceptor : STATUS.powerUp;
    this.data = Buffer.alloc(0);
    this.inhibited = true;
  }

  detach(): void {
    this.transport.off('data', this.onData);
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private set(state: number, data: Buffer = Buffer.alloc(0)): void {
    this.state = state;
    this.data = data;
  }

  private idle(): void {
    this.set(this.inhibited ? STATUS.inhibit : STATUS.idling);
  }

  private receive(chunk: Buffer): void {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.type === 'frame') this.handle(ev.frame);
    }
  }

  private handle(f: Id003Frame): void {
    this.commands.push(f.cmd);
    switch (f.cmd) {
      case CMD.status:
        return this.reply(this.state, this.data);
      case CMD.reset:
        this.reply(STATUS.ack);
        if (this.state === STATUS.powerUpBillInAcceptor && this.escrowCode >= 0) {
          this.returned.push(this.escrowCode);
          this.escrowCode = -1;
        }
        this.inhibited = true;
        this.set(STATUS.initialize);
        this.later(this.moveMs, () => this.idle());
        return;
      case CMD.stack1:
      case CMD.stack2:
        if (this.state !== STATUS.escrow) return this.reply(STATUS.invalidCommand);
        this.reply(STATUS.ack);
        this.set(STATUS.stacking);
        this.later(this.moveMs, () => {
          if (this.fault === 'stack-fails') return this.handBack(STATUS.returning);
          this.stacked.push(this.escrowCode);
          this.escrowCode = -1;
          this.set(STATUS.vendValid);
        });
        return;
      case CMD.return:
        if (this.state !== STATUS.escrow) return this.reply(STATUS.invalidCommand);
        this.reply(STATUS.ack);
        this.handBack(STATUS.returning);
        return;
      case CMD.hold:
        return this.reply(this.state === STATUS.escrow ? STATUS.ack : STATUS.invalidCommand);
      case CMD.ack:
        // The host saw VEND VALID: the bill is counted; no reply to an ACK.
        if (this.state === STATUS.vendValid) {
          this.set(STATUS.stacked);
          this.later(this.moveMs, () => this.idle());
        }
        return;
      case CMD.setInhibit:
        this.inhibited = (f.data[0] ?? 1) !== 0;
        if (this.state === STATUS.idling || this.state === STATUS.inhibit) this.idle();
        return this.reply(CMD.setInhibit, f.data);
      case CMD.setDenomination:
      case CMD.setSecurity:
      case CMD.setCommunicationMode:
      case CMD.setDirection:
      case CMD.setOptionalFunction:
        return this.reply(f.cmd, f.data);
      case CMD.version:
        return this.reply(CMD.version, Buffer.from('SIM ID-003 V1.00', 'ascii'));
      default:
        return this.reply(STATUS.invalidCommand);
    }
  }

  private handBack(state: number): void {
    this.set(state);
    this.later(this.moveMs, () => {
      this.returned.push(this.escrowCode);
      this.escrowCode = -1;
      this.idle();
    });
  }

  private reply(cmd: number, data: Buffer = Buffer.alloc(0)): void {
    if (this.fault === 'silent') return;
    const frame = encodeFrame(cmd, data);
    if (this.fault === 'bad-crc') frame[frame.length - 1] ^= 0xff;
    this.later(this.replyDelayMs, () => {
      this.transport.write(frame).catch(() => {
        // The line went away under the reply; the host times out, as with a real unit.
      });
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
