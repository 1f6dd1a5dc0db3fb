/**
 * Every POST route of a simulated kiosk, fed random JSON, random text and
 * almost-right bodies through its HTTP guard. Counts the answers by status,
 * the 5xx and the requests that got no answer at all, and the unlock pulses
 * of every compartment afterwards (no parcel is loaded, so none may open).
 */
import fc from 'fast-check';

export const HTTP_ROUTES = ['/sim/keypad', '/sim/scan', '/sim/door/A01', '/sim/door/Z99', '/sim/item/A01', '/sim/card', '/sim/tag', '/sim/finger', '/sim/cash', '/api/keys', '/operator/state', '/nowhere'];

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

export interface HttpFuzzResult {
  runs: number;
  /** status → answers */
  statuses: Record<string, number>;
  serverErrors: number;
  /** Requests that got no answer (connection refused or reset). */
  noAnswer: number;
  firstFailure: string | null;
  /** Sum of every compartment's unlock pulses after the run (/sim/state). */
  unlockPulses: number;
  /** /sim/state still answered 200 at the end. */
  answering: boolean;
}

export async function fuzzHttpBodies(o: { url: string; runs: number; seed: number }): Promise<HttpFuzzResult> {
  const r: HttpFuzzResult = { runs: o.runs, statuses: {}, serverErrors: 0, noAnswer: 0, firstFailure: null, unlockPulses: 0, answering: false };
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...HTTP_ROUTES),
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...Object.values(near)).chain((a) => a).map((v) => JSON.stringify(v)) },
        { weight: 2, arbitrary: fc.json() },
        { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      ),
      async (path, text) => {
        try {
          const res = await fetch(new URL(path, o.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
          await res.arrayBuffer();
          r.statuses[res.status] = (r.statuses[res.status] ?? 0) + 1;
          if (res.status >= 500) {
            r.serverErrors++;
            r.firstFailure ??= `${res.status} ${path} ${text.slice(0, 80)}`;
          }
        } catch (e) {
          r.noAnswer++;
          r.firstFailure ??= `no answer ${path} ${text.slice(0, 80)}: ${(e as Error).message}`;
        }
      },
    ),
    { numRuns: o.runs, seed: o.seed },
  );
  const st = await fetch(new URL('/sim/state', o.url));
  r.answering = st.status === 200;
  if (r.answering) {
    const s = (await st.json()) as { compartments: Array<{ unlockPulses: number }> };
    r.unlockPulses = s.compartments.reduce((a, c) => a + c.unlockPulses, 0);
  }
  return r;
}
