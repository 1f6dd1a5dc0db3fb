import type { Key } from '../../drivers/keypad/contract.js';
import type { TimerHandle } from '../clock.js';
import { checkSlip, type SlipFailure } from '../domain/index.js';
import type { Parcel, Size } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Doors } from './doors.js';
import { dots, typeKey } from './entry.js';
import { verifyCourierPin } from '../config/index.js';
import { kioskWaitNow, undoLoad } from './rules.js';
import { classifyScan } from './scan-text.js';
import type { ScreenState } from './screen.js';

/** Couriers' failed PINs are counted like a parcel's codes, under a seller id no seller can have. */
const COURIER_SCOPE = '#courier';
const IDLE_MS = 120_000;

interface Load {
  sellerId: string;
  txn: string;
  slip: string | null;
}

type Step =
  | { step: 'off' }
  | { step: 'id'; digits: string }
  | { step: 'pin'; courierId: string; entered: string }
  | { step: 'ready'; courierId: string; slip: { text: string; sellerId: string } | null }
  | { step: 'size'; courierId: string; load: Load }
  | { step: 'door'; courierId: string; compartmentId: string }
  | { step: 'busy'; courierId: string | null };

export const SLIP_REASONS: Record<SlipFailure, string> = {
  malformed: 'the slip is damaged or not a pickup slip',
  untrusted: 'the slip is from a seller this kiosk does not trust',
  'bad-signature': 'the slip has been altered',
  'mode-not-allowed': 'this kiosk does not accept slips without a kiosk key',
  'wrong-kiosk': 'the slip is addressed to another pickup point',
  'wrong-code': 'wrong code',
  'txn-mismatch': 'the slip belongs to another parcel',
};

/**
 * A courier loading parcels (and taking back those waiting for return):
 * sign in (courier number + PIN), scan a slip and the parcel's number, the
 * kiosk picks and opens a compartment, the courier puts the parcel in and
 * closes the door.
 */
export class Courier {
  private s: Step = { step: 'off' };
  private timer: TimerHandle | null = null;

  constructor(
    private readonly ctx: FlowContext,
    private readonly screen: ScreenState,
    private readonly doors: Doors,
    /** A clerk signed in at the same keypad: the counter takes over. */
    private readonly onClerk: (clerkId: string) => void = () => undefined,
  ) {}

  get active(): boolean {
    return this.s.step !== 'off';
  }

  signOut(words = 'Signed out.'): void {
    this.s = { step: 'off' };
    this.clearTimer();
    this.screen.idle(words);
  }

  /** Starts sign-in: by keypad (`*` at idle) or by a scanned courier badge. */
  begin(courierId?: string): void {
    if (courierId) {
      this.s = { step: 'pin', courierId, entered: '' };
      this.screen.set('courier-pin', 'Courier: type your PIN and press #. * cancels.');
    } else {
      this.s = { step: 'id', digits: '' };
      this.screen.set('courier-id', 'Courier sign-in: type your courier number and press #. * cancels.');
    }
    this.touch();
  }

  onKey(k: Key): void {
    const s = this.s;
    this.touch();
    switch (s.step) {
      case 'off':
      case 'busy':
        return;
      case 'id':
        if (k === '*') return this.signOut('Cancelled.');
        if (k === '#') return this.begin(s.digits);
        if (s.digits.length < 64) s.digits += k;
        this.screen.set('courier-id', `Courier number: ${s.digits} — press #.`);
        return;
      case 'pin': {
        const step = typeKey(s, k, 16);
        switch (step.kind) {
          case 'submit':
            return void this.signIn(s.courierId, step.value);
          case 'cancel':
            return this.signOut('Cancelled.');
          case 'typed':
            this.screen.set('courier-pin', `Courier: type your PIN and press #. * clears. ${dots(step.length)}`);
        }
        return;
      }
      case 'ready':
        if (k === '*') return this.signOut();
        return;
      case 'size': {
        if (k === '*') return this.ready(s.courierId, 'Load cancelled.');
        const size: Size | null = k === '1' ? 'S' : k === '2' ? 'M' : k === '3' ? 'L' : null;
        if (size) return void this.allocate(s.courierId, s.load, size);
        return;
      }
      case 'door':
        return;
    }
  }

  onScan(text: string): void {
    const s = this.s;
    this.touch();
    if (s.step !== 'ready') {
      if (s.step === 'pin' || s.step === 'id') this.screen.set(s.step === 'pin' ? 'courier-pin' : 'courier-id', 'Sign in first: type your courier number and PIN.');
      return;
    }
    const what = classifyScan(text);
    switch (what.kind) {
      case 'slip':
        return void this.scanSlip(s.courierId, text);
      case 'parcel': {
        // `{seller}/{txn}` that names another seller than the slip may be a bare txn holding a `/`.
        const asBare = what.bare !== null && s.slip !== null && what.sellerId !== s.slip.sellerId;
        return asBare ? this.scanNumber(s.courierId, s.slip, null, what.bare as string) : this.scanNumber(s.courierId, s.slip, what.sellerId, what.txn);
      }
      case 'courier':
      case 'junk':
        this.screen.set('refused', 'That barcode is neither a parcel slip nor a parcel number. Scan the slip, then the number.');
        return;
    }
  }

