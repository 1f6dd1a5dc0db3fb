import { systemClock, type Clock, type TimerHandle } from '../../src/clock.js';
import { DeviceError } from '../errors.js';
import { TypedEmitter } from '../events.js';
import type { Channel, LockBank, LockBankEvents, LockState } from './contract.js';

interface SimLock {
  locked: boolean;
  doorOpen: boolean;
  pulses: number;
  relock: TimerHandle | null;
}

/**
 * An in-process lock bank behaving like self-locking locker locks: an unlock
 * pulse releases the latch (confirmed at once, as a board's status reply
 * would); the latch catches again when the door closes, or after `relockMs`
 * if the door was never opened. Hooks: openDoor / closeDoor (a person), and
 * `failUnlocks` to model a board that never confirms.
 */
export class SimLockBank extends TypedEmitter<LockBankEvents> implements LockBank {
  readonly name = 'locks:sim';
  readonly channels: readonly Channel[];
  /** When true, unlock() does nothing and rejects `unconfirmed` (a dead lock or board). */
  failUnlocks = false;
  private readonly locks = new Map<Channel, SimLock>();
  private opened = false;

  constructor(
    channels: readonly Channel[],
    private readonly clock: Clock = systemClock,
    private readonly relockMs = 5000,
  ) {
    super();
    this.channels = [...channels];
    for (const c of channels) this.locks.set(c, { locked: true, doorOpen: false, pulses: 0, relock: null });
  }

  async open(): Promise<void> {
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
    for (const l of this.locks.values()) if (l.relock) this.clock.clearTimeout(l.relock);
  }

  private lock(channel: Channel): SimLock {
    const l = this.locks.get(channel);
    if (!l) throw new DeviceError('protocol', `no lock on channel ${channel}`, this.name);
    return l;
  }

  async unlock(channel: Channel): Promise<void> {
    if (!this.opened) throw new DeviceError('closed', 'lock bank is closed', this.name);
    const l = this.lock(channel);
    l.pulses++;
    if (this.failUnlocks) {
      throw new DeviceError('unconfirmed', `channel ${channel}: the lock did not confirm the unlock`, this.name);
    }
    if (l.locked) {
      l.locked = false;
      this.emit('lock', channel, false);
    }
    if (l.relock) this.clock.clearTimeout(l.relock);
    l.relock = this.clock.setTimeout(() => {
      l.relock = null;
      if (!l.doorOpen && !l.locked) {
        l.locked = true;
        this.emit('lock', channel, true);
      }
    }, this.relockMs);
  }

  async state(channel: Channel): Promise<LockState> {
    const l = this.lock(channel);
    return { channel, locked: l.locked, doorOpen: l.doorOpen };
  }

  async states(): Promise<LockState[]> {
    return this.channels.map((c) => ({ channel: c, locked: this.lock(c).locked, doorOpen: this.lock(c).doorOpen }));
  }

  async lockAll(): Promise<void> {
    // Self-locking locks: nothing to drive. Report the latch state as it is.
  }

  /** A person opens the door (forced, if the latch is caught). */
  openDoor(channel: Channel): void {
    const l = this.lock(channel);
    if (l.doorOpen) return;
    l.doorOpen = true;
    if (this.opened) this.emit('door', channel, true);
  }

  /** A person closes the door; the latch catches. */
  closeDoor(channel: Channel): void {
    const l = this.lock(channel);
    if (!l.doorOpen) return;
    l.doorOpen = false;
    if (this.opened) this.emit('door', channel, false);
    if (!l.locked) {
      l.locked = true;
      if (this.opened) this.emit('lock', channel, true);
    }
  }

  pulses(channel: Channel): number {
    return this.lock(channel).pulses;
  }

  snapshot(channel: Channel): { locked: boolean; doorOpen: boolean; pulses: number } {
    const l = this.lock(channel);
    return { locked: l.locked, doorOpen: l.doorOpen, pulses: l.pulses };
  }
}
