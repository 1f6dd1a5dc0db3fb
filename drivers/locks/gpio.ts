import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { parseOptions } from '../../src/core/config-rules.js';
import { activeLevel, invert, type GpioChip, type GpioPin, type Level } from '../gpio/port.js';
import type { Channel, LockBank, LockBankEvents, LockState } from './contract.js';
import { gpioLockOptionsSchema, type GpioLockConfig, type GpioLockSettings, type GpioRelaySettings } from './gpio-schema.js';

export { MAX_PULSE_MS, gpioLockOptionsSchema, type GpioLockConfig } from './gpio-schema.js';

/** An unlock waiting for its door to open. */
interface PendingUnlock {
  resolve(): void;
  reject(err: DeviceError): void;
  timer: TimerHandle;
  /** The debounced door state when the pulse began. */
  doorAtStart: boolean | null;
}

interface ChannelState {
  cfg: GpioRelaySettings;
  relay: GpioPin | null;
  door: GpioPin | null;
  unwatch: (() => void) | null;
  /** Debounced door state; null until read (or when it cannot be read). */
  doorOpen: boolean | null;
  debounce: TimerHandle | null;
  /** Ends the running pulse (idempotent); null when the relay is not pulsing. */
  endPulse: (() => void) | null;
  pending: PendingUnlock | null;
  /** A door read is failing now (reported once, not every poll). */
  readFailing: boolean;
}

/**
 * Locks on GPIO: each channel a relay output and a reed-switch door input.
 *
 * - A pulse is ended by a timer armed before the relay is switched on; if
 *   switching on throws, the pulse ends at once. Relay off is attempted on
 *   every path, at open() and at close(), and (best effort) at process exit.
 * - An unlock is confirmed only by the door input opening (debounced) within
 *   `confirmMs` of the pulse; otherwise it rejects `unconfirmed`. A door that
 *   was already open at the pulse cannot confirm anything.
 * - A plain relay lock cannot sense its bolt: `locked` is always null and no
 *   `lock` event is ever emitted.
 * - GPIO lines do not come and go like a USB cable, so this driver never emits
 *   `disconnect`; a failing line is reported as `error` and in rejections.
 */
export class GpioLockBank extends TypedEmitter<LockBankEvents> implements LockBank {
  readonly name: string;
  readonly channels: readonly Channel[];
  private readonly settings: GpioLockSettings;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly byChannel = new Map<Channel, ChannelState>();
  private isOpen = false;
  private poll: TimerHandle | null = null;
  private readonly onExit = (): void => {
    for (const ch of this.byChannel.values()) {
      try {
        ch.relay?.write(this.relayOffLevel(ch));
      } catch {
        // exiting: nothing left to report to
      }
    }
  };

  constructor(
    private readonly chip: GpioChip,
    config: GpioLockConfig,
    opts: { clock?: Clock; log?: Log; name?: string } = {},
  ) {
    super();
    this.settings = parseOptions(gpioLockOptionsSchema(), config, 'locks.gpio');
    this.clock = opts.clock ?? systemClock;
    this.name = opts.name ?? `locks:gpio ${chip.description}`;
    this.log = (opts.log ?? silentLog).child({ mod: 'locks:gpio' });
    for (const cfg of this.settings.relays) {
      this.byChannel.set(cfg.channel, {
        cfg, relay: null, door: null, unwatch: null, doorOpen: null, debounce: null,
        endPulse: null, pending: null, readFailing: false,
      });
    }
    this.channels = this.settings.relays.map((r) => r.channel);
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    try {
      for (const ch of this.byChannel.values()) {
        // Exported already driving "off", then written off again: every relay off at start.
        ch.relay = await this.chip.output(ch.cfg.relayGpio, this.relayOffLevel(ch));
        ch.relay.write(this.relayOffLevel(ch));
        ch.door = await this.chip.input(ch.cfg.doorGpio, 'both');
        const door = ch.door;
        ch.unwatch = door.watch(
          () => this.scheduleDebounce(ch),
          (err) => this.report(new DeviceError('device-error', `channel ${ch.cfg.channel}: door input GPIO ${ch.cfg.doorGpio} watch failed (${err.message})`, this.name)),
        );
        ch.doorOpen = this.readDoor(ch);
      }
    } catch (e) {
      this.release();
      throw e instanceof DeviceError ? e : new DeviceError('device-error', `GPIO setup failed: ${(e as Error).message}`, this.name);
    }
    this.isOpen = true;
    process.on('exit', this.onExit);
    this.schedulePoll();
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    process.off('exit', this.onExit);
    if (this.poll) this.clock.clearTimeout(this.poll);
    this.poll = null;
    for (const ch of this.byChannel.values()) {
      if (ch.debounce) this.clock.clearTimeout(ch.debounce);
      ch.debounce = null;
      this.settle(ch, new DeviceError('closed', `channel ${ch.cfg.channel}: the lock bank was closed before the door opened`, this.name));
      if (ch.endPulse) ch.endPulse();
      else this.relayOff(ch);
    }
    this.release();
  }

