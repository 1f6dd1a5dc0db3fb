import type { TypedEmitter } from '../events.js';
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
}

export type LockBankEvents = ConnectionEvents & {
  /** A door sensor changed. Emitted only on change, within 100 ms p99 of the hardware change. */
  door: [channel: Channel, open: boolean];
  /** A lock's own state changed (e.g. relocked after the pulse). */
  lock: [channel: Channel, locked: boolean];
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
  /** Commands every relay off / every lock locked. Called at start. */
  lockAll(): Promise<void>;
}
