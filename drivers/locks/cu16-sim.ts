import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import type { ByteTransport } from '../serial/transport.js';
import { CU16_CMD, Cu16Decoder, encodeReply, type Cu16Event, type Cu16Request, type DecoderOptions } from './cu16-codec.js';

/**
 * What a simulated board does wrong, to test the driver's fault handling:
 * - `none`: a healthy board;
 * - `never-confirm`: answers, records the pulse, but the lock never releases (burnt solenoid);
 * - `silent`: never answers (unpowered, wrong DIP address, cut A/B pair);
 * - `bad-checksum`: answers with the SUM off by one;
 * - `garbage`: sends stray bytes before every reply (a noisy, badly terminated line).
 */
export type Cu16Fault = 'none' | 'never-confirm' | 'silent' | 'bad-checksum' | 'garbage';

export interface Cu16SimOptions {
  /** DIP address 0-15. */
  address: number;
  /** Delay between the request's last byte and the reply (ms). Default 5. */
  replyDelayMs?: number;
  /** How long the lock stays released after a pulse when its door is not opened (ms). Default 500. */
  relockMs?: number;
  /** How the sensor bit reports the door: `open-high` (1 = open, default) or `open-low`. */
  doorSensor?: 'open-high' | 'open-low';
}

export interface Cu16Pulse {
  lock: number;
  at: number;
}

export interface SimLock {
  locked: boolean;
  doorOpen: boolean;
  /** Something inside (only boards with item sensors report it). */
  item: boolean;
  relock: TimerHandle | null;
}

/** A decoder of what the board hears, in CU16 terms (a model with its own framing brings one). */
export interface SimDecoder {
  push(chunk: Buffer): Cu16Event[];
  reset(): void;
}

/** What differs between simulated board models (CU16 by default). */
export interface SimShape {
  locks: number;
  decoder: DecoderOptions | (() => SimDecoder);
}

/**
 * A CU16 board's end of the bus: decodes requests from the transport, answers
 * the ones for its DIP address, pulses locks. Several boards can attach to the
 * same transport (one pty, like boards daisy-chained on one RS-485 pair); each
 * answers only its own address. The caller opens and closes the transport.
 *
 * A released lock relatches on its own after `relockMs` if its door stays
 * shut; if the door was opened it relatches when the door is closed again
 * (self-locking locks).
 */
export class Cu16BoardSim {
  readonly address: number;
  /** Every unlock pulse the board was told to fire, in order. */
  readonly pulses: Cu16Pulse[] = [];
  /** Every request addressed to this board, in order. */
  readonly requests: Cu16Request[] = [];
  fault: Cu16Fault = 'none';
  /** Called as each reply is handed to the transport (for latency measurements). */
  onReply: ((hooks: number, sensors: number) => void) | null = null;
  private readonly decoder: SimDecoder;
  protected readonly locks: SimLock[];
  protected readonly replyDelayMs: number;
  private readonly relockMs: number;
  private readonly openHigh: boolean;
  private readonly timers = new Set<TimerHandle>();
  private attached = true;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onClose = (): void => this.decoder.reset();

  constructor(
    protected readonly transport: ByteTransport,
    options: Cu16SimOptions,
    protected readonly clock: Clock = systemClock,
    shape: SimShape = { locks: 16, decoder: {} },
  ) {
    if (!Number.isInteger(options.address) || options.address < 0 || options.address > 15) {
      throw new RangeError(`CU sim: address ${options.address} is outside 0-15`);
    }
    this.decoder = typeof shape.decoder === 'function' ? shape.decoder() : new Cu16Decoder(shape.decoder);
    this.address = options.address;
    this.replyDelayMs = options.replyDelayMs ?? 5;
    this.relockMs = options.relockMs ?? 500;
    this.openHigh = (options.doorSensor ?? 'open-high') === 'open-high';
    this.locks = Array.from({ length: shape.locks }, () => ({ locked: true, doorOpen: false, item: false, relock: null }));
    transport.on('data', this.onData);
    transport.on('close', this.onClose);
  }

  /** A person opens the door of `lock` (1-16). Works on a latched lock too: the sensor reports a forced door. */
  openDoor(lock: number): void {
    const l = this.lock(lock);
    l.doorOpen = true;
    this.clearRelock(l);
  }

  /** A person shuts the door of `lock`; a self-locking lock latches as the door closes. */
  closeDoor(lock: number): void {
    const l = this.lock(lock);
    l.doorOpen = false;
    this.clearRelock(l);
    l.locked = true;
  }

