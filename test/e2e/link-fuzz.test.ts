/**
 * 10,000 random and mutated payloads on every topic under the kiosk's own,
 * through Mosquitto and aedes to its link (proof/lib/fuzz-link.ts, part 4 of
 * `npm run proof`): it acts on none, stays connected, leaves its parcels,
 * seqs and outbox as they were, and still applies a good manifest.
 */
import { describe, expect, it } from 'vitest';
import { fuzzLink } from '../../proof/lib/fuzz-link.js';
import type { BrokerKind } from '../support/mqtt.js';

describe.each<BrokerKind>(['mosquitto', 'aedes'])('fuzzing the kiosk topics over %s', (kind) => {
  it('survives 10,000 random and mutated payloads, acts on none, and still applies a good manifest', async () => {
    const r = await fuzzLink({ broker: kind, payloads: 10_000, seed: 20261121 });
    expect(r.payloads).toBe(10_000);
    expect(r.handled).toBeGreaterThanOrEqual(r.expected);
    // The payloads reach every layer: envelope shape, signature, body, and the message rules.
    for (const reason of ['envelope malformed', 'envelope bad-signature', 'envelope bad-body', 'envelope signed by no trusted key of its signer', 'malformed manifest', 'not a topic a kiosk reads']) {
      expect(r.reasons[reason] ?? 0, `drops for "${reason}" in ${JSON.stringify(r.reasons)}`).toBeGreaterThan(0);
    }
    expect(r.acted).toBe(0);
    expect(r.disconnects).toBe(0);
    expect(r.connectedAtEnd).toBe(true);
    expect(r.parcelsUnchanged).toBe(true);
    expect(r.lastSeq).toBe(5000);
    expect(r.protectedEventAcked).toBe(false);
    expect(r.goodAfter).toBe(5001);
    expect(r.goodAfterParcel).toBe('expected');
  }, 300_000);
});
