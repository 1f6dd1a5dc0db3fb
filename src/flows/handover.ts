import type { Screen } from '../domain/screens.js';
import type { Parcel } from '../store/index.js';
import type { Auth, Paid, Refused } from './custody.js';
import type { Doors } from './doors.js';
import type { CheckOutcome } from './verify.js';

/** The screen for a handover custody refused. */
export function refusedScreen(r: Refused | { ok: false; refused: 'unlock-failed'; compartmentId: string }): Screen {
  switch (r.refused) {
    case 'hold-passed':
    case 'withdrawn':
      return { id: 'contact-seller', reason: 'returning' };
    case 'unlock-failed':
      return { id: 'error', reason: 'door-fault', compartment: r.compartmentId };
    case 'compartment':
      return r.state === 'out-of-service' ? { id: 'out-of-service' } : { id: 'contact-seller', reason: 'cannot-hand-over' };
    case 'wrong-state':
      return r.state === 'uncollected' || r.state === 'withdrawn' ? { id: 'contact-seller', reason: 'returning' } : { id: 'not-found' };
    case 'nothing-to-do':
    case 'unknown-parcel':
      return { id: 'not-found' };
  }
}

/** Opens the parcel's door for its recipient; the screen to show, and the compartment when it opened. */
export async function openFor(doors: Doors, p: Parcel, auth: Auth, paid: Paid): Promise<{ screen: Screen; opened: string | null }> {
  const r = await doors.unlockForPickup(p, auth, paid);
  if (!r.ok) return { screen: refusedScreen(r), opened: null };
  return { screen: { id: 'door-open', compartment: r.compartmentId, ...(p.size ? { size: p.size } : {}) }, opened: r.compartmentId };
}

/** Screens for check outcomes that end the attempt (anything but ok, wrong and bad-code). */
export function finalScreen(out: Exclude<CheckOutcome, { kind: 'ok' } | { kind: 'wrong' } | { kind: 'bad-code' }>): Screen {
  switch (out.kind) {
    case 'locked-out':
    case 'seller-locked':
      return { id: 'locked-out', who: 'parcel' };
    case 'seller-unknown':
    case 'seller-cancelled':
      return { id: 'contact-seller', reason: 'seller-refused' };
    case 'moved':
      return { id: 'contact-seller', reason: 'cannot-hand-over' };
    case 'unavailable':
      return out.why === 'seller-silent' ? { id: 'try-later' } : { id: 'contact-seller', reason: 'cannot-hand-over' };
  }
}
