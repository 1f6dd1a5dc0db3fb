import type { Key } from '../../drivers/keypad/contract.js';
import type { TimerHandle } from '../clock.js';
import { txnDigits } from '../domain/index.js';
import type { Parcel } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Doors } from './doors.js';
import { dots, typeKey } from './entry.js';
import { watchFinger } from './finger.js';
import { classifyScan } from './scan-text.js';
import type { ScreenState } from './screen.js';
import type { Payment } from './payment.js';
import { kioskWaitNow, recordWrongCode } from './rules.js';
import { checkCode, type CheckOutcome } from './verify.js';


type Step =
  | { step: 'idle' }
  | { step: 'txn'; digits: string }
  | { step: 'code'; sellerId: string; txn: string; entered: string }
  | { step: 'busy' };

const MAX_CODE = 16;
const INPUT_TIMEOUT_MS = 60_000;

/**
 * The recipient at the keypad: name the parcel (scan or typed digits + #),
 * type the code + # (* clears), the door opens. The typed code lives only in
 * this object's memory until it is checked, and is dropped right after.
 */
export class Pickup {
  private s: Step = { step: 'idle' };
  private timer: TimerHandle | null = null;
  private stopFinger: () => void = () => undefined;

  constructor(
    private readonly ctx: FlowContext,
    private readonly screen: ScreenState,
    private readonly doors: Doors,
    private readonly payment: Payment,
  ) {}

  get busy(): boolean {
    return this.s.step === 'busy';
  }

  get active(): boolean {
    return this.s.step !== 'idle';
  }

  reset(): void {
    this.s = { step: 'idle' };
    this.clearTimer();
    this.stopFinger();
  }

  /** A key press. Returns 'courier' when `*` at the idle screen asks for courier sign-in. */
  onKey(k: Key): 'courier' | void {
    const s = this.s;
    switch (s.step) {
      case 'busy':
        return;
      case 'idle':
        if (k === '*') return 'courier';
        if (k === '#') return;
        this.s = { step: 'txn', digits: k };
        this.showTxn();
        break;
      case 'txn':
        if (k === '#') return void this.lookupDigits(s.digits);
        if (k === '*') {
          this.reset();
          this.screen.idle();
          return;
        }
        if (s.digits.length < 64) s.digits += k;
        this.showTxn();
        break;
      case 'code': {
        const step = typeKey(s, k, MAX_CODE);
        switch (step.kind) {
          case 'submit':
            return void this.submit(s.sellerId, s.txn, step.value);
          case 'cancel':
            this.reset();
            this.screen.idle();
            return;
          case 'typed':
            this.showCode(s.txn, step.length);
        }
        break;
      }
    }
    this.touch();
  }

  /** A scanner read while no courier is signed in. Returns 'courier' for a courier badge. */
  onScan(text: string): 'courier' | { courierId: string } | void {
    if (this.s.step === 'busy') return;
    const what = classifyScan(text);
    switch (what.kind) {
      case 'courier':
        this.reset();
        return { courierId: what.courierId };
      case 'slip':
        this.reset();
        this.screen.set('refused', 'That is a parcel slip. Scan the barcode from your notification instead, or type your parcel number and press #.');
        return;
      case 'junk':
        this.screen.set('refused', 'That barcode is not a parcel number. Scan the barcode from your notification, or type your parcel number and press #.');
        return;
      case 'parcel': {
        // A scan in the middle of code entry starts over with the scanned parcel; the typed digits are dropped.
        const waiting = (txn: string, sellerId: string | null): Parcel[] =>
          this.ctx.store.parcels
            .byTxn(txn)
            .filter((p) => sellerId === null || p.sellerId === sellerId)
            .filter((p) => p.state === 'stored' || p.state === 'unlocking');
        let found = waiting(what.txn, what.sellerId);
        if (found.length === 0 && what.bare !== null) found = waiting(what.bare, null);
        this.identify(found, true);
      }
    }
  }

  private lookupDigits(digits: string): void {
    const found = this.ctx.store.parcels
      .inState('stored')
      .concat(this.ctx.store.parcels.inState('unlocking'))
      .filter((p) => txnDigits(p.txn) === digits);
    this.identify(found, false);
  }

  private identify(found: Parcel[], scanned: boolean): void {
    this.reset();
    if (found.length === 0) {
      this.screen.set('not-found', 'No parcel with that number is waiting here. Check the number and try again, or contact the seller.');
      return;
    }
    if (found.length > 1) {
      this.screen.set('scan-needed', scanned
        ? 'More than one parcel has that number. Scan the barcode that also names the seller.'
        : 'More than one parcel matches that number. Please scan the barcode from your notification.');
      return;
    }
    const p = found[0];
    if (p.state === 'unlocking') {
      this.screen.set('door-open', `The door of compartment ${p.compartmentId ?? '?'} is already open.`);
      return;
    }
    if (p.withdrawn || p.uncollectedAt !== null) {
      this.screen.set('contact-seller', 'This parcel is waiting to go back to the seller. Please contact them.');
      return;
    }
    if (p.compartmentId === null) {
      this.screen.set('contact-seller', 'This parcel is kept at the counter: please ask the clerk.');
      return;
    }
    const failures = this.ctx.store.attempts.parcelFailures(p.sellerId, p.txn);
    if (failures >= this.ctx.config.attempts.perParcel && (this.ctx.config.policy.verification === 'offline' || !this.ctx.online)) {
      this.screen.set('locked-out', 'Too many wrong codes for this parcel. Please contact the seller.');
      return;
    }
    this.s = { step: 'code', sellerId: p.sellerId, txn: p.txn, entered: '' };
    this.showCode(p.txn, 0);
    this.touch();
    this.offerFinger(p);
  }

