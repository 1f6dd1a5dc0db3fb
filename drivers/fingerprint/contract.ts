import type { TypedEmitter } from '../../src/core/events.js';
import type { ConnectionEvents, DriverBase } from '../lifecycle.js';

export interface MatchResult {
  match: boolean;
  /** The module's match score (0 when no match). */
  score: number;
}

export type FingerprintEvents = ConnectionEvents & {
  /** A finger was placed on or lifted from the pad (when the device can tell). */
  finger: [present: boolean];
};

/**
 * A fingerprint pad doing 1:1 matching. Templates are R30x "character files"
 * (512 bytes, `r30x-char` in protocol.md) and never reach a log.
 */
export interface FingerprintPad extends DriverBase, TypedEmitter<FingerprintEvents> {
  /** Captures a finger and matches it against `template`. Rejects `timeout` when no finger comes. */
  verify(template: Buffer, timeoutMs?: number): Promise<MatchResult>;
  /**
   * Ends a capture in progress (`verify` or `capture`): it rejects `timeout`
   * ("cancelled") without a finger, and the pad is free for the next one.
   * Nothing happens when no capture runs.
   */
  cancel?(): void;
  /** Captures a finger and returns its template. */
  capture(timeoutMs?: number): Promise<Buffer>;
}
