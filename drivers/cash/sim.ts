import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { screenBill, type Bill, type CashAcceptor, type CashEvents, type Due, type EscrowHandler, type ReturnReason } from './contract.js';

export type SimInsertOutcome = { stacked: true } | { stacked: false; reason: ReturnReason };

/**
 * An in-process cash acceptor for the simulated kiosk. `insert` is a person
 * feeding a note or coin: it goes to escrow, is screened against what is due,
 * put to the escrow handler, and stacked only after the handler recorded it —
 * the same order as a real acceptor (drivers/cash/id003.ts).
 */
export class SimCashAcceptor extends TypedEmitter<CashEvents> implements CashAcceptor {
  readonly name = 'cash:sim';
  private opened = false;
  private enabled = false;
  private due: Due | null = null;
  private handler: EscrowHandler | null = null;
  private seq = 0;
  /** Every insert and where it ended. */
  readonly inserts: Array<{ amount: number; currency: string; accepted: boolean }> = [];

  async open(): Promise<void> {
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
    this.enabled = false;
  }

  async enable(due?: Due): Promise<void> {
    if (!this.opened) throw new DeviceError('closed', 'cash acceptor is closed', this.name);
    this.enabled = true;
    this.due = due ?? null;
  }

  async disable(): Promise<void> {
    this.enabled = false;
    this.due = null;
  }

  setEscrowHandler(handler: EscrowHandler | null): void {
    this.handler = handler;
  }

  get accepting(): boolean {
    return this.enabled;
  }

  /** Returns whether the money ended in the box. */
  async insert(amount: number, currency: string): Promise<boolean> {
    const out = await this.feed(amount, currency);
    this.inserts.push({ amount, currency, accepted: out.stacked });
    return out.stacked;
  }

  /** Like `insert`, with the reason a bill came back. */
  async feed(amount: number, currency: string): Promise<SimInsertOutcome> {
    if (!this.opened || !Number.isInteger(amount) || amount <= 0) return { stacked: false, reason: 'disabled' };
    const bill: Bill = { id: `sim-${++this.seq}`, amount, currency, resumed: false };
    const screened = screenBill(bill, this.enabled, this.due);
    if (screened) return this.back(bill, screened);
    if (!this.handler) return this.back(bill, 'no-handler');
    let answer: 'stack' | 'return';
    try {
      answer = await this.handler(bill);
    } catch {
      answer = 'return';
    }
    if (answer === 'return') return this.back(bill, 'refused');
    if (!this.opened) return this.back(bill, 'stack-failed'); // closed while the handler recorded it
    this.emit('stacked', bill);
    return { stacked: true };
  }

  private back(bill: Bill, reason: ReturnReason): SimInsertOutcome {
    this.emit('returned', bill, reason);
    return { stacked: false, reason };
  }
}
