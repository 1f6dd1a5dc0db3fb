import { afterEach, describe, expect, it } from 'vitest';
import { createTrustStore, openEnvelope } from '../../src/domain/index.js';
import { load, startHarness, tryCode, waitFor, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

describe('pay at pickup (cash acceptor)', () => {
  it('takes the amount due before the door opens, keeps partial payments across a stop and a restart, reports what was paid', async () => {
    h = await startHarness();
    const slip = await h.slip('T-CASH', '12121212', { due: { amount: 3015, currency: 'JPY' } });
    const cid = await load(h, 'T-CASH', '12121212', { slip });
    // nobody is paying: the acceptor hands money back
    expect((await h.post('/sim/cash', { amount: 1000, currency: 'JPY' })).body.accepted).toBe(false);

    expect((await tryCode(h, 'T-CASH', '12121212', 'pay')).text).toMatch(/insert 3015 JPY\. No change is given/);
    expect((await h.post('/sim/cash', { amount: 1000, currency: 'JPY' })).body.accepted).toBe(true);
    expect((await waitFor(h.hands, 'pay')).text).toMatch(/insert 2015 JPY more \(1000 JPY paid\)/);
    expect((await h.hands.pulses())[cid]).toBe(1); // not open yet
    await h.hands.press('*');
    expect((await waitFor(h.hands, 'idle')).text).toMatch(/1000 JPY you paid is kept/);
    expect(h.k.store.parcels.get('shop-a', 'T-CASH')?.paidAmount).toBe(1000);

    await h.restart();
    expect((await tryCode(h, 'T-CASH', '12121212', 'pay')).text).toMatch(/2015 JPY more \(1000 JPY paid\)/);
    await h.post('/sim/cash', { amount: 2000, currency: 'JPY' });
    expect((await waitFor(h.hands, 'pay')).text).toMatch(/15 JPY more/);
    await h.post('/sim/cash', { amount: 100, currency: 'JPY' });
    await waitFor(h.hands, 'door-open');
    await h.hands.door(cid, true);
    await h.hands.door(cid, false);
    await waitFor(h.hands, 'thanks');

    const trust = createTrustStore({ [h.config.kioskId]: [h.k.identity.ed25519.publicKey.toString('hex')] });
    const row = h.k.store.outbox.all().find((r) => r.kind === 'parcel.handed_over')!;
    const o = openEnvelope(row.payload, trust);
    expect(o.ok && o.body.paid).toEqual({ amount: 3015, currency: 'JPY', means: 'cash' });
    expect(h.k.store.audit.ofKind('cash.inserted').map((a) => a.detail)).toEqual(['1000 JPY, 1000 paid', '2000 JPY, 3000 paid', '100 JPY, 3100 paid']);
    // and the acceptor is off again
    expect((await h.post('/sim/cash', { amount: 100, currency: 'JPY' })).body.accepted).toBe(false);
  });

  it('records money in the wrong currency and does not count it', async () => {
    h = await startHarness();
    const slip = await h.slip('T-FX', '12121212', { due: { amount: 500, currency: 'JPY' } });
    await load(h, 'T-FX', '12121212', { slip });
    await tryCode(h, 'T-FX', '12121212', 'pay');
    await h.post('/sim/cash', { amount: 500, currency: 'USD' });
    expect((await waitFor(h.hands, 'pay')).text).toMatch(/That was USD/);
    expect(h.k.store.parcels.get('shop-a', 'T-FX')?.paidAmount).toBe(0);
    expect(h.k.store.audit.ofKind('cash.wrong-currency')).toHaveLength(1);
    expect((await h.post('/sim/cash', { amount: -5, currency: 'JPY' })).status).toBe(400);
    expect((await h.post('/sim/cash', { amount: 5, currency: 'yen' })).status).toBe(400);
  });
});
