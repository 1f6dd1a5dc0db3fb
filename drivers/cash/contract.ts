import type { TypedEmitter } from '../events.js';
import type { ConnectionEvents, DriverBase } from '../lifecycle.js';

export type CashEvents = ConnectionEvents & {
  /** Money accepted, in minor units of `currency`. */
  inserted: [amount: number, currency: string];
};

/** A cash acceptor for pay-at-pickup. */
export interface CashAcceptor extends DriverBase, TypedEmitter<CashEvents> {
  /** Starts accepting money (stops with `disable`). */
  enable(): Promise<void>;
  disable(): Promise<void>;
}
