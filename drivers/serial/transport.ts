import type { TypedEmitter } from '../../src/core/events.js';

export type ByteTransportEvents = {
  /** Bytes as they arrive; frames may be split or joined arbitrarily. */
  data: [chunk: Buffer];
  /** The transport opened (or reopened after a loss). */
  open: [];
  /** The transport was lost or closed; `reason` is words for a person. */
  close: [reason: string];
  /** A transport fault that did not close it. */
  error: [err: Error];
};

/**
 * A byte stream to a device: a serial port, a pty, an in-process pipe.
 * Drivers take one of these in their constructor, so the file that touches
 * the native module stays tiny and every driver can be tested on bytes.
 */
export interface ByteTransport extends TypedEmitter<ByteTransportEvents> {
  readonly description: string;
  readonly isOpen: boolean;
  /** Opens; rejects with DeviceError `not-found` / `missing-module` when it cannot. */
  open(): Promise<void>;
  /** Writes and drains; rejects with DeviceError `disconnected` when not open. */
  write(data: Buffer): Promise<void>;
  /** Closes for good (no reconnect). */
  close(): Promise<void>;
}
