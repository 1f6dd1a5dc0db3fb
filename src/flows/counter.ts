import type { Key } from '../../drivers/keypad/contract.js';
import type { TimerHandle } from '../clock.js';
import { b64uEncode, checkSlip, recipientProof, uuidv7 } from '../domain/index.js';
import type { Money, Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';
import { SLIP_REASONS } from './courier.js';
import { dots, typeKey } from './entry.js';
import { formatMoney, type Auth } from './payment.js';
import { recordWrongCode } from './rules.js';
import { classifyScan } from './scan-text.js';
import type { ScreenState } from './screen.js';
import { checkCode } from './verify.js';

const IDLE_MS = 300_000;

type Step =
  | { step: 'off' }
  | { step: 'ready'; clerkId: string; slip: { text: string; sellerId: string } | null }
  | { step: 'code'; clerkId: string; sellerId: string; txn: string; entered: string }
  | { step: 'collect'; clerkId: string; sellerId: string; txn: string; auth: Auth; due: Money }
  | { step: 'give'; clerkId: string; sellerId: string; txn: string; auth: Auth; paid: (Money & { means: 'counter' }) | null }
  | { step: 'busy'; clerkId: string };

/**
 * A staffed counter: a signed-in clerk checks parcels in (slip, then number;
 * they are kept behind the counter, in no compartment) and hands them over
 * once the recipient has typed the right code — collecting any amount due
 * first. Receipts and arrivals carry `lockerId: null`.
 */
export class Counter {
  private s: Step = { step: 'off' };
  private timer: TimerHandle | null = null;

  constructor(
    private readonly ctx: FlowContext,
    private readonly screen: ScreenState,
  ) {}

  get active(): boolean {
    return this.s.step !== 'off';
  }

  begin(clerkId: string): void {
    this.ready(clerkId, `Signed in as clerk ${clerkId}.`);
  }

  signOut(): void {
    this.s = { step: 'off' };
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
    this.screen.idle('Signed out.');
  }

  onKey(k: Key): void {
    const s = this.s;
    this.touch();
    switch (s.step) {
      case 'off':
      case 'busy':
        return;
      case 'ready':
        if (k === '*') this.signOut();
        return;
      case 'code': {
        const step = typeKey(s, k, 16);
        if (step.kind === 'submit') return void this.check(s.clerkId, s.sellerId, s.txn, step.value);
        if (step.kind === 'cancel') return this.ready(s.clerkId, 'Handover cancelled.');
        this.screen.set('enter-code', `Recipient: type your code and press #. * clears. ${dots(step.length)}`);
        return;
      }
      case 'collect':
        if (k === '#') return this.give(s.clerkId, s.sellerId, s.txn, s.auth, { ...s.due, means: 'counter' });
        if (k === '*') return this.ready(s.clerkId, 'Handover cancelled: nothing was handed over.');
        return;
      case 'give':
        if (k === '#') return this.handedOver(s);
        if (k === '*') return this.ready(s.clerkId, 'Handover cancelled: nothing was handed over.');
        return;
    }
  }

  onScan(text: string): void {
    const s = this.s;
    this.touch();
    if (s.step !== 'ready') return;
    const what = classifyScan(text);
    if (what.kind === 'slip') return void this.scanSlip(s.clerkId, text);
    if (what.kind !== 'parcel') {
      this.screen.set('refused', 'That barcode is neither a parcel slip nor a parcel number.');
      return;
    }
    const seller = s.slip?.sellerId ?? what.sellerId;
    const known = this.ctx.store.parcels.byTxn(what.txn).filter((p) => seller === null || p.sellerId === seller);
    const here = known.find((p) => p.state === 'stored' && p.compartmentId === null);
    if (here && !s.slip) return this.startHandover(s.clerkId, here);
    if (known.some((p) => p.state !== 'expected')) {
      this.screen.set('refused', `Parcel ${what.txn} is already here or was handed over. Scan another parcel.`);
      return;
    }
    const expected = known.filter((p) => p.state === 'expected');
    if (!s.slip && expected.length !== 1) {
      this.screen.set('refused', 'Scan the parcel slip first, then its number.');
      return;
    }
    this.checkIn(s.clerkId, (seller ?? expected[0]?.sellerId), what.txn, s.slip?.text ?? null);
  }

  private async scanSlip(clerkId: string, text: string): Promise<void> {
    this.s = { step: 'busy', clerkId };
    const r = await checkSlip(text, { trust: this.ctx.trust, allowMode0: this.ctx.config.policy.allowMode0, kioskX25519: this.ctx.kioskX25519, now: this.ctx.clock.now() });
    if (!r.ok) {
      this.ready(clerkId, '');
      this.screen.set('refused', `Slip refused: ${SLIP_REASONS[r.reason]}. Set the parcel aside for the seller.`);
      return;
    }
    this.s = { step: 'ready', clerkId, slip: { text, sellerId: r.slip.sellerId } };
    this.screen.set('courier-number', 'Slip accepted. Now scan the parcel number.');
  }

  private checkIn(clerkId: string, sellerId: string, txn: string, slip: string | null): void {
    const { store, clock, reporter, config } = this.ctx;
    const now = clock.now();
    store.tx(() => {
      const p = store.parcels.get(sellerId, txn);
      const holdUntil = p?.holdUntil ?? now + config.hold.defaultDays * 86_400_000;
      if (p) store.parcels.update(sellerId, txn, { state: 'stored', compartmentId: null, slip: slip ?? p.slip, holdUntil }, now);
      else store.parcels.insert({ sellerId, txn, state: 'stored', compartmentId: null, slip, holdUntil }, now);
      store.audit.add('parcel.checked-in', now, { sellerId, txn, detail: clerkId });
      reporter.event('parcel.arrived', sellerId, txn, { lockerId: null });
    });
    reporter.queued();
    this.ready(clerkId, `Parcel ${txn} checked in: keep it behind the counter.`);
  }

  private startHandover(clerkId: string, p: Parcel): void {
    if (p.withdrawn || p.uncollectedAt !== null) {
      this.screen.set('contact-seller', `Parcel ${p.txn} is waiting to go back to the seller: do not hand it over.`);
      return;
    }
    this.s = { step: 'code', clerkId, sellerId: p.sellerId, txn: p.txn, entered: '' };
    this.screen.set('enter-code', `Parcel ${p.txn}. Recipient: type your code and press #.`);
  }

  private async check(clerkId: string, sellerId: string, txn: string, code: string): Promise<void> {
    const { store, config } = this.ctx;
    const p = store.parcels.get(sellerId, txn);
    if (!p || p.state !== 'stored') return this.ready(clerkId, 'That parcel is no longer here.');
    this.s = { step: 'busy', clerkId };
    this.screen.set('checking', 'Checking the code…');
    const out = await checkCode(this.ctx, p, code);
    const again = (words: string): void => {
      this.s = { step: 'code', clerkId, sellerId, txn, entered: '' };
      this.screen.set('denied', words);
    };
    switch (out.kind) {
      case 'ok': {
        const due = p.due ?? out.due ?? null;
        const auth: Auth = { method: out.method, salt: out.salt, kReceipt: out.kReceipt };
        if (due && due.amount > 0) {
          this.s = { step: 'collect', clerkId, sellerId, txn, auth, due };
          this.screen.set('pay', `Code right. Collect ${formatMoney(due)}, then press #. * cancels.`);
          return;
        }
        return this.give(clerkId, sellerId, txn, auth, null);
      }
      case 'wrong': {
        const n = recordWrongCode(this.ctx, p, 'counter');
        const left = out.attemptsLeft ?? Math.max(0, config.attempts.perParcel - n);
        if (left === 0) return this.ready(clerkId, 'Too many wrong codes for this parcel: do not hand it over; the recipient should contact the seller.');
        return again(`Wrong code. ${left} ${left === 1 ? 'try' : 'tries'} left. Recipient: type the code and press #.`);
      }
      case 'bad-code':
        return again('A code has 6 to 16 digits. Recipient: type it again and press #.');
      case 'locked-out':
      case 'seller-locked':
        return this.ready(clerkId, 'Too many wrong codes for this parcel: do not hand it over; the recipient should contact the seller.');
      case 'seller-unknown':
      case 'seller-cancelled':
      case 'moved':
        return this.ready(clerkId, 'This parcel must not be handed over: the recipient should contact the seller.');
      case 'unavailable':
        return this.ready(clerkId, `The code cannot be checked: ${out.why}.`);
    }
  }

  private give(clerkId: string, sellerId: string, txn: string, auth: Auth, paid: (Money & { means: 'counter' }) | null): void {
    this.s = { step: 'give', clerkId, sellerId, txn, auth, paid };
    this.screen.set('door-open', `Hand parcel ${txn} to the recipient, then press #. * if it was not handed over.`);
  }

  /** The clerk confirms: handed over, exactly once, with the recipient proof. */
  private handedOver(s: Extract<Step, { step: 'give' }>): void {
    const { store, clock, reporter } = this.ctx;
    const now = clock.now();
    const eventId = uuidv7(now);
    const done = store.tx(() => {
      const p = store.parcels.get(s.sellerId, s.txn);
      if (!p || p.state !== 'stored') return false;
      store.parcels.update(s.sellerId, s.txn, { state: 'handed_over', bio: null, verifier: null }, now);
      store.attempts.clearParcel(s.sellerId, s.txn);
      store.audit.add('parcel.handed_over', now, { sellerId: s.sellerId, txn: s.txn, detail: `counter, ${s.auth.method}, clerk ${s.clerkId}` });
      reporter.event('parcel.handed_over', s.sellerId, s.txn, {
        lockerId: null,
        method: s.auth.method,
        paid: s.paid,
        recipientProof: s.auth.kReceipt ? b64uEncode(recipientProof(s.auth.kReceipt, eventId, s.txn)) : null,
        salt: s.auth.salt ? b64uEncode(s.auth.salt) : null,
      }, eventId);
      return true;
    });
    reporter.queued();
    this.ready(s.clerkId, done ? `Parcel ${s.txn} handed over.` : 'That parcel is no longer here.');
  }

  private ready(clerkId: string, prefix: string): void {
    this.s = { step: 'ready', clerkId, slip: null };
    this.screen.set('courier-scan', `${prefix} Scan a slip to check a parcel in, or a parcel number to hand it over. * signs out.`.trim());
  }

  private touch(): void {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = null;
      if (this.s.step === 'busy') return this.touch();
      if (this.s.step !== 'off') this.signOut();
    }, IDLE_MS);
  }
}
