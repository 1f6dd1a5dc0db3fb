import type { Screen, ScreenId } from '../../../src/domain/screens.js';

const yen = (amount: number) => ({ amount, currency: 'JPY' });
export const NOW = Date.UTC(2026, 0, 15, 3, 0, 0); // 12:00 in Tokyo

/** At least one screen per id, with every param and every select branch the catalogues know. */
export const SAMPLES: { [I in ScreenId]: Array<Extract<Screen, { id: I }>> } = {
  idle: [{ id: 'idle' }],
  'enter-txn': [{ id: 'enter-txn', digits: '' }, { id: 'enter-txn', digits: '1234' }],
  'scan-needed': [{ id: 'scan-needed', scanned: true }, { id: 'scan-needed', scanned: false }],
  'not-found': [{ id: 'not-found' }],
  'enter-code': [
    { id: 'enter-code', txn: '12345678', entered: 0 },
    { id: 'enter-code', txn: '12345678', entered: 3, finger: true, via: 'card' },
    { id: 'enter-code', txn: '12345678', entered: 0, via: 'tag' },
    { id: 'enter-code', txn: null, entered: 2, via: 'card' },
  ],
  checking: [{ id: 'checking' }],
  denied: [
    { id: 'denied', triesLeft: 2, reason: 'wrong-code' },
    { id: 'denied', triesLeft: 1, reason: 'wrong-code', entered: 0 },
    { id: 'denied', triesLeft: 0, reason: 'finger' },
    { id: 'denied', triesLeft: null, reason: 'bad-format' },
  ],
  'locked-out': (['parcel', 'card', 'courier', 'staff'] as const).map((who) => ({ id: 'locked-out' as const, who })),
  wait: [
    { id: 'wait', until: NOW + 30_000, entered: 0, why: 'kiosk' },
    { id: 'wait', until: NOW + 90_500, entered: 2, why: 'parcel' },
    { id: 'wait', until: NOW + 10_000, entered: 0, why: 'parcel', triesLeft: 3 },
  ],
  'try-later': [{ id: 'try-later' }],
  pay: [
    { id: 'pay', txn: '12345678', due: yen(1500), paid: yen(0) },
    { id: 'pay', txn: '12345678', due: yen(1500), paid: yen(1000) },
    { id: 'pay', txn: '12345678', due: yen(1500), paid: yen(0), wrongCurrency: 'USD' },
  ],
  'door-open': [
    { id: 'door-open', compartment: 'A05' },
    { id: 'door-open', compartment: 'A05', size: 'M', already: true },
  ],
  'door-not-opened': [{ id: 'door-not-opened', compartment: 'A05' }],
  thanks: [{ id: 'thanks', compartment: 'A05' }, { id: 'thanks', compartment: null }],
  'item-inside': [{ id: 'item-inside', compartment: 'A05', reopen: true }, { id: 'item-inside', compartment: 'A05', reopen: false }],
  'contact-seller': (['returning', 'at-counter', 'seller-refused', 'cannot-hand-over', 'cannot-take-payment', 'not-here'] as const).map((reason) => ({
    id: 'contact-seller' as const,
    reason,
    due: yen(500),
  })),
  refused: [
    ...(['slip-not-number', 'not-a-number', 'not-slip-or-number', 'seller-mismatch', 'already-stored', 'already-done', 'not-expected', 'no-proof-possible', 'no-free-compartment', 'tag-unreadable', 'tag-empty', 'card-unreadable', 'scan-slip-first', 'finger-busy', 'compartment-busy', 'say-what-found', 'cannot-mark'] as const).map(
      (reason) => ({ id: 'refused' as const, reason, compartment: 'A03', size: 'L' as const }),
    ),
    ...(['malformed', 'untrusted', 'bad-signature', 'mode-not-allowed', 'wrong-kiosk', 'wrong-code', 'txn-mismatch'] as const).map((slipReason) => ({
      id: 'refused' as const,
      reason: 'slip-invalid' as const,
      slipReason,
    })),
  ],
  error: [
    { id: 'error', reason: 'door-fault', compartment: 'A02' },
    { id: 'error', reason: 'door-fault' },
    { id: 'error', reason: 'cash-fault' },
    { id: 'error', reason: 'device-fault' },
  ],
  'out-of-service': [{ id: 'out-of-service' }, { id: 'out-of-service', compartments: ['A01', 'A02'] }],
  'staff-id': [{ id: 'staff-id', digits: '70' }],
  'staff-pin': [...(['courier', 'clerk', 'operator'] as const).map((role) => ({ id: 'staff-pin' as const, role, entered: 2 })), { id: 'staff-pin', role: null, entered: 0 }],
  'courier-id': [{ id: 'courier-id', digits: '7001' }],
  'courier-pin': [{ id: 'courier-pin', entered: 4 }],
  'courier-scan': [{ id: 'courier-scan' }, { id: 'courier-scan', stored: 'A04', takeBack: 2 }, { id: 'courier-scan', takeBack: 1 }],
  'courier-number': [{ id: 'courier-number' }],
  'courier-size': [{ id: 'courier-size', txn: '12345678' }],
  'courier-door': [
    { id: 'courier-door', compartment: 'A06', size: 'M', action: 'load', doorOpen: false },
    { id: 'courier-door', compartment: 'A06', action: 'load', doorOpen: true },
    { id: 'courier-door', compartment: 'A06', action: 'take-back', doorOpen: false },
    { id: 'courier-door', compartment: 'A06', action: 'take-back', doorOpen: true },
  ],
  'courier-empty': [{ id: 'courier-empty', compartment: 'A06' }],
  'courier-still-inside': [{ id: 'courier-still-inside', compartment: 'A06' }],
  'counter-scan': [{ id: 'counter-scan' }, { id: 'counter-scan', checkedIn: '12345678' }],
  'counter-number': [{ id: 'counter-number' }],
  'counter-code': [{ id: 'counter-code', txn: '12345678', entered: 2 }],
  'counter-pay': [{ id: 'counter-pay', txn: '12345678', due: yen(800) }],
  'counter-hand-over': [{ id: 'counter-hand-over', txn: '12345678' }],
  'operator-menu': [
    { id: 'operator-menu', compartments: [] },
    { id: 'operator-menu', compartments: [{ id: 'A01', state: 'free', doorOpen: false }, { id: 'A02', state: 'out-of-service', doorOpen: null }] },
    { id: 'operator-menu', compartments: [{ id: 'A01', state: 'free', doorOpen: false, item: false }, { id: 'A02', state: 'check', doorOpen: false, item: true }] },
  ],
  'operator-compartment': [{ id: 'operator-compartment', compartment: 'A07' }],
  'operator-reason': (['open', 'out-of-service', 'in-service', 'checked-empty', 'checked-inside'] as const).map((action) => ({ id: 'operator-reason' as const, compartment: 'A07', action })),
  'operator-done': (['open', 'out-of-service', 'in-service', 'checked-empty', 'checked-inside'] as const).map((action) => ({ id: 'operator-done' as const, compartment: 'A07', action })),
};

export function allSamples(): Screen[] {
  return Object.values(SAMPLES).flat();
}