  /** A parcel with a reference template: a finger on the pad works instead of the code (one try per naming). */
  private offerFinger(p: Parcel): void {
    const pad = this.ctx.fingerprint;
    if (!pad || !p.bio || p.state !== 'stored') return;
    this.screen.set('enter-code', `Parcel ${p.txn}. Place your finger on the pad, or type your code and press #.`);
    this.stopFinger = watchFinger(pad, p, this.ctx.log, (match) => {
      const s = this.s;
      if (s.step !== 'code' || s.txn !== p.txn || s.sellerId !== p.sellerId) return;
      const fresh = this.ctx.store.parcels.get(p.sellerId, p.txn);
      if (!fresh || fresh.state !== 'stored') return;
      this.s = { step: 'busy' };
      this.clearTimer();
      const done = this.outcome(fresh, match ? { kind: 'ok', method: 'biometric', salt: null, kReceipt: null } : { kind: 'wrong', attemptsLeft: null });
      void done.then(() => {
        if (!match && this.screen.get().id === 'denied') {
          this.screen.set('denied', `Finger not recognised. ${this.screen.get().text.replace(/^Wrong code\. /, '')} Or name the parcel again to retry your finger.`);
        }
      });
    });
  }

  private async submit(sellerId: string, txn: string, code: string): Promise<void> {
    const { store } = this.ctx;
    const wait = kioskWaitNow(this.ctx);
    if (wait > 0) {
      this.s = { step: 'code', sellerId, txn, entered: '' };
      this.screen.set('wait', `Too many wrong codes at this kiosk. Please wait ${Math.ceil(wait / 1000)} s before trying again.`);
      return;
    }
    const p = store.parcels.get(sellerId, txn);
    if (!p || p.state !== 'stored') {
      this.reset();
      this.screen.idle('That parcel is no longer waiting here.');
      return;
    }
    this.s = { step: 'busy' };
    this.clearTimer();
    this.screen.set('checking', 'Checking your code…');
    let out: CheckOutcome;
    try {
      out = await checkCode(this.ctx, p, code);
    } catch (e) {
      this.ctx.log.error({ err: (e as Error).message, txn }, 'code check failed');
      out = { kind: 'unavailable', why: 'the check failed' };
    }
    await this.outcome(p, out);
  }

  private async outcome(p: Parcel, out: CheckOutcome): Promise<void> {
    const { store, clock, config } = this.ctx;
    const again = (): void => {
      this.s = { step: 'code', sellerId: p.sellerId, txn: p.txn, entered: '' };
      this.touch();
    };
    switch (out.kind) {
      case 'ok':
        this.reset();
        await this.payment.settle(p, out, out.due ?? null);
        return;
      case 'bad-code':
        again();
        this.screen.set('denied', 'A code has 6 to 16 digits. Type it again and press #.');
        return;
      case 'wrong': {
        const failures = recordWrongCode(this.ctx, p);
        const left = out.attemptsLeft ?? Math.max(0, config.attempts.perParcel - failures);
        if (left === 0 && (config.policy.verification === 'offline' || !this.ctx.online)) {
          this.reset();
          this.screen.set('locked-out', 'Too many wrong codes for this parcel. Please contact the seller.');
          return;
        }
        again();
        this.screen.set('denied', `Wrong code. ${left} ${left === 1 ? 'try' : 'tries'} left. Type your code and press #.`);
        return;
      }
      case 'locked-out':
      case 'seller-locked':
        this.reset();
        this.screen.set('locked-out', 'Too many wrong codes for this parcel. Please contact the seller.');
        return;
      case 'seller-unknown':
      case 'seller-cancelled':
        this.reset();
        this.screen.set('contact-seller', 'The seller says this parcel cannot be handed over. Please contact them.');
        return;
      case 'moved': {
        const now = clock.now();
        store.audit.add('slip.moved', now, { sellerId: p.sellerId, txn: p.txn, compartmentId: p.compartmentId, detail: 'right code, slip of another parcel' });
        this.ctx.log.warn({ txn: p.txn, compartment: p.compartmentId }, 'slip belongs to another parcel: refused, staff to check');
        this.reset();
        this.screen.set('contact-seller', 'This parcel cannot be handed over here. Staff have been told. Please contact the seller.');
        return;
      }
      case 'unavailable':
        this.reset();
        this.screen.set('contact-seller', `Your code cannot be checked: ${out.why}. Please try later or contact the seller.`);
        return;
    }
  }

  private showTxn(): void {
    if (this.s.step !== 'txn') return;
    this.screen.set('enter-txn', `Parcel number: ${this.s.digits}  — press # when done, * to start over.`);
  }

  private showCode(txn: string, n: number): void {
    this.screen.set('enter-code', `Parcel ${txn}. Type your code and press #. * clears. ${dots(n)}`);
  }

  private touch(): void {
    this.clearTimer();
    if (this.s.step === 'idle') return;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = null;
      if (this.s.step === 'busy') return;
      this.reset();
      this.screen.idle();
    }, INPUT_TIMEOUT_MS);
  }

  private clearTimer(): void {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
