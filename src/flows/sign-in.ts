import type { Key } from '../../drivers/keypad/contract.js';
import { verifyCourierPin, type CourierPinHash } from '../config/index.js';
import type { FlowContext } from './context.js';
import type { Conversation, Session, StartRequest } from './conversation.js';
import { typeKey } from './entry.js';
import { waitBeforeTry } from './rules.js';
import type { StaffRole } from './scan-text.js';

/** Staff's failed PINs are counted like a parcel's codes, under a seller id no seller can have. */
export const STAFF_SCOPE = '#courier';
const MAX_ID = 64;

type Step =
  | { step: 'id'; digits: string }
  | { step: 'pin'; id: string; role: StaffRole | null; entered: string }
  | { step: 'busy' }
  | { step: 'locked' }; // locked out: `*` leaves

/**
 * Staff signing in: from idle `*` `*`, the staff number and `#`, the PIN and
 * `#`; or a scanned badge (`courier:{id}`, `clerk:{id}`, `operator:{id}`) and
 * the PIN and `#`. Signed in, the kiosk is handed to that person's own
 * conversation. `*` on an empty entry goes back to idle.
 */
export class SignInConversation implements Conversation {
  readonly kind = 'sign-in';
  private s: Step;

  constructor(
    private readonly ctx: FlowContext,
    private readonly session: Session,
    badge: { role: StaffRole; id: string } | null,
  ) {
    this.s = badge ? { step: 'pin', id: badge.id, role: badge.role, entered: '' } : { step: 'id', digits: '' };
    this.showStep();
  }

  get timeoutMs(): number {
    return this.ctx.config.screen.returnToIdleMs;
  }

  ended(): void {
    this.s = { step: 'id', digits: '' };
  }

  private showStep(): void {
    const s = this.s;
    if (s.step === 'id') this.session.show({ id: 'courier-id', digits: s.digits });
    else if (s.step === 'pin') this.showPin(s.role, s.entered.length);
  }

  private showPin(role: StaffRole | null, entered: number): void {
    // Keypad sign-in and courier badges keep the stable courier ids; other badges say whose PIN is asked.
    if (role === null || role === 'courier') this.session.show({ id: 'courier-pin', entered });
    else this.session.show({ id: 'staff-pin', role, entered });
  }

  key(k: Key): void {
    const s = this.s;
    switch (s.step) {
      case 'busy':
        return;
      case 'locked':
        if (k === '*') this.session.end();
        return;
      case 'id':
        if (k === '*') {
          if (s.digits === '') return this.session.end();
          s.digits = '';
        } else if (k === '#') {
          if (s.digits === '') return;
          this.s = { step: 'pin', id: s.digits, role: null, entered: '' };
        } else if (s.digits.length < MAX_ID) {
          s.digits += k;
        }
        return this.showStep();
      case 'pin': {
        const step = typeKey(s, k, 16);
        switch (step.kind) {
          case 'submit':
            return void this.check(s.id, s.role, step.value);
          case 'cancel':
            return this.session.end();
          case 'typed':
            return this.showPin(s.role, step.length);
        }
      }
    }
  }

  scan(): void {
    // Sign in first: a scan means nothing here.
  }

  private find(id: string, role: StaffRole | null): { role: StaffRole; pin: CourierPinHash } | null {
    const { couriers, clerks, operators } = this.ctx.config;
    const lists: Array<[StaffRole, typeof couriers]> = [['courier', couriers], ['clerk', clerks], ['operator', operators]];
    for (const [r, list] of lists) {
      if (role !== null && role !== r) continue;
      const found = list.find((c) => c.id === id);
      if (found) return { role: r, pin: found.pin };
    }
    return null;
  }

  private async check(id: string, role: StaffRole | null, pin: string): Promise<void> {
    const { store, clock, config } = this.ctx;
    const again = (): void => {
      this.s = { step: 'pin', id, role, entered: '' };
    };
    const wait = waitBeforeTry(this.ctx, null);
    if (wait) {
      again();
      return this.session.show({ id: 'wait', until: wait.until, entered: 0, why: wait.why });
    }
    if (store.attempts.parcelFailures(STAFF_SCOPE, id) >= config.attempts.perParcel) {
      this.s = { step: 'locked' };
      return this.session.show({ id: 'locked-out', who: role === null || role === 'courier' ? 'courier' : 'staff' });
    }
    this.s = { step: 'busy' };
    this.session.show({ id: 'checking' });
    const staff = this.find(id, role);
    const ok = staff ? await verifyCourierPin(pin, staff.pin) : false;
    if (!this.session.alive) return;
    const at = clock.now();
    if (!staff || !ok) {
      store.tx(() => {
        store.attempts.recordFailure(STAFF_SCOPE, id, at);
        store.audit.add('courier.wrong-pin', at, { detail: id });
      });
      again();
      return this.session.show({ id: 'denied', triesLeft: null, reason: 'wrong-code' });
    }
    store.tx(() => {
      store.attempts.clearParcel(STAFF_SCOPE, id);
      store.audit.add(`${staff.role}.signed-in`, at, { detail: id });
    });
    const next: StartRequest = { kind: staff.role, id };
    this.session.handOff(next);
  }
}
