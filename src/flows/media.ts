import type { CardInfo, CardReader } from '../../drivers/card/contract.js';
import { CardError } from '../../drivers/card/contract.js';
import type { Bill, CashAcceptor, EscrowAnswer, ReturnReason } from '../../drivers/cash/contract.js';
import type { Key } from '../../drivers/keypad/contract.js';
import { b64uDecode, checkSlip, isCode } from '../domain/index.js';
import type { Screen } from '../domain/screens.js';
import type { Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Conversation, Session } from './conversation.js';
import type { Auth, Custody, Paid } from './custody.js';
import type { DoorNews, Doors } from './doors.js';
import { typeKey } from './entry.js';
import { openFor, refusedScreen } from './handover.js';
import { Payment, type Inserted } from './payment.js';
import { recordUnnamedFailure, unnamedScope, waitBeforeTry } from './rules.js';
import { slipOptions } from './verify.js';

/** slip.md: the card's files — the slip text, and where the receipt proof goes back. */
export const EF_SLIP = 0x5331;
export const EF_RECEIPT = 0x5332;

const MAX_CODE = 16;
const PAY_TIMEOUT_MS = 120_000;

type Step =
  | { step: 'reading' }
  | { step: 'code'; entered: string }
  | { step: 'busy' }
  | { step: 'pay'; p: Parcel; auth: Auth }
  | { step: 'door'; compartmentId: string; p: Parcel; auth: Auth; paid: Paid }
  /** The door closed with the parcel still inside: `#` opens it again until `until`. */
  | { step: 'inside'; compartmentId: string; p: Parcel; auth: Auth; paid: Paid; until: number }
  | { step: 'done' };

/**
 * A recipient who brings the slip on an IC card (its PIN is the code, and it
 * gets the receipt proof written back) or on an NFC tag (an NDEF text record
 * holding the slip). The slip names the parcel, so only the code is typed.
 * Removing the card ends the conversation.
 */
export class CardConversation implements Conversation {
  readonly kind = 'card';
  private s: Step = { step: 'reading' };
  private readonly payment: Payment;
  private readonly via: 'card' | 'tag';
  private tagSlip: string | null = null;
  /** This card's (or tag's) wrong codes count across the kiosk as one thing guessed at. */
  private readonly scope: string;

  constructor(
    private readonly ctx: FlowContext,
    private readonly session: Session,
    private readonly custody: Custody,
    private readonly doors: Doors,
    private readonly card: CardReader,
    cash: CashAcceptor | null,
    info: CardInfo,
  ) {
    this.payment = new Payment(ctx, cash);
    this.via = info.kind === 'iso7816' ? 'card' : 'tag';
    this.scope = unnamedScope(ctx, this.via === 'card' ? 'card' : 'token');
  }

  get timeoutMs(): number {
    return this.s.step === 'pay' ? PAY_TIMEOUT_MS : this.ctx.config.screen.returnToIdleMs;
  }

  /** Reads a tag's slip, or asks a card holder for the code. */
  async begin(): Promise<void> {
    if (this.via === 'card') return this.prompt(0);
    let text: string;
    try {
      text = await this.card.readNdefText();
    } catch {
      return this.outcome({ id: 'refused', reason: 'tag-unreadable' });
    }
    if (!this.session.alive) return;
    if (!text.startsWith('PKS1.')) return this.outcome({ id: 'refused', reason: 'tag-empty' });
    this.tagSlip = text;
    this.prompt(0);
  }

  ended(): void {
    this.payment.stop();
    this.s = { step: 'done' };
  }

  private prompt(entered: number): void {
    if (this.s.step !== 'code') this.s = { step: 'code', entered: '' };
    this.session.show({ id: 'enter-code', txn: null, entered, via: this.via });
  }

  private outcome(s: Screen): void {
    this.payment.stop();
    this.s = { step: 'done' };
    this.session.hold(false);
    this.session.show(s);
  }

  cardOut(): void {
    // The card leaves with the person: unless its door is open, the conversation is over.
    if (this.via === 'card' && this.s.step !== 'door') this.session.end();
  }

  key(k: Key): void {
    const s = this.s;
    if (s.step === 'pay' && k === '*') return this.session.end();
    if ((s.step === 'done' || s.step === 'inside') && k === '*') return this.session.end();
    if (s.step === 'inside' && k === '#') {
      if (this.ctx.clock.now() >= s.until) return this.outcome({ id: 'item-inside', compartment: s.compartmentId, reopen: false });
      const p = this.ctx.store.parcels.get(s.p.sellerId, s.p.txn);
      return p ? void this.open(p, s.auth, s.paid) : this.outcome({ id: 'not-found' });
    }
    if (s.step !== 'code') return;
    const step = typeKey(s, k, MAX_CODE);
    switch (step.kind) {
      case 'submit':
        return void this.submit(step.value);
      case 'cancel':
        return this.session.end();
      case 'typed':
        return this.prompt(step.length);
    }
  }

  scan(): void {
    // A scan belongs to the keypad's recipient way; the arbiter starts that one.
  }

  escrow(bill: Bill): EscrowAnswer | null {
    return this.payment.escrow(bill);
  }

  stacked(bill: Bill): void {
    this.paid(this.payment.stacked(bill));
  }

  returned(bill: Bill, reason: ReturnReason): void {
    this.paid(this.payment.returned(bill, reason));
  }

