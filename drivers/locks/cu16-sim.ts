import { systemClock, type Clock, type TimerHandle } from '../../src/clock.js';
import type { ByteTransport } from '../serial/transport.js';
import { CU16_CMD, Cu16Decoder, encodeReply, type Cu16Request } from './cu16-codec.js';

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

interface SimLock {
  locked: boolean;
  doorOpen: boolean;
  relock: TimerHandle | null;
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
  private readonly decoder = new Cu16Decoder();
  private readonly locks: SimLock[];
  private readonly replyDelayMs: number;
  private readonly relockMs: number;
  private readonly openHigh: boolean;
  private readonly timers = new Set<TimerHandle>();
  private attached = true;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onClose = (): void => this.decoder.reset();

  constructor(
    private readonly transport: ByteTransport,
    options: Cu16SimOptions,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(options.address) || options.address < 0 || options.address > 15) {
      throw new RangeError(`CU16 sim: address ${options.address} is outside 0-15`);
    }
    this.address = options.address;
    this.replyDelayMs = options.replyDelayMs ?? 5;
    this.relockMs = options.relockMs ?? 500;
    this.openHigh = (options.doorSensor ?? 'open-high') === 'open-high';
    this.locks = Array.from({ length: 16 }, () => ({ locked: true, doorOpen: false, relock: null }));
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

  /** The 16 hook bits (1 = latched) and 16 sensor bits as the next reply will carry them. */
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

  private lock(lock: number): SimLock {
    const l = this.locks[lock - 1];
    if (!Number.isInteger(lock) || !l) throw new RangeError(`CU16 sim: lock ${lock} is outside 1-16`);
    return l;
  }

  private clearRelock(l: SimLock): void {
    if (l.relock) this.clock.clearTimeout(l.relock);
    l.relock = null;
  }

  private receive(chunk: Buffer): void {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.type !== 'request' || ev.request.board !== this.address) continue;
      this.handle(ev.request);
    }
  }

  private handle(req: Cu16Request): void {
    this.requests.push(req);
    if (req.cmd === CU16_CMD.unlock) this.pulse(req.lock);
    if (this.fault === 'silent') return;
    this.later(this.replyDelayMs, () => {
      const { hooks, sensors } = this.bits();
      const reply = encodeReply(this.address, req.lock, hooks, sensors);
      if (this.fault === 'bad-checksum') reply[8] = (reply[8] + 1) & 0xff;
      const out = this.fault === 'garbage' ? Buffer.concat([Buffer.from([0x00, 0x02, 0x35, 0xff, 0x03, 0x7e]), reply]) : reply;
      this.onReply?.(hooks, sensors);
      this.transport.write(out).catch(() => {
        // The line went away under the reply; the host will time out, as with a real board.
      });
    });
  }

  private pulse(lock: number): void {
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

  private later(ms: number, fn: () => void): void {
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
