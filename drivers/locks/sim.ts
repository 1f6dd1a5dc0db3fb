import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import type { Channel, LockBank, LockBankEvents, LockState } from './contract.js';

interface SimLock {
  locked: boolean;
  doorOpen: boolean;
  /** null: this compartment has no item sensor. */
  item: boolean | null;
  pulses: number;
  relock: TimerHandle | null;
}

/**
 * An in-process lock bank behaving like self-locking locker locks: an unlock
 * pulse releases the latch (confirmed at once, as a board's status reply
 * would); the latch catches again when the door closes, or after `relockMs`
 * if the door was never opened. Hooks: openDoor / closeDoor (a person),
 * putItem / takeItem (what the item sensor sees), and `failUnlocks` to model a
 * board that never confirms.
 *
 * Item sensors: none by default (itemPresent null, as the bank behaved before
 * sensors existed); `{ itemSensors: true }` gives every channel one, a list
 * gives those channels one. A sensed compartment starts empty.
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
    options: { itemSensors?: boolean | readonly Channel[] } = {},
  ) {
    super();
    this.channels = [...channels];
    const sensed = (c: Channel): boolean =>
      options.itemSensors === true || (Array.isArray(options.itemSensors) && options.itemSensors.includes(c));
    for (const c of channels) this.locks.set(c, { locked: true, doorOpen: false, item: sensed(c) ? false : null, pulses: 0, relock: null });
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
    return { channel, locked: l.locked, doorOpen: l.doorOpen, itemPresent: l.item };
  }

  async states(): Promise<LockState[]> {
    return Promise.all(this.channels.map((c) => this.state(c)));
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

  /** Something is put into the compartment (its item sensor sees it). Throws if the channel has no sensor. */
  putItem(channel: Channel): void {
    this.setItem(channel, true);
  }

  /** The compartment is emptied (its item sensor sees nothing). Throws if the channel has no sensor. */
  takeItem(channel: Channel): void {
    this.setItem(channel, false);
  }

  private setItem(channel: Channel, present: boolean): void {
    const l = this.lock(channel);
    if (l.item === null) throw new DeviceError('protocol', `channel ${channel} has no item sensor (give the sim { itemSensors })`, this.name);
    if (l.item === present) return;
    l.item = present;
    if (this.opened) this.emit('item', channel, present);
  }

  pulses(channel: Channel): number {
    return this.lock(channel).pulses;
  }

  snapshot(channel: Channel): { locked: boolean; doorOpen: boolean; itemPresent: boolean | null; pulses: number } {
    const l = this.lock(channel);
    return { locked: l.locked, doorOpen: l.doorOpen, itemPresent: l.item, pulses: l.pulses };
  }
}
