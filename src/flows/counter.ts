import type { Key } from '../../drivers/keypad/contract.js';
import { checkSlip } from '../domain/index.js';
import type { Screen } from '../domain/screens.js';
import type { Money, Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Conversation, Session } from './conversation.js';
import type { Auth, Custody, Paid } from './custody.js';
import { typeKey } from './entry.js';
import { finalScreen, refusedScreen } from './handover.js';
import { recordWrongCode } from './rules.js';
import { classifyScan } from './scan-text.js';
import { checkCode, slipOptions } from './verify.js';

const CLERK_TIMEOUT_MS = 300_000;

type Named = { sellerId: string; txn: string };

type Step =
  | { step: 'ready'; slip: { text: string; sellerId: string } | null }
  | { step: 'code'; p: Named; entered: string }
  | { step: 'collect'; p: Named; auth: Auth; due: Money }
  | { step: 'give'; p: Named; auth: Auth; paid: Paid }
  | { step: 'busy' };

/**
 * A signed-in clerk at a staffed counter: checks parcels in (slip, then
 * number; kept behind the counter, in no compartment) and hands them over
 * once the recipient has typed the right code — collecting any amount due
 * first. Receipts and arrivals carry `lockerId: null`. `*` on `counter-scan`
 * signs out.
 */
export class ClerkConversation implements Conversation {
  readonly kind = 'clerk';
  private s: Step = { step: 'ready', slip: null };

  constructor(
    private readonly ctx: FlowContext,
    private readonly session: Session,
    private readonly custody: Custody,
    private readonly clerkId: string,
  ) {
    this.ready({});
  }

  get timeoutMs(): number {
    return Math.max(CLERK_TIMEOUT_MS, this.ctx.config.screen.returnToIdleMs);
  }

  ended(): void {
    this.s = { step: 'busy' };
  }

  private ready(params: { checkedIn?: string }, shown?: Screen): void {
    this.s = { step: 'ready', slip: null };
    this.session.show(shown ?? { id: 'counter-scan', ...params });
  }

  key(k: Key): void {
    const s = this.s;
    switch (s.step) {
      case 'busy':
        return;
      case 'ready':
        if (k === '*') this.session.end();
        return;
      case 'code': {
        const step = typeKey(s, k, 16);
        if (step.kind === 'submit') return void this.check(s.p, step.value);
        if (step.kind === 'cancel') return this.ready({});
        return this.session.show({ id: 'counter-code', txn: s.p.txn, entered: step.length });
      }
      case 'collect':
        if (k === '#') return this.give(s.p, s.auth, { ...s.due, means: 'counter' });
        if (k === '*') return this.ready({});
        return;
      case 'give':
        if (k === '#') return this.handedOver(s);
        if (k === '*') return this.ready({});
        return;
    }
  }

  scan(text: string): void {
    const s = this.s;
    if (s.step !== 'ready') return;
    const what = classifyScan(text);
    if (what.kind === 'slip') return void this.scanSlip(text);
    if (what.kind !== 'parcel') return this.ready({}, { id: 'refused', reason: 'not-slip-or-number' });
    const seller = s.slip?.sellerId ?? what.sellerId;
    const known = this.ctx.store.parcels.byTxn(what.txn).filter((p) => seller === null || p.sellerId === seller);
    const here = known.find((p) => p.state === 'stored' && p.compartmentId === null);
    if (here && !s.slip) return this.startHandover(here);
    if (known.some((p) => p.state !== 'expected')) return this.ready({}, { id: 'refused', reason: 'already-done' });
    const expected = known.filter((p) => p.state === 'expected');
    if (!s.slip && expected.length !== 1) return this.ready({}, { id: 'refused', reason: 'scan-slip-first' });
    const sellerId = seller ?? expected[0].sellerId;
    const r = this.custody.checkIn({ sellerId, txn: what.txn, slip: s.slip?.text ?? null }, this.clerkId);
    if (!r.ok) return this.ready({}, { id: 'refused', reason: 'already-done' });
    this.ready({ checkedIn: what.txn });
  }

  private async scanSlip(text: string): Promise<void> {
    this.s = { step: 'busy' };
    const r = await checkSlip(text, slipOptions(this.ctx));
    if (!this.session.alive) return;
    if (!r.ok) return this.ready({}, { id: 'refused', reason: 'slip-invalid', slipReason: r.reason });
    this.s = { step: 'ready', slip: { text, sellerId: r.slip.sellerId } };
    this.session.show({ id: 'counter-number' });
  }

  private startHandover(p: Parcel): void {
    const may = this.custody.mayHandOver(p);
    if (!may.ok) return this.ready({}, refusedScreen(may));
    this.s = { step: 'code', p: { sellerId: p.sellerId, txn: p.txn }, entered: '' };
    this.session.show({ id: 'counter-code', txn: p.txn, entered: 0 });
  }

  private async check(named: Named, code: string): Promise<void> {
    const p = this.ctx.store.parcels.get(named.sellerId, named.txn);
    if (!p || p.state !== 'stored') return this.ready({}, { id: 'not-found' });
    this.s = { step: 'busy' };
    this.session.show({ id: 'checking' });
    const out = await checkCode(this.ctx, p, code);
    if (!this.session.alive) return;
    switch (out.kind) {
      case 'ok': {
        const due = p.due ?? out.due ?? null;
        const auth: Auth = { method: out.method, salt: out.salt, kReceipt: out.kReceipt };
        if (due && due.amount > 0) {
          this.s = { step: 'collect', p: named, auth, due };
          return this.session.show({ id: 'counter-pay', txn: p.txn, due });
        }
        return this.give(named, auth, null);
      }
      case 'wrong': {
        const counted = recordWrongCode(this.ctx, p, 'counter');
        const left = out.attemptsLeft ?? counted;
        if (left <= 0) return this.ready({}, { id: 'locked-out', who: 'parcel' });
        this.s = { step: 'code', p: named, entered: '' };
        return this.session.show({ id: 'denied', triesLeft: left, reason: 'wrong-code' });
      }
      case 'bad-code':
        this.s = { step: 'code', p: named, entered: '' };
        return this.session.show({ id: 'denied', triesLeft: null, reason: 'bad-format' });
      case 'locked-out':
      case 'seller-locked':
      case 'seller-unknown':
      case 'seller-cancelled':
      case 'moved':
      case 'unavailable':
        return this.ready({}, finalScreen(out));
    }
  }

  private give(p: Named, auth: Auth, paid: Paid): void {
    this.s = { step: 'give', p, auth, paid };
    this.session.show({ id: 'counter-hand-over', txn: p.txn });
  }

  /** The clerk confirms: handed over, exactly once, with the recipient proof (custody does both steps in one transaction). */
  private handedOver(s: Extract<Step, { step: 'give' }>): void {
    const r = this.custody.handOverAtCounter(s.p, s.auth, s.paid, this.clerkId);
    if (!r.ok) return this.ready({}, refusedScreen(r));
    this.ready({});
  }
}
