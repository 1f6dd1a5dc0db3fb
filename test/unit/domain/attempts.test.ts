import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS as L, kioskNextTry, offlineAllowed, parcelNextTry, triesLeft } from '../../../src/domain/attempts.js';

describe('attempt policy', () => {
  it('allows 5 wrong codes where the seller decides online, 10 offline', () => {
    expect(triesLeft(4, true, L)).toBe(1);
    expect(triesLeft(5, true, L)).toBe(0);
    expect(triesLeft(9, false, L)).toBe(1);
    expect(triesLeft(10, false, L)).toBe(0);
    expect(offlineAllowed(9, L)).toBe(true);
    expect(offlineAllowed(10, L)).toBe(false);
  });

  it('makes tries on one parcel wait 10 s, 20 s, 40 s … after its second wrong code', () => {
    expect(parcelNextTry(1, 1000, L)).toBe(0);
    expect(parcelNextTry(2, 1000, L)).toBe(11_000);
    expect(parcelNextTry(3, 1000, L)).toBe(21_000);
    expect(parcelNextTry(4, 1000, L)).toBe(41_000);
    expect(parcelNextTry(50, 1000, L)).toBe(301_000);
  });

  it('waits across the kiosk only for wrong codes spread over 3 parcels: 30 s, then 60 s …', () => {
    expect(kioskNextTry(1, 1000, L)).toBe(0); // many wrong codes on one parcel: strangers never wait
    expect(kioskNextTry(2, 1000, L)).toBe(0);
    expect(kioskNextTry(3, 1000, L)).toBe(31_000);
    expect(kioskNextTry(4, 1000, L)).toBe(61_000);
    expect(kioskNextTry(60, 1000, L)).toBe(901_000);
    expect(kioskNextTry(3, null, L)).toBe(0);
  });
});