  private async signIn(courierId: string, pin: string): Promise<void> {
    const { store, clock, config } = this.ctx;
    const wait = kioskWaitNow(this.ctx);
    if (wait > 0) {
      this.s = { step: 'pin', courierId, entered: '' };
      this.screen.set('wait', `Too many wrong entries at this kiosk. Please wait ${Math.ceil(wait / 1000)} s.`);
      return;
    }
    if (store.attempts.parcelFailures(COURIER_SCOPE, courierId) >= config.attempts.perParcel) {
      this.signOut();
      this.screen.set('locked-out', 'This courier account is locked after too many wrong PINs. Contact the operator.');
      return;
    }
    this.s = { step: 'busy', courierId: null };
    this.screen.set('checking', 'Checking…');
    const courier = config.couriers.find((c) => c.id === courierId);
    const clerk = courier ? undefined : config.clerks.find((c) => c.id === courierId);
    const staff = courier ?? clerk;
    const ok = staff ? await verifyCourierPin(pin, staff.pin) : false;
    if (!ok) {
      const at = clock.now();
      store.tx(() => {
        store.attempts.recordFailure(COURIER_SCOPE, courierId, at);
        store.audit.add('courier.wrong-pin', at, { detail: courierId });
      });
      this.s = { step: 'pin', courierId, entered: '' };
      this.screen.set('denied', 'Wrong courier number or PIN. Type your PIN and press #, or * to cancel.');
      return;
    }
    store.tx(() => {
      store.attempts.clearParcel(COURIER_SCOPE, courierId);
      store.audit.add(clerk ? 'clerk.signed-in' : 'courier.signed-in', clock.now(), { detail: courierId });
    });
    if (clerk) {
      this.s = { step: 'off' };
      this.clearTimer();
      this.onClerk(courierId);
      return;
    }
    this.ready(courierId, `Signed in as ${courierId}.`);
  }

  private ready(courierId: string, prefix: string): void {
    this.s = { step: 'ready', courierId, slip: null };
    this.screen.set('courier-scan', `${prefix} Scan a parcel's slip (or its number to take it back). * signs out.`.trim());
  }

  private async scanSlip(courierId: string, text: string): Promise<void> {
    this.s = { step: 'busy', courierId };
    const r = await checkSlip(text, {
      trust: this.ctx.trust,
      allowMode0: this.ctx.config.policy.allowMode0,
      kioskX25519: this.ctx.kioskX25519,
      now: this.ctx.clock.now(),
    });
    if (!r.ok) {
      this.ready(courierId, '');
      this.screen.set('refused', `Slip refused: ${SLIP_REASONS[r.reason]}. Set the parcel aside for the seller. Scan the next slip, or * to sign out.`);
      return;
    }
    this.s = { step: 'ready', courierId, slip: { text, sellerId: r.slip.sellerId } };
    this.screen.set('courier-number', 'Slip accepted. Now scan the parcel number (the barcode under the slip).');
  }

  private scanNumber(courierId: string, slip: { text: string; sellerId: string } | null, sellerId: string | null, txn: string): void {
    const { store } = this.ctx;
    if (slip && sellerId !== null && sellerId !== slip.sellerId) {
      this.screen.set('refused', 'That number belongs to another seller than the slip. Scan the number of the same parcel.');
      return;
    }
    const seller = slip?.sellerId ?? sellerId;
    const known = store.parcels.byTxn(txn).filter((p) => seller === null || p.sellerId === seller);
    // A parcel waiting here for return: the courier takes it back.
    const back = known.find((p) => p.state === 'stored' && (p.withdrawn || p.uncollectedAt !== null));
    if (back && !slip) return void this.takeBack(courierId, back);
    const inside = known.find((p) => p.state === 'loading' || p.state === 'stored' || p.state === 'unlocking');
    if (inside) {
      this.screen.set('refused', `Parcel ${txn} is already in compartment ${inside.compartmentId ?? '?'}. Scan another parcel.`);
      return;
    }
    if (known.some((p) => p.state === 'handed_over' || p.state === 'returned')) {
      this.screen.set('refused', `Parcel ${txn} was already handed over or returned. Set it aside for the seller.`);
      return;
    }
    const expected = known.filter((p) => p.state === 'expected');
    if (!slip && expected.length !== 1) {
      this.screen.set('refused', expected.length > 1
        ? 'Several sellers expect that number here. Scan the parcel slip first.'
        : 'This kiosk expects no parcel with that number. Scan the parcel slip first.');
      return;
    }
    const manifest = expected[0] ?? null;
    const load: Load = { sellerId: (seller ?? manifest?.sellerId), txn, slip: slip?.text ?? null };
    if (!load.slip && !manifest?.verifier && this.ctx.config.policy.verification === 'offline') {
      this.screen.set('refused', 'This parcel has no slip and no code check from its seller: it cannot be handed over here.');
      return;
    }
    if (manifest?.size) return void this.allocate(courierId, load, manifest.size);
    this.s = { step: 'size', courierId, load };
    this.screen.set('courier-size', `Parcel ${txn}: choose a compartment size: 1 small, 2 medium, 3 large. * cancels.`);
  }