  /** The lock's hook and door as the board sees them. */
  lockState(lock: number): { locked: boolean; doorOpen: boolean } {
    const l = this.lock(lock);
    return { locked: l.locked, doorOpen: l.doorOpen };
  }

  /** The hook bits (1 = latched) and sensor bits as the next reply will carry them. */
  bits(): { hooks: number; sensors: number } {
    let hooks = 0;
    let sensors = 0;
    this.locks.forEach((l, i) => {
      if (l.locked) hooks |= 1 << i;
      if (l.doorOpen === this.openHigh) sensors |= 1 << i;
    });
    return { hooks, sensors };
  }

  /** Puts raw bytes on the bus (garbage, half frames). */
  inject(bytes: Buffer): Promise<void> {
    return this.transport.write(bytes);
  }

  /** Stops answering and drops its timers; the transport is left as it is. */
  detach(): void {
    this.attached = false;
    this.transport.off('data', this.onData);
    this.transport.off('close', this.onClose);
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    for (const l of this.locks) this.clearRelock(l);
  }

  protected lock(lock: number): SimLock {
    const l = this.locks[lock - 1];
    if (!Number.isInteger(lock) || !l) throw new RangeError(`CU sim: lock ${lock} is outside 1-${this.locks.length}`);
    return l;
  }

  private clearRelock(l: SimLock): void {
    if (l.relock) this.clock.clearTimeout(l.relock);
    l.relock = null;
  }

  private receive(chunk: Buffer): void {
    for (const ev of this.decoder.push(chunk)) this.hear(ev);
  }

  /** One decoded frame from the bus (a model with more commands overrides this). */
  protected hear(ev: Cu16Event): void {
    if (ev.type !== 'request' || ev.request.board !== this.address) return;
    this.handle(ev.request);
  }

  protected handle(req: Cu16Request, bus = false): void {
    this.requests.push(req);
    if (req.cmd === CU16_CMD.unlock) this.pulse(req.lock);
    this.replyLater(bus ? this.busDelayMs() : this.replyDelayMs, req.lock, bus);
  }

  /** How long after a bus-wide request this board answers (a model with one overrides it). */
  protected busDelayMs(): number {
    return this.replyDelayMs;
  }

  /** The reply frame carrying `bits()` (a model with its own layout overrides it). */
  protected replyFrame(lock: number, _bus: boolean): Buffer {
    const { hooks, sensors } = this.bits();
    return encodeReply(this.address, lock, hooks, sensors);
  }

  /** Sends `frame` after `ms`, as the fault says (garbage before it, its SUM off, or not at all). */
  protected sendLater(ms: number, frame: () => Buffer): void {
    if (this.fault === 'silent') return;
    this.later(ms, () => {
      const reply = frame();
      if (this.fault === 'bad-checksum') reply[reply.length - 1] = (reply[reply.length - 1] + 1) & 0xff;
      const out = this.fault === 'garbage' ? Buffer.concat([Buffer.from([0x00, 0x02, 0x35, 0xff, 0x03, 0x7e]), reply]) : reply;
      this.transport.write(out).catch(() => {
        // The line went away under the reply; the host will time out, as with a real board.
      });
    });
  }

  private replyLater(ms: number, lock: number, bus: boolean): void {
    this.sendLater(ms, () => {
      const { hooks, sensors } = this.bits();
      this.onReply?.(hooks, sensors);
      return this.replyFrame(lock, bus);
    });
  }

  protected pulse(lock: number): void {
    this.pulses.push({ lock, at: this.clock.now() });
    if (this.fault === 'never-confirm') return;
    const l = this.lock(lock);
    l.locked = false;
    this.clearRelock(l);
    l.relock = this.clock.setTimeout(() => {
      l.relock = null;
      if (!l.doorOpen) l.locked = true;
    }, this.relockMs);
  }

  protected later(ms: number, fn: () => void): void {
    if (!this.attached) return;
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      if (this.attached) fn();
    }, ms);
    this.timers.add(t);
  }
}

/** Attaches one simulated board per address to one transport (boards sharing a bus). */
export function attachCu16Sims(
  transport: ByteTransport,
  addresses: number[],
  options: Omit<Cu16SimOptions, 'address'> = {},
  clock: Clock = systemClock,
): Cu16BoardSim[] {
  return addresses.map((address) => new Cu16BoardSim(transport, { ...options, address }, clock));
}
