import type { TypedEmitter } from '../../src/core/events.js';
import type { ConnectionEvents, DriverBase } from '../lifecycle.js';

/**
 * A lock channel: 1-based, across the whole bank (for CU16 boards channel n is
 * lock ((n-1) % 16) + 1 of the ((n-1) / 16)-th configured board address).
 */
export type Channel = number;

export interface LockState {
  channel: Channel;
  /** The lock's own hook/bolt sense: true when locked; null when the hardware cannot tell. */
  locked: boolean | null;
  /** Door sensor: true when open; null when unknown (never guessed). */
  doorOpen: boolean | null;
  /**
   * Item sensor (an infrared beam across the compartment): true when something
   * is inside, false when it is empty; null when the compartment has no sensor
   * or its board is not answering. Absent means the same as null (banks written
   * before the field existed), so read it with `itemPresent(state)`.
   */
  itemPresent?: boolean | null;
}

/** A state's item sensor reading, absent read as null (no sensor). */
export function itemPresent(state: LockState): boolean | null {
  return state.itemPresent ?? null;
}

export type LockBankEvents = ConnectionEvents & {
  /** A door sensor changed. Emitted only on change, within 100 ms p99 of the hardware change. */
  door: [channel: Channel, open: boolean];
  /** A lock's own state changed (e.g. relocked after the pulse). */
  lock: [channel: Channel, locked: boolean];
  /**
   * An item sensor changed: something was put in (true) or taken out (false).
   * Only channels with a sensor emit it; emitted only on change (the first
   * reading is the baseline). A bank that reads door and item together emits
   * the item change before the door change from the same reading, so a
   * listener to `door` (closed) that then calls state() sees the item as it was
   * when the door closed.
   */
  item: [channel: Channel, present: boolean];
};

/**
 * A bank of electric locks with door sensors.
 *
 * Actuation is confirmed, never assumed: `unlock` resolves only when the board
 * reports the lock open or the door sensor reports the door open, and rejects
 * with DeviceError `unconfirmed` otherwise (or `timeout` / `disconnected`).
 */
export interface LockBank extends DriverBase, TypedEmitter<LockBankEvents> {
  /** The channels this bank drives. */
  readonly channels: readonly Channel[];
  /** Pulses the lock open (the pulse length is bounded by the driver/board). */
  unlock(channel: Channel): Promise<void>;
  /** Reads one lock's state from the hardware. */
  state(channel: Channel): Promise<LockState>;
  /** Reads every channel's state. */
  states(): Promise<LockState[]>;
  /**
   * Commands every relay off / every lock locked. Called at start. `known` is every channel's state as
   * read just before: a bank that can only read its locks (they latch by themselves) uses it instead of
   * reading again.
   */
  lockAll(known?: readonly LockState[]): Promise<void>;
}
