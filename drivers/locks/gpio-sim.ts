import type { Clock, TimerHandle } from '../../src/core/clock.js';
import { parseOptions } from '../../src/core/config-rules.js';
import { activeLevel, invert, type Level } from '../gpio/port.js';
import type { SimGpioChip } from '../gpio/sim.js';
import type { Channel } from './contract.js';
import { gpioLockOptionsSchema, type GpioLockConfig, type GpioRelaySettings } from './gpio-schema.js';

/** One relay pulse as the simulated hardware saw it. */
export interface SimPulse {
  channel: Channel;
  /** Clock time the relay was energised. */
  start: number;
  /** Clock time it was released; null while still energised. */
  end: number | null;
}

export interface GpioLockSimOptions {
  /**
   * A sprung door pops open this long after its lock is energised (null: the
   * door stays shut until `openDoor`, like a door a person must pull).
   */
  springOpenMs?: number | null;
  /** Reed-switch bounce on every simulated door change, in ms (0: clean edges). */
  bounceMs?: number;
}

/**
 * The hardware on the far side of a GpioLockBank's wires, in process: relays
 * that record their pulses, locks that release while energised, doors with
 * reed switches that bounce. Hooks: `openDoor(3)`, `closeDoor(3)`, `jam(3)`.
 */
export class GpioLockSim {
  /** Every pulse, oldest first. */
  readonly pulses: SimPulse[] = [];
  private readonly relays: GpioRelaySettings[];
  private readonly open = new Map<Channel, boolean>();
  private readonly jammed = new Set<Channel>();
  private readonly timers = new Set<TimerHandle>();
  private readonly springOpenMs: number | null;
  private readonly bounceMs: number;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly chip: SimGpioChip,
    config: GpioLockConfig,
    private readonly clock: Clock,
    opts: GpioLockSimOptions = {},
  ) {
    this.relays = parseOptions(gpioLockOptionsSchema(), config, 'locks.gpio').relays;
    this.springOpenMs = opts.springOpenMs === undefined ? 120 : opts.springOpenMs;
    this.bounceMs = opts.bounceMs ?? 0;
    for (const r of this.relays) {
      this.open.set(r.channel, false);
      chip.setInput(r.doorGpio, this.doorLevel(r, false));
    }
    this.unsubscribe = chip.onWrite((w) => {
      const r = this.relays.find((x) => x.relayGpio === w.line);
      if (r) this.relayWritten(r, w.value, w.at);
    });
  }

  /** The person pulls the door open (it opens only while the lock is released, unless `force`). */
  openDoor(channel: Channel, opts: { force?: boolean } = {}): boolean {
    const r = this.relay(channel);
    if (!opts.force && !this.energised(channel)) return false;
    this.setDoor(r, true);
    return true;
  }

  /** The door is pushed shut (the latch catches it). */
  closeDoor(channel: Channel): void {
    this.setDoor(this.relay(channel), false);
  }

  /** A jammed lock stays shut while energised (a stuck bolt, a parcel pressing on the door). */
  jam(channel: Channel, jammed = true): void {
    this.relay(channel);
    if (jammed) this.jammed.add(channel);
    else this.jammed.delete(channel);
  }

  /** Whether the relay is energised now. */
  energised(channel: Channel): boolean {
    const r = this.relay(channel);
    return this.chip.level(r.relayGpio) === activeLevel(r.relayActiveLow);
  }

  doorOpen(channel: Channel): boolean {
    this.relay(channel);
    return this.open.get(channel) ?? false;
  }

  pulseCount(channel: Channel): number {
    return this.pulses.filter((p) => p.channel === channel).length;
  }

  dispose(): void {
    this.unsubscribe();
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private relayWritten(r: GpioRelaySettings, value: Level, at: number): void {
    const on = value === activeLevel(r.relayActiveLow);
    const last = [...this.pulses].reverse().find((p) => p.channel === r.channel && p.end === null);
    if (on && !last) {
      this.pulses.push({ channel: r.channel, start: at, end: null });
      if (this.springOpenMs !== null && !this.jammed.has(r.channel) && !this.doorOpen(r.channel)) {
        this.later(this.springOpenMs, () => {
          if (this.energised(r.channel)) this.setDoor(r, true);
        });
      }
    } else if (!on && last) {
      last.end = at;
    }
  }

  private setDoor(r: GpioRelaySettings, open: boolean): void {
    if (this.open.get(r.channel) === open) return;
    this.open.set(r.channel, open);
    const final = this.doorLevel(r, open);
    if (this.bounceMs <= 0) {
      this.chip.setInput(r.doorGpio, final);
      return;
    }
    // Contacts chatter every 2 ms, then settle on the final level.
    let level: Level = final;
    for (let t = 0; t < this.bounceMs; t += 2) {
      const l = level;
      this.later(t, () => this.chip.setInput(r.doorGpio, l));
      level = invert(level);
    }
    this.later(this.bounceMs, () => this.chip.setInput(r.doorGpio, final));
  }

  private doorLevel(r: GpioRelaySettings, open: boolean): Level {
    return open ? r.doorOpenValue : invert(r.doorOpenValue);
  }

  private later(ms: number, fn: () => void): void {
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private relay(channel: Channel): GpioRelaySettings {
    const r = this.relays.find((x) => x.channel === channel);
    if (!r) throw new Error(`sim locks: channel ${channel} is not configured`);
    return r;
  }
}
