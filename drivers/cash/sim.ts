import { DeviceError } from '../errors.js';
import { TypedEmitter } from '../events.js';
import type { CashAcceptor, CashEvents } from './contract.js';

/**
 * An in-process cash acceptor for the simulated kiosk. `insert` is a person
 * feeding a note or coin: accepted (and emitted) only while enabled and in the
 * configured currency — otherwise the acceptor hands it back, as a real one does.
 */
export class SimCashAcceptor extends TypedEmitter<CashEvents> implements CashAcceptor {
  readonly name = 'cash:sim';
  private opened = false;
  private enabled = false;
  /** Every insert, accepted or handed back. */
  readonly inserts: Array<{ amount: number; currency: string; accepted: boolean }> = [];

  async open(): Promise<void> {
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
    this.enabled = false;
  }

  async enable(): Promise<void> {
    if (!this.opened) throw new DeviceError('closed', 'cash acceptor is closed', this.name);
    this.enabled = true;
  }

  async disable(): Promise<void> {
    this.enabled = false;
  }

  get accepting(): boolean {
    return this.enabled;
  }

  /** Returns whether the money was taken. */
  insert(amount: number, currency: string): boolean {
    const accepted = this.opened && this.enabled && Number.isInteger(amount) && amount > 0;
    this.inserts.push({ amount, currency, accepted });
    if (accepted) this.emit('inserted', amount, currency);
    return accepted;
  }
}
