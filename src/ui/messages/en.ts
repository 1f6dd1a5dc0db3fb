/**
 * English words for every screen (ICU MessageFormat). `title` is the short
 * heading, `text` the one instruction. Select keys: yes/no for flags, take_back for take-back (ICU keys have no "-"), none
 * for an absent value (see args.ts). Inside a plural branch `#` is the number,
 * so the # key is only ever named outside one.
 */
import type { ScreenId } from '../../domain/screens.js';

export interface Words {
  title: string;
  text: string;
}

const SIZE = '{size, select, S {small} M {medium} L {large} other {{size}}}';

export const en: Record<ScreenId, Words> = {
  idle: { title: 'Collect your parcel', text: 'Scan the barcode from your notification, or type your parcel number and press #.' },
  'enter-txn': { title: 'Your parcel number', text: 'Type your parcel number, then press #. Press * to go back.' },
  'scan-needed': {
    title: 'Please scan the barcode',
    text: '{scanned, select, yes {More than one parcel has that number. Scan the barcode that also names the seller.} other {More than one parcel has that number. Please scan the barcode from your notification.}}',
  },
  'not-found': { title: 'Parcel not found', text: 'No parcel with that number is waiting here. Check the number and try again, or contact the seller.' },
  'enter-code': {
    title: 'Your code',
    text: '{via, select, card {Card read. } tag {Tag read. } other {}}{txn, select, none {{finger, select, yes {Place your finger on the pad, or type your code and press #.} other {Type your code and press #.}}} other {Parcel {txn}: {finger, select, yes {place your finger on the pad, or type your code and press #.} other {type your code and press #.}}}} Press * to go back.',
  },
  checking: { title: 'Checking', text: 'Checking your code…' },
  denied: {
    title: 'Not accepted',
    text: '{reason, select, finger {Finger not recognised.} bad_format {A code has 6 to 16 digits.} other {Wrong code.}} {limited, select, yes {{tries, plural, =0 {No tries left.} one {One try left.} other {{tries} tries left.}}} other {}} Type your code again and press #.',
  },
  'locked-out': {
    title: 'Locked',
    text: '{who, select, card {This card is blocked after too many wrong codes. Please contact the seller.} courier {This courier account is locked after too many wrong PINs. Please contact the operator.} staff {This staff account is locked after too many wrong PINs. Please contact the operator.} other {Too many wrong codes for this parcel. Please contact the seller.}}',
  },
  wait: {
    title: 'Please wait',
    text: '{why, select, kiosk {Too many wrong entries at this kiosk.} other {Too many wrong codes.}} Please wait {seconds} s (until {time}) before trying again.{hasTries, select, yes { {triesLeft, plural, one {One try left after that.} other {{triesLeft} tries left after that.}}} other {}}',
  },
  'try-later': { title: 'Please try later', text: 'The kiosk cannot check codes right now. Please try again later.' },
  pay: {
    title: 'Payment',
    text: '{wrongCurrency, select, none {} other {That was {wrongCurrency}; this parcel is paid in {currency}. }}Please insert {left}{paidAny, select, yes { more ({paid} paid)} other {}}. No change is given. Press * to stop.',
  },
  'door-open': {
    title: 'Door open',
    text: '{already, select, yes {The door of compartment {compartment} is already open.} other {Compartment {compartment} is open. Take your parcel and close the door.}}',
  },
  'door-not-opened': {
    title: 'Door not opened',
    text: 'Compartment {compartment} was not opened, so it is locked again. Type your parcel number and code again to retry.',
  },
  'item-inside': {
    title: 'Parcel still inside',
    text: '{reopen, select, yes {Your parcel is still in compartment {compartment}: nothing was handed over. Press # to open the door again and take it out.} other {Your parcel is still in compartment {compartment}: nothing was handed over. Type your parcel number and code again to open the door.}}',
  },
  thanks: { title: 'Thank you', text: '{compartment, select, none {Thank you!} other {Thank you! Compartment {compartment} is closed.}}' },
  'contact-seller': {
    title: 'Please contact the seller',
    text: '{reason, select, returning {This parcel is waiting to go back to the seller. Please contact them.} at_counter {This parcel is kept at the counter: please ask the clerk.} seller_refused {The seller says this parcel cannot be handed over. Please contact them.} cannot_take_payment {This parcel has {due} to pay, which this kiosk cannot take. Please contact the seller.} not_here {The parcel on this slip is not waiting here. Please contact the seller.} other {This parcel cannot be handed over right now. Staff have been told. Please contact the seller.}}',
  },
  refused: {
    title: 'Not accepted',
    text:
      '{reason, select, ' +
      'slip_not_number {That is a parcel slip. Scan the barcode from your notification instead, or type your parcel number and press #.} ' +
      'not_a_number {That barcode is not a parcel number. Scan the barcode from your notification, or type your parcel number and press #.} ' +
      'not_slip_or_number {That barcode is neither a parcel slip nor a parcel number. Scan the slip, then the number.} ' +
      'slip_invalid {Slip refused: {slipReason, select, malformed {it cannot be read} untrusted {its seller is not known here} bad_signature {its signature is wrong} mode_not_allowed {this kind of slip is not accepted here} wrong_kiosk {it is for another kiosk} wrong_code {the code does not match} txn_mismatch {it belongs to another parcel} other {it cannot be used}}. Set the parcel aside for the seller.} ' +
      'seller_mismatch {That number belongs to another seller than the slip. Scan the number of the same parcel.} ' +
      'already_stored {This parcel is already in compartment {compartment}. Scan another parcel.} ' +
      'compartment_busy {Compartment {compartment} is in use or its door is open: it cannot be changed now.} ' +
      'say_what_found {Compartment {compartment} may hold a parcel from an interrupted load. Look inside, then press 4 if it is empty or 5 if the parcel is inside.} ' +
      'cannot_mark {Compartment {compartment} cannot be marked so: it is not set aside for checking, or what was found does not fit what the kiosk knows of it. Nothing was changed.} ' +
      'already_done {This parcel was already handed over or returned. Set it aside for the seller.} ' +
      'not_expected {This parcel is not expected at this kiosk. Set it aside for the seller.} ' +
      'no_proof_possible {This parcel has no slip and no code check from its seller: it cannot be handed over here.} ' +
      `no_free_compartment {No free ${SIZE} compartment or larger. Take the parcel with you.} ` +
      'tag_unreadable {That tag could not be read. Hold it still on the reader, or use your parcel number.} ' +
      'tag_empty {That tag holds no parcel slip. Use the barcode from your notification instead.} ' +
      'card_unreadable {The card could not be read. Take it out and try again, or use your parcel number.} ' +
      'scan_slip_first {Scan the parcel slip first, then its number.} ' +
      'other {The fingerprint pad is busy. Please try again in a moment.}}',
  },
  error: {
    title: 'Something went wrong',
    text: '{reason, select, door_fault {{compartment, select, none {The door did not open.} other {Compartment {compartment} did not open.}} Staff have been told. Please try again or contact the seller.} cash_fault {The cash acceptor is not working. Staff have been told. Please contact the seller.} other {A device of this kiosk is not working. Staff have been told.}}',
  },
  'out-of-service': {
    title: 'Out of service',
    text: '{compartments, select, none {This kiosk is out of service. Please come back later.} other {Compartments {compartments} are out of service.}}',
  },
  'staff-id': { title: 'Staff sign-in', text: 'Type your staff number and press #. Press * to cancel.' },
  'staff-pin': {
    title: 'Staff sign-in',
    text: '{role, select, courier {Courier} clerk {Clerk} operator {Operator} other {Staff}}: type your PIN and press #. Press * to cancel.',
  },
  'courier-id': { title: 'Courier sign-in', text: 'Type your courier number and press #. Press * to cancel.' },
  'courier-pin': { title: 'Courier sign-in', text: 'Type your PIN and press #. Press * to cancel.' },
  'courier-scan': {
    title: 'Courier',
    text: '{stored, select, none {} other {Parcel stored in compartment {stored}. }}{takeBack, select, none {} other {{takeBack, plural, one {One parcel} other {{takeBack} parcels}} to take back. }}Scan a parcel’s slip to load it, or its number to take it back. Press * to sign out.',
  },
  'courier-number': { title: 'Courier', text: 'Slip accepted. Now scan the parcel number (the barcode under the slip).' },
  'courier-size': { title: 'Choose a size', text: 'Parcel {txn}: choose a compartment size: 1 small, 2 medium, 3 large. Press * to cancel.' },
  'courier-door': {
    title: '{action, select, take_back {Take back} other {Load}}',
    text: '{action, select, take_back {{doorOpen, select, yes {Take the parcel out of compartment {compartment}, then close the door.} other {Compartment {compartment} is unlocked: open it and take the parcel out.}}} other {{doorOpen, select, yes {Put the parcel in compartment {compartment}, then close the door.} other {Compartment {compartment} is unlocked: open it and put the parcel in.}}}}',
  },
  'courier-empty': {
    title: 'Nothing stored',
    text: 'Compartment {compartment} was closed empty, so nothing was stored. Scan the parcel’s slip or number to load it again. Press * to sign out.',
  },
  'courier-still-inside': {
    title: 'Not taken back',
    text: 'The parcel is still in compartment {compartment}, so nothing was taken back. Scan its number again to open the door. Press * to sign out.',
  },
  'counter-scan': {
    title: 'Counter',
    text: '{checkedIn, select, none {} other {Parcel {checkedIn} checked in. }}Scan a slip to check a parcel in, or a parcel number to hand it over. Press * to sign out.',
  },
  'counter-number': { title: 'Counter', text: 'Slip accepted. Now scan the parcel number.' },
  'counter-code': { title: 'Recipient’s code', text: 'Parcel {txn}. Recipient: type your code and press #. Press * to go back.' },
  'counter-pay': { title: 'Collect payment', text: 'Code right. Collect {due}, then press #. Press * to cancel.' },
  'counter-hand-over': { title: 'Hand over', text: 'Hand parcel {txn} to the recipient, then press #. Press * if it was not handed over.' },
  'operator-menu': { title: 'Maintenance', text: 'Type the number before a compartment and press #. Press * to sign out. {compartments}' },
  'operator-compartment': {
    title: 'Compartment {compartment}',
    text: 'Compartment {compartment}: press 1 to open it, 2 to take it out of service, 3 to put it back in service. Set aside for checking: after looking inside, press 4 if it is empty, 5 if the parcel is inside. Press * to go back.',
  },
  'operator-reason': {
    title: 'Reason',
    text: '{action, select, open {Open compartment {compartment}} out_of_service {Take compartment {compartment} out of service} checked_empty {Compartment {compartment} checked and empty} checked_inside {Compartment {compartment} checked, parcel inside} other {Put compartment {compartment} back in service}}: type the reason number and press #. Press * to go back.',
  },
  'operator-done': {
    title: 'Done',
    text: '{action, select, open {Compartment {compartment} is open.} out_of_service {Compartment {compartment} is out of service.} checked_empty {Compartment {compartment} is marked empty and back in service.} checked_inside {Compartment {compartment} is marked as holding its parcel and back in service.} other {Compartment {compartment} is back in service.}}',
  },
};