  async unlock(channel: Channel): Promise<void> {
    const ch = this.channel(channel);
    if (!this.isOpen) throw new DeviceError('closed', `channel ${channel}: the lock bank is not open`, this.name);
    if (ch.pending || ch.endPulse) throw new DeviceError('busy', `channel ${channel}: an unlock is already in progress`, this.name);
    return new Promise<void>((resolve, reject) => {
      const { confirmMs } = this.settings;
      const timer = this.clock.setTimeout(() => {
        const why = ch.pending?.doorAtStart === true
          ? 'the door was already open when the relay was pulsed (door left open, or a broken sensor), so the unlock cannot be confirmed'
          : `door did not open within ${confirmMs} ms after unlock`;
        this.settle(ch, new DeviceError('unconfirmed', `channel ${channel}: ${why}`, this.name));
      }, confirmMs);
      ch.pending = { resolve, reject, timer, doorAtStart: ch.doorOpen };
      try {
        this.startPulse(ch);
      } catch (e) {
        this.settle(ch, new DeviceError('device-error', `channel ${channel}: relay GPIO ${ch.cfg.relayGpio} could not be switched on (${(e as Error).message})`, this.name));
      }
    });
  }

  async state(channel: Channel): Promise<LockState> {
    const ch = this.channel(channel);
    if (!this.isOpen) throw new DeviceError('closed', `channel ${channel}: the lock bank is not open`, this.name);
    return { channel, locked: null, doorOpen: this.readDoor(ch), itemPresent: null };
  }

  async states(): Promise<LockState[]> {
    if (!this.isOpen) throw new DeviceError('closed', 'the lock bank is not open', this.name);
    return [...this.byChannel.values()].map((ch) => ({ channel: ch.cfg.channel, locked: null, doorOpen: this.readDoor(ch), itemPresent: null }));
  }

  async lockAll(): Promise<void> {
    if (!this.isOpen) throw new DeviceError('closed', 'the lock bank is not open', this.name);
    const failed: number[] = [];
    for (const ch of this.byChannel.values()) {
      if (ch.endPulse) ch.endPulse();
      if (!this.relayOff(ch)) failed.push(ch.cfg.channel);
    }
    if (failed.length > 0) {
      throw new DeviceError('device-error', `relay could not be switched off on channel(s) ${failed.join(', ')}; check the GPIO wiring`, this.name);
    }
  }

  // ---- pulse ----

