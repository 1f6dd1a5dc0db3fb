import type { Bill, CashAcceptor, EscrowAnswer, ReturnReason } from '../../drivers/cash/contract.js';
import type { Money, Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Auth, Paid } from './custody.js';

export type { Auth };

/** What settling a right code came to. */
export type Settle =
  | { kind: 'open'; paid: Paid } // nothing (more) to pay: open the door
  | { kind: 'pay'; due: Money; paid: Money } // the acceptor takes money now
  | { kind: 'cannot-take'; due: Money } // money due and no acceptor here
  | { kind: 'acceptor-fault' };

/** What a bill in the box, or one handed back, came to for the person paying. */
export type Inserted =
  | { kind: 'more'; due: Money; paid: Money }
  | { kind: 'handed-back'; due: Money; paid: Money; currency: string | null }
  | { kind: 'paid'; paid: Paid };

interface Recorded {
  sellerId: string;
  txn: string;
  amount: number;
}

/**
 * Pay at pickup, for one recipient conversation: after a right code, a parcel
 * with money due opens only when the acceptor has taken that much for it.
 * escrow → record → stack: a bill in escrow is written to the parcel's row
 * (one transaction, idempotent per escrow id) before the acceptor may stack
 * it, so money in the box was always recorded first, and an abandoned or
 * interrupted payment is credited at the next try. A bill recorded and then
 * not kept (`stack-failed`) is taken off again. The acceptor takes money only
 * while someone is paying: `stop` (the conversation ended) disables it.
 */
export class Payment {
  private paying: { sellerId: string; txn: string; due: Money } | null = null;
  private readonly recorded = new Map<string, Recorded>();

  constructor(
    private readonly ctx: FlowContext,
    private readonly cash: CashAcceptor | null,
  ) {}

  get active(): boolean {
    return this.paying !== null;
  }

  /** A right code (or finger, card, tag) for `p`: open it, or first take what is due. */
  async settle(p: Parcel, dueFromSlip: Money | null): Promise<Settle> {
    // slip.md: where the manifest and the slip both give `due`, the manifest's wins.
    const due = p.due ?? dueFromSlip;
    if (!due || due.amount <= 0) return { kind: 'open', paid: null };
    if (!this.cash) {
      this.ctx.store.audit.add('pickup.payment-due', this.ctx.clock.now(), { sellerId: p.sellerId, txn: p.txn, detail: `${due.amount} ${due.currency}` });
      return { kind: 'cannot-take', due };
    }
    if (p.paidAmount >= due.amount) return { kind: 'open', paid: { ...due, means: 'cash' } };
    this.paying = { sellerId: p.sellerId, txn: p.txn, due };
    try {
      await this.cash.enable({ currency: due.currency, amount: due.amount - p.paidAmount });
    } catch (e) {
      this.paying = null;
      this.ctx.log.warn({ err: (e as Error).message }, 'cash acceptor would not start');
      return { kind: 'acceptor-fault' };
    }
    return { kind: 'pay', due, paid: { amount: p.paidAmount, currency: due.currency } };
  }

  private paidSoFar(sellerId: string, txn: string): number {
    return this.ctx.store.parcels.get(sellerId, txn)?.paidAmount ?? 0;
  }

  /** A bill in escrow: record it, then answer `stack`; `null` when nobody is paying here. */
  escrow(bill: Bill): EscrowAnswer | null {
    const pay = this.paying;
    if (this.recorded.has(bill.id)) return 'stack'; // asked again about a bill already recorded
    if (!pay) return null;
    const { store, clock, log } = this.ctx;
    const now = clock.now();
    if (bill.currency !== pay.due.currency) return 'return';
    if (bill.amount > pay.due.amount - this.paidSoFar(pay.sellerId, pay.txn)) return 'return'; // no change is given
    const total = store.tx(() => {
      const t = this.paidSoFar(pay.sellerId, pay.txn) + bill.amount;
      store.parcels.update(pay.sellerId, pay.txn, { paidAmount: t }, now);
      store.audit.add('cash.inserted', now, { sellerId: pay.sellerId, txn: pay.txn, detail: `${bill.amount} ${bill.currency}, ${t} paid` });
      return t;
    });
    this.recorded.set(bill.id, { sellerId: pay.sellerId, txn: pay.txn, amount: bill.amount });
    log.info({ paid: total }, 'cash recorded in escrow');
    return 'stack';
  }

