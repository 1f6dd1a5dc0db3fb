import { describe, expect, it } from 'vitest';
import type { Key } from '../../../drivers/keypad/contract.js';
import { typeKey, type Entry } from '../../../src/flows/entry.js';
import { classifyScan } from '../../../src/flows/scan-text.js';

function typeAll(e: Entry, keys: string, max = 16) {
  return [...keys].map((k) => typeKey(e, k as Key, max));
}

describe('typed entries', () => {
  it('appends digits up to the limit, clears with *, submits and forgets with #', () => {
    const e: Entry = { entered: '' };
    typeAll(e, '12345678901234567890');
    expect(e.entered).toBe('1234567890123456');
    expect(typeKey(e, '*', 16)).toEqual({ kind: 'typed', length: 0 });
    typeAll(e, '2468');
    expect(typeKey(e, '#', 16)).toEqual({ kind: 'submit', value: '2468' });
    expect(e.entered).toBe('');
    expect(typeKey(e, '*', 16)).toEqual({ kind: 'cancel' });
  });
});

describe('what a scan is', () => {
  it('tells slips, courier badges, parcel names and junk apart', () => {
    expect(classifyScan('PKS1.AQAG')).toEqual({ kind: 'slip', text: 'PKS1.AQAG' });
    expect(classifyScan('courier:7001')).toEqual({ kind: 'staff', role: 'courier', id: '7001' });
    expect(classifyScan('clerk:8001')).toEqual({ kind: 'staff', role: 'clerk', id: '8001' });
    expect(classifyScan('operator:9001')).toEqual({ kind: 'staff', role: 'operator', id: '9001' });
    expect(classifyScan('shop-a/T-1')).toEqual({ kind: 'parcel', sellerId: 'shop-a', txn: 'T-1', bare: 'shop-a/T-1' });
    // a txn may hold '/': both readings are kept
    expect(classifyScan('T-2026/11/1')).toEqual({ kind: 'parcel', sellerId: 'T-2026', txn: '11/1', bare: 'T-2026/11/1' });
    expect(classifyScan('T-1')).toEqual({ kind: 'parcel', sellerId: null, txn: 'T-1', bare: null });
    expect(classifyScan('has space')).toEqual({ kind: 'junk' });
    expect(classifyScan('')).toEqual({ kind: 'junk' });
    expect(classifyScan('courier:bad id')).toEqual({ kind: 'junk' });
  });
});
