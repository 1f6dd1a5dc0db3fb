/**
 * Every POST route of a simulated kiosk, fed random JSON, random text and
 * almost-right bodies through the guard: never a 5xx, the server keeps
 * answering, and no door is unlocked (no parcel is loaded, so none may open).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/kiosk.js';

const ROUTES = ['/sim/keypad', '/sim/scan', '/sim/door/A01', '/sim/door/Z99', '/sim/item/A01', '/sim/card', '/sim/tag', '/sim/finger', '/sim/cash', '/api/keys', '/operator/state', '/nowhere'];
const near: Record<string, fc.Arbitrary<unknown>> = {
  '/sim/keypad': fc.record({ keys: fc.oneof(fc.stringMatching(/^[0-9*#]{0,20}$/), fc.string()) }),
  '/sim/scan': fc.oneof(fc.record({ text: fc.string({ maxLength: 300 }) }), fc.record({ png: fc.base64String({ maxLength: 400 }) })),
  '/sim/door/A01': fc.record({ open: fc.oneof(fc.boolean(), fc.anything()) }),
  '/sim/item/A01': fc.record({ present: fc.oneof(fc.boolean(), fc.anything()) }),
  '/sim/card': fc.oneof(
    fc.record({ insert: fc.record({ pin: fc.oneof(fc.string({ maxLength: 8 }), fc.anything()), files: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 40 })) }, { requiredKeys: [] }) }),
    fc.record({ remove: fc.anything() }),
  ),
  '/sim/tag': fc.record({ text: fc.oneof(fc.string({ maxLength: 300 }), fc.constant('PKS1.'), fc.anything()) }),
  '/sim/finger': fc.oneof(fc.record({ template: fc.oneof(fc.base64String({ maxLength: 700 }), fc.string()) }), fc.record({ lift: fc.anything() })),
  '/sim/cash': fc.record({ amount: fc.oneof(fc.integer(), fc.double(), fc.anything()), currency: fc.oneof(fc.constantFrom('JPY', 'EUR', 'jpy'), fc.string({ maxLength: 4 })) }),
};

describe('HTTP bodies, fuzzed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('never get a 5xx, never unlock a door, and the kiosk keeps answering', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...Object.values(near)).chain((a) => a).map((v) => JSON.stringify(v)) },
          { weight: 2, arbitrary: fc.json() },
          { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
        ),
        async (path, text) => {
          const r = await fetch(new URL(path, h.k.ui!.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
          await r.arrayBuffer();
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          expect(r.status, `${path} ${text.slice(0, 80)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300, seed: 20261201 },
    );
    const s = await h.state();
    expect(s.compartments.every((c) => c.unlockPulses === 0)).toBe(true);
    expect((await fetch(new URL('/sim/state', h.k.ui!.url))).status).toBe(200);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0); // some bodies were good enough to act on
  }, 120_000);
});
