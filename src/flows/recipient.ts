import type { Bill, CashAcceptor, EscrowAnswer, ReturnReason } from '../../drivers/cash/contract.js';
import type { Key } from '../../drivers/keypad/contract.js';
import type { TimerHandle } from '../core/clock.js';
import { txnDigits } from '../domain/index.js';
import type { Screen } from '../domain/screens.js';
import type { Money, Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Conversation, Session } from './conversation.js';
import type { Auth, Custody, Paid } from './custody.js';
import type { DoorNews, Doors } from './doors.js';
import { typeKey } from './entry.js';
import { watchFinger } from './finger.js';
import { finalScreen, openFor, refusedScreen } from './handover.js';
import { Payment, type Inserted } from './payment.js';
import { parcelTriesLeft, recordWrongCode, waitBeforeTry, type Wait } from './rules.js';
import { classifyScan } from './scan-text.js';
import { checkCode, openAhead, type CheckOutcome } from './verify.js';

const MAX_CODE = 16;
const MAX_TXN_DIGITS = 64;
const PAY_TIMEOUT_MS = 120_000;

type Named = { sellerId: string; txn: string };

type Step =
  | { step: 'start' } // nothing named yet, or an outcome on the screen
  | { step: 'txn'; digits: string }
  | { step: 'code'; p: Named; entered: string; finger: boolean }
  | { step: 'wait'; p: Named; entered: string; finger: boolean; until: number; why: Wait['why']; triesLeft: number | null }
  | { step: 'busy' }
  | { step: 'pay'; p: Named; auth: Auth }
  | { step: 'door'; compartmentId: string; p: Named; auth: Auth; paid: Paid }
  /** The door closed with the parcel still inside: `#` opens it again until `until`. */
  | { step: 'inside'; compartmentId: string; p: Named; auth: Auth; paid: Paid; until: number };

/**
 * A recipient at the keypad: name the parcel (scan, or its digits and #),
 * type the code and # (`*` clears, `*` on nothing goes back), the door opens.
 * The typed code lives only in this object's memory until it is checked.
 * Every outcome is a screen; the next person may start from it at once.
 */
export class RecipientConversation implements Conversation {
  readonly kind = 'recipient';
  private s: Step = { step: 'start' };
  private waitTimer: TimerHandle | null = null;
  private stopFinger: () => void = () => undefined;
  private readonly payment: Payment;

  constructor(
    private readonly ctx: FlowContext,
    private readonly session: Session,
    private readonly custody: Custody,
    private readonly doors: Doors,
    cash: CashAcceptor | null,
  ) {
    this.payment = new Payment(ctx, cash);
  }

  get timeoutMs(): number {
    const idle = this.ctx.config.screen.returnToIdleMs;
    if (this.s.step === 'pay') return PAY_TIMEOUT_MS;
    // A wait screen stays until its countdown ends, then as long as a prompt does.
    if (this.s.step === 'wait') return Math.max(0, this.s.until - this.ctx.clock.now()) + idle;
    return idle;
  }

  ended(): void {
    this.clearWait();
    this.stopFinger();
    this.payment.stop();
    this.s = { step: 'start' };
  }

  private show(s: Screen): void {
    this.session.show(s);
  }

  /** An outcome: shown until the next person starts or the screen times out. */
  private outcome(s: Screen): void {
    this.clearWait();
    this.stopFinger();
    this.s = { step: 'start' };
    this.session.hold(false);
    this.show(s);
  }

