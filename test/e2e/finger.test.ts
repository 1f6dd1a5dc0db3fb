import { afterEach, describe, expect, it } from 'vitest';
import { createTrustStore, openEnvelope } from '../../src/domain/index.js';
import { load, startHarness, waitFor, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

const mine = Buffer.alloc(512, 0x5a);
const other = Buffer.alloc(512, 0x11);

describe('pickup by fingerprint (a manifest reference template, 1:1)', () => {
  it('another finger counts as a failure; the enrolled finger opens the door; no proof on the receipt', async () => {
    h = await startHarness();
    const cid = await load(h, 'T-BIO', '12121212');
    // what a manifest upsert with `bio` leaves in the store
    h.k.store.parcels.update('shop-a', 'T-BIO', { bio: { format: 'r30x-char', template: mine.toString('base64url') } }, h.clock.now());

    await h.hands.scan('shop-a/T-BIO');
    expect((await waitFor(h.hands, 'enter-code')).params).toMatchObject({ txn: 'T-BIO', finger: true });
    await h.post('/sim/finger', { template: other.toString('base64') });
    expect((await waitFor(h.hands, 'denied')).params).toEqual({ triesLeft: 9, reason: 'finger' });
    expect(h.k.store.attempts.parcelFailures('shop-a', 'T-BIO')).toBe(1);
    await h.post('/sim/finger', { lift: true });

    await h.hands.scan('shop-a/T-BIO');
    await waitFor(h.hands, 'enter-code');
    await h.post('/sim/finger', { template: mine.toString('base64') });
    expect((await waitFor(h.hands, 'door-open')).params).toMatchObject({ compartment: cid });
    await h.hands.door(cid, true);
    await h.hands.door(cid, false);
    await waitFor(h.hands, 'thanks');
    const trust = createTrustStore({ [h.config.kioskId]: [h.k.identity.ed25519.publicKey.toString('hex')] });
    const row = h.k.store.outbox.all().find((r) => r.kind === 'parcel.handed_over')!;
    const o = openEnvelope(row.payload, trust);
    expect(o.ok && o.body).toMatchObject({ method: 'biometric', recipientProof: null, salt: null });
    // the template is gone from the kiosk once the parcel is handed over
    expect(h.k.store.parcels.get('shop-a', 'T-BIO')?.bio).toBeNull();
  });
});