  private async allocate(courierId: string, load: Load, size: Size): Promise<void> {
    const { store, clock, reporter } = this.ctx;
    const now = clock.now();
    const c = store.compartments.findFree(size);
    if (!c) {
      store.tx(() => reporter.alarm('storage-full', null, `no free compartment of size ${size} or larger`));
      reporter.queued();
      this.ready(courierId, '');
      this.screen.set('refused', `No free compartment of size ${size} or larger. Take the parcel with you. Scan the next slip, or * to sign out.`);
      return;
    }
    store.tx(() => {
      const existing = store.parcels.get(load.sellerId, load.txn);
      if (existing) store.parcels.update(load.sellerId, load.txn, { state: 'loading', compartmentId: c.id, slip: load.slip ?? existing.slip }, now);
      else store.parcels.insert({ sellerId: load.sellerId, txn: load.txn, state: 'loading', compartmentId: c.id, slip: load.slip, size }, now);
      store.compartments.setState(c.id, 'reserved', `loading ${load.txn}`, now);
      store.audit.add('load.started', now, { sellerId: load.sellerId, txn: load.txn, compartmentId: c.id, detail: courierId });
    });
    await this.openFor('load', courierId, c.id, load.sellerId, load.txn, `Put parcel ${load.txn} in compartment ${c.id} and close the door.`);
  }

  private async takeBack(courierId: string, p: Parcel): Promise<void> {
    if (!p.compartmentId) return;
    this.ctx.store.audit.add('return.started', this.ctx.clock.now(), { sellerId: p.sellerId, txn: p.txn, compartmentId: p.compartmentId, detail: courierId });
    await this.openFor('return', courierId, p.compartmentId, p.sellerId, p.txn, `Take parcel ${p.txn} from compartment ${p.compartmentId} and close the door.`);
  }

  private async openFor(purpose: 'load' | 'return', courierId: string, compartmentId: string, sellerId: string, txn: string, words: string): Promise<void> {
    const { store, clock, reporter } = this.ctx;
    this.s = { step: 'busy', courierId };
    try {
      await this.doors.unlockForCourier(purpose, compartmentId, sellerId, txn);
    } catch (e) {
      const now = clock.now();
      store.tx(() => {
        if (purpose === 'load') {
          const p = store.parcels.get(sellerId, txn);
          if (p) undoLoad(store, p, now);
        }
        store.compartments.setState(compartmentId, 'check', 'unlock not confirmed', now);
        reporter.alarm('unlock-failed', compartmentId, `compartment ${compartmentId}: ${(e as Error).message}`);
      });
      reporter.queued();
      this.ready(courierId, '');
      this.screen.set('error', `Compartment ${compartmentId} did not open. Staff have been told. Scan the parcel again to use another one.`);
      return;
    }
    this.s = { step: 'door', courierId, compartmentId };
    this.screen.set('courier-door', words);
  }

  /** Door news for the compartment this courier is using. */
  doorDone(kind: 'stored' | 'returned' | 'load-cancelled' | 'load-reminder', compartmentId: string, txn: string | null): void {
    const s = this.s;
    if (s.step !== 'door' || s.compartmentId !== compartmentId) return;
    switch (kind) {
      case 'stored':
        return this.ready(s.courierId, `Parcel ${txn ?? ''} stored in ${compartmentId}.`);
      case 'returned':
        return this.ready(s.courierId, `Parcel ${txn ?? ''} taken back from ${compartmentId}.`);
      case 'load-cancelled':
        return this.ready(s.courierId, `The door of ${compartmentId} was not closed in time: that load is cancelled and the compartment is set aside for checking.`);
      case 'load-reminder':
        this.screen.set('courier-door', `Please close the door of compartment ${compartmentId}.`);
        return;
    }
  }

  private touch(): void {
    this.clearTimer();
    if (this.s.step === 'off') return;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = null;
      if (this.s.step === 'door' || this.s.step === 'busy') return this.touch();
      this.signOut('Signed out after a while without input.');
    }, IDLE_MS);
  }

  private clearTimer(): void {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