  key(k: Key): void {
    const s = this.s;
    switch (s.step) {
      case 'busy':
        return;
      case 'inside':
        if (k === '#') return this.ctx.clock.now() < s.until ? void this.reopen(s) : this.outcome({ id: 'item-inside', compartment: s.compartmentId, reopen: false });
        return this.startOver(k);
      case 'start':
      case 'door':
        return this.startOver(k);
      case 'txn':
        if (k === '#') return this.lookupDigits(s.digits);
        if (k === '*') return this.session.end();
        if (s.digits.length < MAX_TXN_DIGITS) s.digits += k;
        return this.show({ id: 'enter-txn', digits: s.digits });
      case 'pay':
        if (k === '*') {
          this.payment.stop();
          return this.session.end();
        }
        return;
      case 'code':
      case 'wait': {
        const step = typeKey(s, k, MAX_CODE);
        switch (step.kind) {
          case 'submit':
            if (s.step === 'wait') {
              // Too early: what was typed is kept for when the wait is over.
              s.entered = step.value;
              return this.showWait(s);
            }
            return void this.submit(s.p, step.value);
          case 'cancel':
            return this.session.end();
          case 'typed':
            return s.step === 'wait' ? this.showWait(s) : this.showCode(s.p, step.length, s.finger);
        }
      }
    }
  }

  scan(text: string): void {
    if (this.s.step === 'busy' || this.s.step === 'pay') return;
    const what = classifyScan(text);
    switch (what.kind) {
      case 'slip':
        return this.outcome({ id: 'refused', reason: 'slip-not-number' });
      case 'junk':
      case 'staff':
        return this.outcome({ id: 'refused', reason: 'not-a-number' });
      case 'parcel': {
        // A scan in the middle of code entry starts over with the scanned parcel; the typed digits are dropped.
        const waiting = (txn: string, sellerId: string | null): Parcel[] =>
          this.ctx.store.parcels.byTxn(txn).filter((p) => (sellerId === null || p.sellerId === sellerId) && (p.state === 'stored' || p.state === 'unlocking'));
        let found = waiting(what.txn, what.sellerId);
        if (found.length === 0 && what.bare !== null) found = waiting(what.bare, null);
        return this.identify(found, true);
      }
    }
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
    switch (r.kind) {
      case 'more':
        this.show({ id: 'pay', txn: s.p.txn, due: r.due, paid: r.paid });
        return;
      case 'handed-back':
        this.show({ id: 'pay', txn: s.p.txn, due: r.due, paid: r.paid, ...(r.currency ? { wrongCurrency: r.currency } : {}) });
        return;
      case 'paid': {
        const p = this.ctx.store.parcels.get(s.p.sellerId, s.p.txn);
        this.s = { step: 'busy' };
        if (p) void this.open(p, s.auth, r.paid);
        else this.outcome({ id: 'not-found' });
        return;
      }
    }
  }

  door(n: DoorNews): void {
    const s = this.s;
    if (s.step !== 'door' || n.compartmentId !== s.compartmentId) return;
    if (n.kind === 'handed-over') this.outcome({ id: 'thanks', compartment: n.compartmentId });
    else if (n.kind === 'not-opened') this.outcome({ id: 'door-not-opened', compartment: n.compartmentId });
    else if (n.kind === 'item-inside') {
      // Nothing handed over: the same person may open the door again within the open grace.
      this.outcome({ id: 'item-inside', compartment: n.compartmentId, reopen: true });
      this.s = { step: 'inside', compartmentId: s.compartmentId, p: s.p, auth: s.auth, paid: s.paid, until: this.ctx.clock.now() + this.ctx.config.doors.openGraceMs };
    }
  }

  /** A key on an outcome (or beside an open door): `*` ends, a digit starts the next parcel number. */
  private startOver(k: Key): void {
    if (k === '*') return this.session.end();
    if (k === '#') return;
    this.session.hold(false);
    this.s = { step: 'txn', digits: k };
    this.show({ id: 'enter-txn', digits: k });
  }

  /** The door closed on the parcel: a new unlock (and a new pending handover) for the same right code. */
  private async reopen(s: Extract<Step, { step: 'inside' }>): Promise<void> {
    const p = this.ctx.store.parcels.get(s.p.sellerId, s.p.txn);
    if (!p) return this.outcome({ id: 'not-found' });
    await this.open(p, s.auth, s.paid);
  }

