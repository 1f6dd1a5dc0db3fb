/**
 * What the kiosk shows, as data: an id from a fixed set and the parameters
 * that screen is about. Flows build no sentences; the words live in the
 * message catalogues (`src/ui/messages/`), which render a screen in a
 * language. The ids named in the sim-control contract keep their names.
 */
import type { SlipFailure } from './slip-check.js';

/** A sum of money in minor units of its currency (JPY has none). */
export interface Money {
  amount: number;
  currency: string;
}

export type Size = 'S' | 'M' | 'L';

/** Which step of a recipient's way the screen belongs to (the progress bar). */
export type Step = 'number' | 'code' | 'pay' | 'door';

/** Why a scan, slip, card or tag was not taken. Each has its own words. */
export type RefusedReason =
  | 'slip-not-number' // a recipient scanned a parcel slip instead of the notification barcode
  | 'not-a-number' // a barcode that names no parcel
  | 'not-slip-or-number' // staff scanned something that is neither
  | 'slip-invalid' // a slip refused for `slipReason`
  | 'seller-mismatch' // the number belongs to another seller than the slip
  | 'already-stored' // the parcel is already in `compartment`
  | 'already-done' // the parcel was handed over or returned
  | 'not-expected' // the parcel is not announced for this kiosk
  | 'no-proof-possible' // neither a verifier nor a slip: nobody could collect it
  | 'no-free-compartment' // none of `size` or larger
  | 'tag-unreadable'
  | 'tag-empty'
  | 'card-unreadable'
  | 'scan-slip-first'
  | 'finger-busy'
  | 'compartment-busy' // an operator cannot change a compartment in the middle of a load
  | 'say-what-found' // back in service refused: an interrupted load may be inside; mark it checked instead
  | 'cannot-mark'; // marking a compartment checked refused (not set aside, or what was found does not fit)

/** Why a person is sent to the seller (or the clerk). */
export type ContactReason =
  | 'returning' // the parcel is going back to the seller
  | 'at-counter' // the parcel is kept at the counter: ask the clerk
  | 'seller-refused' // the seller says it cannot be handed over
  | 'cannot-hand-over' // a fault here; staff have been told
  | 'cannot-take-payment' // money is due and this kiosk has no cash acceptor
  | 'not-here'; // the parcel on the slip is not waiting here

/** Why staff or a person see an error screen. */
export type ErrorReason = 'door-fault' | 'cash-fault' | 'device-fault';

/** Who is locked out. */
export type LockedOutWho = 'parcel' | 'card' | 'courier' | 'staff';

/** Who a staff screen is for. */
export type StaffRole = 'courier' | 'clerk' | 'operator';

export type Screen =
  // Recipient
  | { id: 'idle' }
  | { id: 'enter-txn'; digits: string }
  | { id: 'scan-needed'; scanned: boolean }
  | { id: 'not-found' }
  | { id: 'enter-code'; txn: string | null; entered: number; finger?: boolean; via?: 'card' | 'tag' }
  | { id: 'checking' }
  | { id: 'denied'; triesLeft: number | null; reason: 'wrong-code' | 'bad-format' | 'finger'; entered?: number }
  | { id: 'locked-out'; who: LockedOutWho }
  | { id: 'wait'; until: number; entered: number; why: 'parcel' | 'kiosk'; triesLeft?: number }
  | { id: 'try-later' }
  | { id: 'pay'; txn: string; due: Money; paid: Money; wrongCurrency?: string }
  | { id: 'door-open'; compartment: string; size?: Size; already?: boolean }
  | { id: 'door-not-opened'; compartment: string }
  | { id: 'thanks'; compartment: string | null }
  | { id: 'item-inside'; compartment: string; reopen: boolean }
  | { id: 'contact-seller'; reason: ContactReason; due?: Money }
  | { id: 'refused'; reason: RefusedReason; slipReason?: SlipFailure; compartment?: string; size?: Size }
  | { id: 'error'; reason: ErrorReason; compartment?: string }
  | { id: 'out-of-service'; compartments?: string[] }
  // Staff sign-in (courier, clerk, operator)
  | { id: 'staff-id'; digits: string }
  | { id: 'staff-pin'; role: StaffRole | null; entered: number }
  // Courier
  | { id: 'courier-id'; digits: string }
  | { id: 'courier-pin'; entered: number }
  | { id: 'courier-scan'; stored?: string; takeBack?: number }
  | { id: 'courier-number' }
  | { id: 'courier-size'; txn: string }
  | { id: 'courier-door'; compartment: string; size?: Size; action: 'load' | 'take-back'; doorOpen: boolean }
  | { id: 'courier-empty'; compartment: string }
  | { id: 'courier-still-inside'; compartment: string }
  // Clerk at a counter
  | { id: 'counter-scan'; checkedIn?: string }
  | { id: 'counter-number' }
  | { id: 'counter-code'; txn: string; entered: number }
  | { id: 'counter-pay'; txn: string; due: Money }
  | { id: 'counter-hand-over'; txn: string }
  // Operator maintenance
  | { id: 'operator-menu'; compartments: Array<{ id: string; state: 'free' | 'reserved' | 'occupied' | 'check' | 'out-of-service'; doorOpen: boolean | null; item?: boolean }> }
  | { id: 'operator-compartment'; compartment: string }
  | { id: 'operator-reason'; compartment: string; action: OperatorAction }
  | { id: 'operator-done'; compartment: string; action: OperatorAction };

/** What an operator does to a compartment: `checked-empty` / `checked-inside` say what they found in one set aside. */
export type OperatorAction = 'open' | 'out-of-service' | 'in-service' | 'checked-empty' | 'checked-inside';

export type ScreenId = Screen['id'];

/** Every screen id, for the catalogue completeness test and the page. */
export const SCREEN_IDS = [
  'idle', 'enter-txn', 'scan-needed', 'not-found', 'enter-code', 'checking', 'denied', 'locked-out', 'wait',
  'try-later', 'pay', 'door-open', 'door-not-opened', 'thanks', 'contact-seller', 'refused', 'error',
  'out-of-service', 'staff-id', 'staff-pin', 'courier-id', 'courier-pin', 'courier-scan', 'courier-number',
  'courier-size', 'courier-door', 'counter-scan', 'counter-number', 'counter-code', 'counter-pay',
  'counter-hand-over', 'operator-menu', 'operator-compartment', 'operator-reason', 'operator-done',
  'item-inside', 'courier-empty', 'courier-still-inside',
] as const satisfies readonly ScreenId[];

/** The params of a screen, without its id. */
export type ScreenParams<I extends ScreenId> = Omit<Extract<Screen, { id: I }>, 'id'>;

const STEPS: Partial<Record<ScreenId, Step>> = {
  'enter-txn': 'number',
  'scan-needed': 'number',
  'not-found': 'number',
  'enter-code': 'code',
  checking: 'code',
  denied: 'code',
  wait: 'code',
  'locked-out': 'code',
  pay: 'pay',
  'door-open': 'door',
  'door-not-opened': 'door',
  thanks: 'door',
  'item-inside': 'door',
};

/** Which recipient step a screen belongs to, for the progress bar (null: not a recipient step). */
export function stepOf(s: Screen): Step | null {
  return STEPS[s.id] ?? null;
}
