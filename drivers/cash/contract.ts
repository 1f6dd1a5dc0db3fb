import type { TypedEmitter } from '../../src/core/events.js';
import type { ConnectionEvents, DriverBase } from '../lifecycle.js';

/** What is still due: a bill in another currency or worth more is handed back from escrow. */
export interface Due {
  currency: string;
  /** Minor units still to pay; > 0. */
  amount: number;
}

/** A bill (or coin) held in escrow: neither in the box nor handed back yet. */
export interface Bill {
  /**
   * Unique per escrow within this driver's life. The handler may be asked
   * about the same id again (a lost reply); recording must be idempotent per id.
   */
  id: string;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /**
   * True when the bill was already in escrow when the driver opened: a kiosk
   * that stopped between recording and stacking may have recorded it before,
   * under an id of its previous run.
   */
  resumed: boolean;
}

/** Why a bill went back to the person. */
export type ReturnReason =
  | 'disabled' // nobody is paying
  | 'wrong-currency'
  | 'above-due' // worth more than what is still due (no change is given)
  | 'unknown-note' // the acceptor reported a denomination the config does not know
  | 'refused' // the handler answered `return`, or failed
  | 'no-handler' // nothing records money: never take it
  | 'stack-failed'; // the acceptor could not stack it and handed it back

export type EscrowAnswer = 'stack' | 'return';

/**
 * The kiosk's answer to a bill in escrow. Resolve `stack` only once the bill
 * is durably recorded (a committed transaction); resolve `return`, or
 * reject, when it was not recorded. The acceptor stacks the bill only after
 * `stack`, so money in the box has always been recorded first.
 */
export type EscrowHandler = (bill: Bill) => EscrowAnswer | Promise<EscrowAnswer>;

export type CashEvents = ConnectionEvents & {
  /** The bill is in the box (the acceptor confirmed the stack). Emitted once per id. */
  stacked: [bill: Bill];
  /**
   * The bill went back to the person. Emitted once per id. After `stack-failed`
   * a bill the handler recorded was NOT kept: the kiosk must undo its record.
   */
  returned: [bill: Bill, reason: ReturnReason];
  /**
   * Money moved that no handler saw in escrow in this run (e.g. stacked while
   * the kiosk was restarting, denomination unknown). Words for staff; never lost silently.
   */
  unaccounted: [words: string];
};

/**
 * A cash acceptor for pay-at-pickup, with escrow: escrow → the kiosk records →
 * stack (or return).
 *
 * - Disabled (the state after open), every bill is returned (`disabled`).
 * - Enabled with `due`, a bill in another currency or above `due.amount` is
 *   returned by the driver without asking the handler.
 * - Any other bill is put to the handler; only `stack` stacks it.
 * - A stop between the handler's record and the stack never loses money: the
 *   acceptor still holds the bill and the next open offers it again with
 *   `resumed: true` (or it was stacked meanwhile and is reported `unaccounted`,
 *   or it went back to the person).
 */
export interface CashAcceptor extends DriverBase, TypedEmitter<CashEvents> {
  /** Starts accepting money up to `due` (stops with `disable`). Without `due`, any bill in the acceptor's currency goes to the handler. */
  enable(due?: Due): Promise<void>;
  disable(): Promise<void>;
  /** Sets who records money (null: every bill is returned, `no-handler`). */
  setEscrowHandler(handler: EscrowHandler | null): void;
}

/** The driver-side check every acceptor makes before asking the handler: null when the handler may decide. */
export function screenBill(bill: Pick<Bill, 'amount' | 'currency'>, enabled: boolean, due: Due | null): ReturnReason | null {
  if (!enabled) return 'disabled';
  if (due === null) return null;
  if (bill.currency !== due.currency) return 'wrong-currency';
  if (bill.amount > due.amount) return 'above-due';
  return null;
}