  private lookupDigits(digits: string): void {
    const found = this.ctx.store.parcels
      .inState('stored')
      .concat(this.ctx.store.parcels.inState('unlocking'))
      .filter((p) => txnDigits(p.txn) === digits);
    this.identify(found, false);
  }

  private identify(found: Parcel[], scanned: boolean): void {
    this.stopFinger();
    this.clearWait();
    if (found.length === 0) return this.outcome({ id: 'not-found' });
    if (found.length > 1) return this.outcome({ id: 'scan-needed', scanned });
    const p = found[0];
    if (p.state === 'unlocking') return this.outcome({ id: 'door-open', compartment: p.compartmentId ?? '', already: true });
    if (p.compartmentId === null) return this.outcome({ id: 'contact-seller', reason: 'at-counter' });
    const may = this.custody.mayHandOver(p);
    if (!may.ok) return this.outcome(refusedScreen(may));
    if (parcelTriesLeft(this.ctx, p) === 0) return this.outcome({ id: 'locked-out', who: 'parcel' });
    const named = { sellerId: p.sellerId, txn: p.txn };
    const finger = this.offerFinger(p);
    const wait = waitBeforeTry(this.ctx, p);
    if (wait) {
      const w = { step: 'wait' as const, p: named, entered: '', finger, until: wait.until, why: wait.why, triesLeft: null };
      this.s = w;
      this.showWait(w);
    } else {
      this.s = { step: 'code', p: named, entered: '', finger };
      this.showCode(named, 0, finger);
    }
    // While the code is typed: the slip's signature and address are checked now, not after `#`.
    openAhead(this.ctx, p);
  }

  /** A parcel with a reference template: a finger on the pad works instead of the code (one try per naming). */
  private offerFinger(p: Parcel): boolean {
    const pad = this.ctx.fingerprint;
    if (!pad || !p.bio || p.state !== 'stored') return false;
    this.stopFinger = watchFinger(pad, p, this.ctx.log, this.session.signal, (match) => {
      const s = this.s;
      if ((s.step !== 'code' && s.step !== 'wait') || s.p.txn !== p.txn || s.p.sellerId !== p.sellerId) return;
      const fresh = this.ctx.store.parcels.get(p.sellerId, p.txn);
      if (!fresh || fresh.state !== 'stored') return;
      this.clearWait();
      this.s = { step: 'busy' };
      void this.decide(fresh, match ? { kind: 'ok', method: 'biometric', salt: null, kReceipt: null } : { kind: 'wrong', attemptsLeft: null }, 'finger');
    });
    return true;
  }

  private async submit(named: Named, code: string): Promise<void> {
    const wait = waitBeforeTry(this.ctx, named);
    const p = this.ctx.store.parcels.get(named.sellerId, named.txn);
    const finger = this.s.step === 'code' && this.s.finger;
    if (wait) {
      const w = { step: 'wait' as const, p: named, entered: code, finger, until: wait.until, why: wait.why, triesLeft: null };
      this.s = w;
      return this.showWait(w);
    }
    if (!p || p.state !== 'stored') return this.outcome({ id: 'not-found' });
    this.s = { step: 'busy' };
    this.show({ id: 'checking' });
    let out: CheckOutcome;
    try {
      out = await checkCode(this.ctx, p, code);
    } catch (e) {
      this.ctx.log.error({ err: (e as Error).message, txn: p.txn }, 'code check failed');
      out = { kind: 'unavailable', why: 'no-check' };
    }
    if (!this.session.alive) return;
    await this.decide(p, out, 'code');
  }

