import type { TypedEmitter } from '../../src/core/events.js';
import type { ConnectionEvents, DriverBase } from '../lifecycle.js';

/** One symbol read by a scanner or decoded from a camera frame. */
export interface ScanRead {
  /** The decoded text, line ending and AIM prefix stripped. */
  text: string;
  /** AIM symbology identifier when the device gave one (`]Q1`, `]d2`, `]C0`), else null. */
  symbology: string | null;
}

export type ScannerEvents = ConnectionEvents & {
  read: [read: ScanRead];
};

/** A barcode scanner (serial, HID POS, or a camera with a decoder). */
export interface Scanner extends DriverBase, TypedEmitter<ScannerEvents> {}
