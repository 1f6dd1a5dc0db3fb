import { describe, expect, it } from 'vitest';
import { kioskWaitMs, offlineAllowed, type AttemptLimits } from '../../../src/domain/attempts.js';

const L: AttemptLimits = {
  perParcel: 10,
  kioskFreeFailures: 3,
  kioskBackoffStartMs: 30_000,
  kioskBackoffMaxMs: 900_000,
  kioskWindowMs: 3_600_000,
};

describe('attempt policy', () => {
  it('costs no wait for the first free failures', () => {
    expect(kioskWaitMs(0, null, 1000, L)).toBe(0);
    expect(kioskWaitMs(3, 1000, 1000, L)).toBe(0);
  });

  it('waits 30 s after the free failures, then doubles up to the cap', () => {
    expect(kioskWaitMs(4, 1000, 1000, L)).toBe(30_000);
    expect(kioskWaitMs(5, 1000, 1000, L)).toBe(60_000);
    expect(kioskWaitMs(6, 1000, 1000, L)).toBe(120_000);
    expect(kioskWaitMs(50, 1000, 1000, L)).toBe(900_000);
    expect(kioskWaitMs(4, 1000, 21_000, L)).toBe(10_000);
    expect(kioskWaitMs(4, 1000, 31_000, L)).toBe(0);
  });

  it('stops offline checks of a parcel at its limit', () => {
    expect(offlineAllowed(9, L)).toBe(true);
    expect(offlineAllowed(10, L)).toBe(false);
  });
});
