import type { CashAcceptor } from '../../drivers/cash/contract.js';
import type { TimerHandle } from '../clock.js';
import type { HandoverMethod, Money, Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Doors } from './doors.js';
import type { ScreenState } from './screen.js';

const PAY_TIMEOUT_MS = 120_000;

/** Minor units in words, e.g. 3015 JPY → "3015 JPY", 1250 EUR → "12.50 EUR". */
export function formatMoney(m: Money): string {
  const zeroDecimal = ['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'HUF', 'TWD'].includes(m.currency);
  return zeroDecimal ? `${m.amount} ${m.currency}` : `${(m.amount / 100).toFixed(2)} ${m.currency}`;
}

export interface Auth {
  method: HandoverMethod;
  salt: Buffer | null;
  kReceipt: Buffer | null;
}

interface Paying {
  sellerId: string;
  txn: string;
  due: Money;
  auth: Auth;
}

/**
 * Pay at pickup: after a right code, a parcel with money due opens only when
 * the cash acceptor has taken that much for it. Every accepted note or coin is
 * written to the parcel's row at once, so an abandoned or interrupted payment
 * is credited at the next try. No change is given (the screen says so first).
 */
export class Payment {
  private paying: Paying | null = null;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly ctx: FlowContext,
    private readonly screen: ScreenState,
    private readonly doors: Doors,
    private readonly cash: CashAcceptor | null,
  ) {}

  get active(): boolean {
    return this.paying !== null;
  }

  /** A right code (or finger, card, tag) for `p`: open it, or first take what is due. */
  async settle(p: Parcel, auth: Auth, dueFromSlip: Money | null): Promise<void> {
    // slip.md: where the manifest and the slip both give `due`, the manifest's wins.
    const due = p.due ?? dueFromSlip;
    if (!due || due.amount <= 0) return this.open(p, auth, null);
    if (!this.cash) {
      this.ctx.store.audit.add('pickup.payment-due', this.ctx.clock.now(), { sellerId: p.sellerId, txn: p.txn, detail: `${due.amount} ${due.currency}` });
      this.screen.set('contact-seller', `This parcel has ${formatMoney(due)} to pay, which this kiosk cannot take. Please contact the seller.`);
      return;
    }
    if (p.paidAmount >= due.amount) return this.open(p, auth, { ...due, means: 'cash' });
    this.paying = { sellerId: p.sellerId, txn: p.txn, due, auth };
    try {
      await this.cash.enable();
    } catch (e) {
      this.paying = null;
      this.screen.set('error', `The cash acceptor is not working (${(e as Error).message}). Please contact the seller.`);
      return;
    }
    this.show(p.paidAmount);
    this.arm();
  }

  /** Money the acceptor took. */
  onInserted(amount: number, currency: string): void {
    const pay = this.paying;
    const { store, clock, log } = this.ctx;
    const now = clock.now();
    if (!pay) {
      // Taken with nobody paying (it should have been disabled): record it, never lose it.
      store.audit.add('cash.unassigned', now, { detail: `${amount} ${currency}` });
      log.warn({ amount, currency }, 'cash taken with no payment in progress');
      return;
    }
    if (currency !== pay.due.currency) {
      store.audit.add('cash.wrong-currency', now, { sellerId: pay.sellerId, txn: pay.txn, detail: `${amount} ${currency}` });
      this.screen.set('pay', `That was ${currency}; this parcel is paid in ${pay.due.currency}. Staff have been told. Insert ${pay.due.currency}, or * to stop.`);
      return;
    }
    const paid = store.tx(() => {
      const p = store.parcels.get(pay.sellerId, pay.txn);
      const total = (p?.paidAmount ?? 0) + amount;
      store.parcels.update(pay.sellerId, pay.txn, { paidAmount: total }, now);
      store.audit.add('cash.inserted', now, { sellerId: pay.sellerId, txn: pay.txn, detail: `${amount} ${currency}, ${total} paid` });
      return total;
    });
    this.arm();
    if (paid < pay.due.amount) return this.show(paid);
    this.paying = null;
    this.clear();
    void this.cash?.disable();
    const p = store.parcels.get(pay.sellerId, pay.txn);
    if (p && p.state === 'stored') void this.open(p, pay.auth, { ...pay.due, means: 'cash' });
  }

  /** `*` stops paying; what was put in stays credited to the parcel. */
  cancel(words = 'Payment stopped.'): void {
    const pay = this.paying;
    if (!pay) return;
    this.paying = null;
    this.clear();
    void this.cash?.disable();
    const paid = this.ctx.store.parcels.get(pay.sellerId, pay.txn)?.paidAmount ?? 0;
    this.screen.idle(paid > 0 ? `${words} The ${formatMoney({ amount: paid, currency: pay.due.currency })} you paid is kept for this parcel.` : words);
  }

  private async open(p: Parcel, auth: Auth, paid: (Money & { means: 'cash' }) | null): Promise<void> {
    try {
      await this.doors.unlockForPickup(p, { ...auth, paid });
      this.screen.set('door-open', `Compartment ${p.compartmentId ?? ''} is open. Take your parcel and close the door.`);
    } catch {
      this.screen.set('error', 'The door could not be opened. Staff have been told. Please contact the seller.');
    }
  }

  private show(paid: number): void {
    const pay = this.paying;
    if (!pay) return;
    const left = { amount: pay.due.amount - paid, currency: pay.due.currency };
    this.screen.set('pay', `Parcel ${pay.txn}: please insert ${formatMoney(left)}${paid > 0 ? ` more (${formatMoney({ amount: paid, currency: pay.due.currency })} paid)` : ''}. No change is given. * stops.`);
  }

  private arm(): void {
    this.clear();
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = null;
      this.cancel('Payment timed out.');
    }, PAY_TIMEOUT_MS);
  }

  private clear(): void {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
