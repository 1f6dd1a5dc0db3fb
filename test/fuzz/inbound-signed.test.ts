/**
 * Signed but hostile (proof/lib/fuzz-inbound.ts, part 4 of `npm run proof`):
 * PKP1 envelopes that a trusted seller or operator really signed, whose
 * bodies are random or almost right, on every topic the kiosk reads. The
 * signature passing must not let anything malformed through: no handler
 * throws, nothing but expected parcels appears, the database stays whole.
 */
import { describe, expect, it } from 'vitest';
import { fuzzSignedInbound } from '../../proof/lib/fuzz-inbound.js';

describe('signed envelopes with hostile bodies', () => {
  it('never make a handler throw, never create more than expected parcels, and leave the database whole', () => {
    const r = fuzzSignedInbound({ runs: 1500, seed: 20261201 });
    // Small messages are handled at once (only a manifest over 2,000 entries is applied in chunks, later).
    expect(r.firstCrash).toBeNull();
    expect(r.crashes).toBe(0);
    expect(r.handlingFailed).toBe(0);
    expect(r.parcelStates.every((s) => s === 'expected')).toBe(true);
    expect(r.integrity).toBe('ok');
    // Most are refused (and said so); the rest were well-formed enough to apply or to ignore quietly.
    expect(r.drops).toBeGreaterThan(500);
  }, 60_000);
});
