import { isId, isTxn } from '../domain/index.js';

export type StaffRole = 'courier' | 'clerk' | 'operator';

export type ScanKind =
  | { kind: 'slip'; text: string }
  /** A staff badge: `courier:{id}`, `clerk:{id}` or `operator:{id}`. */
  | { kind: 'staff'; role: StaffRole; id: string }
  /** `sellerId` null: a bare txn. A `{sellerId}/{txn}` reading keeps the whole text in `bare`, since a txn may hold `/` too. */
  | { kind: 'parcel'; sellerId: string | null; txn: string; bare: string | null }
  | { kind: 'junk' };

/**
 * What a scanned text is: a slip (`PKS1.…`), a staff badge, a parcel name
 * (`{sellerId}/{txn}` or a bare txn), or nothing the kiosk understands.
 */
export function classifyScan(text: string): ScanKind {
  if (text.startsWith('PKS1.')) return { kind: 'slip', text };
  const badge = /^(courier|clerk|operator):(.+)$/.exec(text);
  if (badge && isId(badge[2])) return { kind: 'staff', role: badge[1] as StaffRole, id: badge[2] };
  const slash = text.indexOf('/');
  if (slash > 0) {
    const sellerId = text.slice(0, slash);
    const txn = text.slice(slash + 1);
    if (isId(sellerId) && isTxn(txn)) return { kind: 'parcel', sellerId, txn, bare: isTxn(text) ? text : null };
  }
  if (isTxn(text)) return { kind: 'parcel', sellerId: null, txn: text, bare: null };
  return { kind: 'junk' };
}