  /** Arms the pulse-end timer first, then switches the relay on; if that throws, the pulse ends now. */
  private startPulse(ch: ChannelState): void {
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.clock.clearTimeout(timer);
      ch.endPulse = null;
      this.relayOff(ch);
    };
    const timer = this.clock.setTimeout(end, this.settings.pulseMs);
    ch.endPulse = end;
    let on = false;
    try {
      if (!ch.relay) throw new Error('relay line not exported');
      ch.relay.write(invert(this.relayOffLevel(ch)));
      on = true;
    } finally {
      // The write may have changed the pin before failing: switch it off now, do not wait for the timer.
      if (!on) end();
    }
  }

  /** Attempts relay off; reports a failure. Returns whether it worked. */
  private relayOff(ch: ChannelState): boolean {
    try {
      if (ch.relay) ch.relay.write(this.relayOffLevel(ch));
      return true;
    } catch (e) {
      this.report(new DeviceError('device-error', `channel ${ch.cfg.channel}: relay GPIO ${ch.cfg.relayGpio} could not be switched off (${(e as Error).message}); the lock may stay energised`, this.name));
      return false;
    }
  }

  private relayOffLevel(ch: ChannelState): Level {
    return invert(activeLevel(ch.cfg.relayActiveLow));
  }

  // ---- door input ----

  /** Reads the door now; null (and one report) when it cannot be read. */
  private readDoor(ch: ChannelState): boolean | null {
    try {
      if (!ch.door) return null;
      const open = ch.door.read() === ch.cfg.doorOpenValue;
      ch.readFailing = false;
      return open;
    } catch (e) {
      if (!ch.readFailing) {
        this.report(new DeviceError('device-error', `channel ${ch.cfg.channel}: door input GPIO ${ch.cfg.doorGpio} could not be read (${(e as Error).message})`, this.name));
      }
      ch.readFailing = true;
      return null;
    }
  }

  /** Each edge restarts the quiet period; the level counts once the contacts stop bouncing. */
  private scheduleDebounce(ch: ChannelState): void {
    if (!this.isOpen) return;
    if (ch.debounce) this.clock.clearTimeout(ch.debounce);
    ch.debounce = this.clock.setTimeout(() => {
      ch.debounce = null;
      const open = this.readDoor(ch);
      if (open === null || open === ch.doorOpen) return;
      ch.doorOpen = open;
      // A door seen closed during the window and then open again is a real opening.
      if (!open && ch.pending) ch.pending.doorAtStart = false;
      if (open && ch.pending && ch.pending.doorAtStart !== true) this.settle(ch, null);
      this.safeEmit(() => this.emit('door', ch.cfg.channel, open));
    }, this.settings.debounceMs);
  }

  /** A missed edge must not hide a door: read every input now and then. */
  private schedulePoll(): void {
    this.poll = this.clock.setTimeout(() => {
      if (!this.isOpen) return;
      for (const ch of this.byChannel.values()) {
        const open = this.readDoor(ch);
        if (open !== null && open !== ch.doorOpen && !ch.debounce) this.scheduleDebounce(ch);
      }
      this.schedulePoll();
    }, this.settings.pollMs);
  }

  // ---- helpers ----

  private settle(ch: ChannelState, err: DeviceError | null): void {
    const p = ch.pending;
    if (!p) return;
    ch.pending = null;
    this.clock.clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve();
  }

  private channel(channel: Channel): ChannelState {
    const ch = this.byChannel.get(channel);
    if (!ch) throw new DeviceError('not-found', `channel ${channel} is not configured (configured: ${this.channels.join(', ')})`, this.name);
    return ch;
  }

  private release(): void {
    for (const ch of this.byChannel.values()) {
      ch.unwatch?.();
      ch.unwatch = null;
      for (const pin of [ch.relay, ch.door]) {
        try {
          pin?.unexport();
        } catch (e) {
          this.log.warn({ err: (e as Error).message, channel: ch.cfg.channel }, 'GPIO unexport failed');
        }
      }
      ch.relay = null;
      ch.door = null;
    }
  }

  /** A listener that throws must not break the driver's timers (a pulse must still end). */
  private safeEmit(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'a lock event listener threw');
    }
  }

  private report(err: DeviceError): void {
    this.log.warn({ err: err.message }, 'gpio lock fault');
    this.safeEmit(() => this.emitError(err));
  }
}