  /** The recorded bill is in the box: more to pay, or paid. `null` when it was not this payment's. */
  stacked(bill: Bill): Inserted | null {
    const rec = this.recorded.get(bill.id);
    if (!rec) return null;
    this.recorded.delete(bill.id);
    const pay = this.paying;
    if (!pay || pay.sellerId !== rec.sellerId || pay.txn !== rec.txn) return null;
    const paid = this.paidSoFar(pay.sellerId, pay.txn);
    if (paid < pay.due.amount) {
      this.cash?.enable({ currency: pay.due.currency, amount: pay.due.amount - paid }).catch((e: unknown) => this.ctx.log.warn({ err: (e as Error).message }, 'cash acceptor would not take more'));
      return { kind: 'more', due: pay.due, paid: { amount: paid, currency: pay.due.currency } };
    }
    const due = pay.due;
    this.stop();
    return { kind: 'paid', paid: { ...due, means: 'cash' } };
  }

  /** A bill went back to the person. A recorded one (`stack-failed`) is taken off the parcel again. */
  returned(bill: Bill, reason: ReturnReason): Inserted | null {
    const { store, clock } = this.ctx;
    const now = clock.now();
    const rec = this.recorded.get(bill.id);
    if (rec) {
      this.recorded.delete(bill.id);
      store.tx(() => {
        const total = Math.max(0, this.paidSoFar(rec.sellerId, rec.txn) - rec.amount);
        store.parcels.update(rec.sellerId, rec.txn, { paidAmount: total }, now);
        store.audit.add('cash.returned', now, { sellerId: rec.sellerId, txn: rec.txn, detail: `${rec.amount} ${bill.currency} (${reason}), ${total} paid` });
      });
    }
    const pay = this.paying;
    if (!pay) return null;
    if (reason === 'wrong-currency') {
      store.audit.add('cash.wrong-currency', now, { sellerId: pay.sellerId, txn: pay.txn, detail: `${bill.amount} ${bill.currency}` });
    }
    const paid = { amount: this.paidSoFar(pay.sellerId, pay.txn), currency: pay.due.currency };
    return { kind: 'handed-back', due: pay.due, paid, currency: reason === 'wrong-currency' ? bill.currency : null };
  }

  /** Stops taking money; what was put in stays credited to the parcel. */
  stop(): void {
    if (!this.paying) return;
    this.paying = null;
    this.cash?.disable().catch((e: unknown) => this.ctx.log.warn({ err: (e as Error).message }, 'cash acceptor would not stop'));
  }
}

/**
 * A bill in escrow with nobody paying. A fresh one goes back; one an earlier
 * run left in escrow (it may have been credited then) is kept and told to
 * staff through the audit log: never lost.
 */
export function unassignedEscrow(ctx: FlowContext, bill: Bill): EscrowAnswer {
  if (!bill.resumed) return 'return';
  ctx.store.audit.add('cash.resumed', ctx.clock.now(), { detail: `${bill.amount} ${bill.currency}` });
  ctx.log.warn({ amount: bill.amount, currency: bill.currency }, 'a bill left in escrow by an earlier run was stacked');
  return 'stack';
}

/** Money that moved with no escrow seen in this run: recorded for staff, never lost. */
export function unaccountedCash(ctx: FlowContext, words: string): void {
  ctx.store.audit.add('cash.unaccounted', ctx.clock.now(), { detail: words });
  ctx.log.warn({ words }, 'cash moved with no escrow seen');
}
