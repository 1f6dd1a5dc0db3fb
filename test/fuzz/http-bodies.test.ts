/**
 * Every POST route of a simulated kiosk, fed random JSON, random text and
 * almost-right bodies through the guard (proof/lib/fuzz-http.ts, part 4 of
 * `npm run proof`): never a 5xx, the server keeps answering, and no door is
 * unlocked (no parcel is loaded, so none may open).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzHttpBodies } from '../../proof/lib/fuzz-http.js';
import { startHarness, type Harness } from '../support/kiosk.js';

describe('HTTP bodies, fuzzed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('never get a 5xx, never unlock a door, and the kiosk keeps answering', async () => {
    const r = await fuzzHttpBodies({ url: h.k.ui!.url, runs: 300, seed: 20261201 });
    expect(r.firstFailure).toBeNull();
    expect(r.serverErrors).toBe(0);
    expect(r.noAnswer).toBe(0);
    expect(Object.values(r.statuses).reduce((a, x) => a + x, 0)).toBe(300);
    const s = await h.state();
    expect(s.compartments.every((c) => c.unlockPulses === 0)).toBe(true);
    expect(r.unlockPulses).toBe(0);
    expect(r.answering).toBe(true);
    expect((await fetch(new URL('/sim/state', h.k.ui!.url))).status).toBe(200);
    expect(r.statuses[200] ?? 0).toBeGreaterThan(0); // some bodies were good enough to act on
  }, 120_000);
});