  private async decide(p: Parcel, out: CheckOutcome, via: 'code' | 'finger'): Promise<void> {
    const named = { sellerId: p.sellerId, txn: p.txn };
    const finger = via === 'code' && this.s.step === 'busy' && this.ctx.fingerprint !== null && p.bio !== null;
    switch (out.kind) {
      case 'ok':
        return this.rightCode(p, { method: out.method, salt: out.salt, kReceipt: out.kReceipt }, out.due ?? null);
      case 'bad-code':
        this.s = { step: 'code', p: named, entered: '', finger };
        return this.show({ id: 'denied', triesLeft: null, reason: 'bad-format' });
      case 'wrong': {
        const counted = recordWrongCode(this.ctx, p, via === 'finger' ? 'finger' : null);
        const left = out.attemptsLeft ?? counted;
        // Never "0 tries left" beside a prompt: at the limit the parcel is locked out.
        if (left <= 0) return this.outcome({ id: 'locked-out', who: 'parcel' });
        const wait = waitBeforeTry(this.ctx, p);
        if (wait) {
          const w = { step: 'wait' as const, p: named, entered: '', finger: false, until: wait.until, why: wait.why, triesLeft: left };
          this.s = w;
          return this.showWait(w);
        }
        this.s = { step: 'code', p: named, entered: '', finger: false };
        return this.show({ id: 'denied', triesLeft: left, reason: via === 'finger' ? 'finger' : 'wrong-code' });
      }
      case 'moved':
        this.ctx.store.audit.add('slip.moved', this.ctx.clock.now(), { ...named, compartmentId: p.compartmentId, detail: 'right code, slip of another parcel' });
        this.ctx.log.warn({ txn: p.txn, compartment: p.compartmentId }, 'slip belongs to another parcel: refused, staff to check');
        return this.outcome(finalScreen(out));
      case 'locked-out':
      case 'seller-locked':
      case 'seller-unknown':
      case 'seller-cancelled':
      case 'unavailable':
        return this.outcome(finalScreen(out));
    }
  }

  private async rightCode(p: Parcel, auth: Auth, dueFromSlip: Money | null): Promise<void> {
    const r = await this.payment.settle(p, dueFromSlip);
    if (!this.session.alive) return this.payment.stop();
    switch (r.kind) {
      case 'open':
        return this.open(p, auth, r.paid);
      case 'cannot-take':
        return this.outcome({ id: 'contact-seller', reason: 'cannot-take-payment', due: r.due });
      case 'acceptor-fault':
        return this.outcome({ id: 'error', reason: 'cash-fault' });
      case 'pay':
        this.s = { step: 'pay', p: { sellerId: p.sellerId, txn: p.txn }, auth };
        return this.show({ id: 'pay', txn: p.txn, due: r.due, paid: r.paid });
    }
  }

  private async open(p: Parcel, auth: Auth, paid: Paid): Promise<void> {
    this.s = { step: 'busy' };
    const r = await openFor(this.doors, p, auth, paid);
    if (!this.session.alive) return;
    if (r.opened === null) return this.outcome(r.screen);
    this.s = { step: 'door', compartmentId: r.opened, p: { sellerId: p.sellerId, txn: p.txn }, auth, paid };
    this.session.hold(true); // a door screen stays while its door is open
    this.show(r.screen);
  }

  private showCode(p: Named, entered: number, finger: boolean): void {
    this.show({ id: 'enter-code', txn: p.txn, entered, ...(finger ? { finger: true } : {}) });
  }

  private showWait(w: Extract<Step, { step: 'wait' }>): void {
    this.show({ id: 'wait', until: w.until, entered: w.entered.length, why: w.why, ...(w.triesLeft !== null ? { triesLeft: w.triesLeft } : {}) });
    this.clearWait();
    this.waitTimer = this.ctx.clock.setTimeout(() => {
      this.waitTimer = null;
      const s = this.s;
      if (s.step !== 'wait') return;
      this.s = { step: 'code', p: s.p, entered: s.entered, finger: s.finger };
      this.showCode(s.p, s.entered.length, s.finger);
    }, Math.max(0, w.until - this.ctx.clock.now()));
  }

  private clearWait(): void {
    if (this.waitTimer) this.ctx.clock.clearTimeout(this.waitTimer);
    this.waitTimer = null;
  }
}
