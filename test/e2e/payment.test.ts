import { afterEach, describe, expect, it } from 'vitest';
import { createTrustStore, openEnvelope } from '../../src/domain/index.js';
import { load, startHarness, tryCode, waitFor, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

async function pollUntil(ok: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('pay at pickup (cash acceptor)', () => {
  it('takes the amount due before the door opens, keeps partial payments across a stop and a restart, reports what was paid', async () => {
    h = await startHarness();
    const slip = await h.slip('T-CASH', '12121212', { due: { amount: 3015, currency: 'JPY' } });
    const cid = await load(h, 'T-CASH', '12121212', { slip });
    // nobody is paying: the acceptor hands money back
    expect((await h.post('/sim/cash', { amount: 1000, currency: 'JPY' })).body.accepted).toBe(false);

    expect((await tryCode(h, 'T-CASH', '12121212', 'pay')).params).toEqual({ txn: 'T-CASH', due: { amount: 3015, currency: 'JPY' }, paid: { amount: 0, currency: 'JPY' } });
    expect((await h.post('/sim/cash', { amount: 1000, currency: 'JPY' })).body.accepted).toBe(true);
    expect((await waitFor(h.hands, 'pay')).params).toMatchObject({ paid: { amount: 1000, currency: 'JPY' } });
    expect((await h.hands.pulses())[cid]).toBe(1); // not open yet
    await h.hands.press('*');
    // idle carries no outcome; what was paid stays credited to the parcel
    expect((await waitFor(h.hands, 'idle')).params).toEqual({});
    expect(h.k.store.parcels.get('shop-a', 'T-CASH')?.paidAmount).toBe(1000);

    await h.restart();
    expect((await tryCode(h, 'T-CASH', '12121212', 'pay')).params).toMatchObject({ paid: { amount: 1000, currency: 'JPY' } });
    await h.post('/sim/cash', { amount: 2000, currency: 'JPY' });
    await pollUntil(async () => ((await h!.hands.screen()).params.paid as { amount: number }).amount === 3000);
    // more than the 15 still due: handed back from escrow, no change is given
    expect((await h.post('/sim/cash', { amount: 100, currency: 'JPY' })).body.accepted).toBe(false);
    expect(((await h.hands.screen()).params.paid as { amount: number }).amount).toBe(3000);
    await h.post('/sim/cash', { amount: 15, currency: 'JPY' });
    await waitFor(h.hands, 'door-open');
    await h.hands.door(cid, true);
    await h.hands.door(cid, false);
    await waitFor(h.hands, 'thanks');

    const trust = createTrustStore({ [h.config.kioskId]: [h.k.identity.ed25519.publicKey.toString('hex')] });
    const row = h.k.store.outbox.all().find((r) => r.kind === 'parcel.handed_over')!;
    const o = openEnvelope(row.payload, trust);
    expect(o.ok && o.body.paid).toEqual({ amount: 3015, currency: 'JPY', means: 'cash' });
    expect(h.k.store.audit.ofKind('cash.inserted').map((a) => a.detail)).toEqual(['1000 JPY, 1000 paid', '2000 JPY, 3000 paid', '15 JPY, 3015 paid']);
    // and the acceptor is off again
    expect((await h.post('/sim/cash', { amount: 100, currency: 'JPY' })).body.accepted).toBe(false);
  });

  it('hands back money in the wrong currency from escrow, records the attempt, does not count it', async () => {
    h = await startHarness();
    const slip = await h.slip('T-FX', '12121212', { due: { amount: 500, currency: 'JPY' } });
    await load(h, 'T-FX', '12121212', { slip });
    await tryCode(h, 'T-FX', '12121212', 'pay');
    await h.post('/sim/cash', { amount: 500, currency: 'USD' });
    await pollUntil(async () => (await h!.hands.screen()).params.wrongCurrency === 'USD');
    expect(h.k.store.parcels.get('shop-a', 'T-FX')?.paidAmount).toBe(0);
    expect(h.k.store.audit.ofKind('cash.wrong-currency')).toHaveLength(1);
    expect((await h.post('/sim/cash', { amount: -5, currency: 'JPY' })).status).toBe(400);
    expect((await h.post('/sim/cash', { amount: 5, currency: 'yen' })).status).toBe(400);
  });
});