  private paid(r: Inserted | null): void {
    const s = this.s;
    if (!r || s.step !== 'pay') return;
    if (r.kind === 'paid') void this.open(s.p, s.auth, r.paid);
    else this.session.show({ id: 'pay', txn: s.p.txn, due: r.due, paid: r.paid, ...(r.kind === 'handed-back' && r.currency ? { wrongCurrency: r.currency } : {}) });
  }

  door(n: DoorNews): void {
    const s = this.s;
    if (s.step !== 'door' || n.compartmentId !== s.compartmentId) return;
    if (n.kind === 'handed-over') this.outcome({ id: 'thanks', compartment: n.compartmentId });
    else if (n.kind === 'not-opened') this.outcome({ id: 'door-not-opened', compartment: n.compartmentId });
    else if (n.kind === 'item-inside') {
      this.outcome({ id: 'item-inside', compartment: n.compartmentId, reopen: true });
      this.s = { step: 'inside', compartmentId: s.compartmentId, p: s.p, auth: s.auth, paid: s.paid, until: this.ctx.clock.now() + this.ctx.config.doors.openGraceMs };
    }
  }

  private async submit(code: string): Promise<void> {
    const { store } = this.ctx;
    const again = (s: Screen): void => {
      this.s = { step: 'code', entered: '' };
      this.session.show(s);
    };
    if (!isCode(code)) return again({ id: 'denied', triesLeft: null, reason: 'bad-format' });
    const wait = waitBeforeTry(this.ctx, null);
    if (wait) return again({ id: 'wait', until: wait.until, entered: 0, why: wait.why });
    this.s = { step: 'busy' };
    this.session.show({ id: 'checking' });
    let slip = this.tagSlip;
    if (this.via === 'card') {
      try {
        await this.card.verifyPin(code); // the one place a code leaves the kiosk's memory: to the card that checks it
        slip = (await this.card.readFile(EF_SLIP)).toString('latin1');
      } catch (e) {
        if (!this.session.alive) return;
        if (e instanceof CardError && e.code === 'wrong-pin') {
          recordUnnamedFailure(this.ctx, this.scope);
          // The card counts for itself; at none left it is blocked, never a prompt beside "0 tries".
          if ((e.triesLeft ?? 1) <= 0) return this.outcome({ id: 'locked-out', who: 'card' });
          return again({ id: 'denied', triesLeft: e.triesLeft ?? null, reason: 'wrong-code' });
        }
        if (e instanceof CardError && e.code === 'blocked') return this.outcome({ id: 'locked-out', who: 'card' });
        return this.outcome({ id: 'refused', reason: 'card-unreadable' });
      }
    }
    const r = await checkSlip(slip ?? '', { ...slipOptions(this.ctx), code });
    if (!this.session.alive) return;
    if (!r.ok) {
      if (r.reason === 'wrong-code') {
        recordUnnamedFailure(this.ctx, this.scope);
        return again({ id: 'denied', triesLeft: null, reason: 'wrong-code' });
      }
      return this.outcome({ id: 'refused', reason: 'slip-invalid', slipReason: r.reason });
    }
    const p = r.txn ? store.parcels.get(r.slip.sellerId, r.txn) : null;
    if (!p || p.compartmentId === null) return this.outcome({ id: 'contact-seller', reason: 'not-here' });
    const may = this.custody.mayHandOver(p);
    if (!may.ok) return this.outcome(refusedScreen(may));
    const auth: Auth = { method: this.via === 'card' ? 'card' : 'token', salt: r.keys?.salt ?? null, kReceipt: r.keys?.kReceipt ?? null };
    const settle = await this.payment.settle(p, r.plaintext?.due ?? null);
    if (!this.session.alive) return this.payment.stop();
    switch (settle.kind) {
      case 'open':
        return this.open(p, auth, settle.paid);
      case 'cannot-take':
        return this.outcome({ id: 'contact-seller', reason: 'cannot-take-payment', due: settle.due });
      case 'acceptor-fault':
        return this.outcome({ id: 'error', reason: 'cash-fault' });
      case 'pay':
        this.s = { step: 'pay', p, auth };
        return this.session.show({ id: 'pay', txn: p.txn, due: settle.due, paid: settle.paid });
    }
  }

  private async open(p: Parcel, auth: Auth, paid: Paid): Promise<void> {
    this.s = { step: 'busy' };
    const r = await openFor(this.doors, p, auth, paid);
    if (!this.session.alive) return;
    if (r.opened === null) return this.outcome(r.screen);
    this.s = { step: 'door', compartmentId: r.opened, p, auth, paid };
    this.session.hold(true);
    this.session.show(r.screen);
    if (this.via === 'card') await this.writeReceipt(p.sellerId, p.txn);
  }

  /** slip.md: EF 5332 gets the handover event id, 0x00, and the 32-byte recipient proof. */
  private async writeReceipt(sellerId: string, txn: string): Promise<void> {
    const h = this.ctx.store.parcels.get(sellerId, txn)?.handover;
    const proof = h?.recipientProof ? b64uDecode(h.recipientProof) : null;
    if (!h || !proof) return;
    try {
      await this.card.updateFile(EF_RECEIPT, Buffer.concat([Buffer.from(h.eventId, 'latin1'), Buffer.from([0]), proof]));
      this.ctx.store.audit.add('card.receipt-written', this.ctx.clock.now(), { sellerId, txn });
    } catch (e) {
      this.ctx.log.warn({ txn, err: (e as Error).message }, 'receipt proof not written to the card (removed too early?)');
    }
  }
}
