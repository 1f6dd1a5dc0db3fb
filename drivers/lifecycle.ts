/** What every driver has: a name for messages, start, close, and connection events. */
export interface DriverBase {
  /** A short name for messages and logs, e.g. `locks:cu16 /dev/ttyUSB0`. */
  readonly name: string;
  /**
   * Opens the device. Resolves when it is ready; rejects with a DeviceError
   * (`not-found`, `missing-module`, `timeout`) when it cannot be used.
   */
  open(): Promise<void>;
  /**
   * Closes the device. Every pending operation rejects with DeviceError
   * `closed`; no event is emitted afterwards. Safe to call twice.
   */
  close(): Promise<void>;
}

/** Connection events every driver emits. `error` carries faults that belong to no call. */
export type ConnectionEvents = {
  /** The device went away; pending calls have been rejected with `disconnected`. */
  disconnect: [reason: string];
  /** The device is back after a disconnect (drivers reconnect on their own). */
  reconnect: [];
  /** A fault that belongs to no pending call (garbage on the line, a bad frame). */
  error: [err: Error];
};
