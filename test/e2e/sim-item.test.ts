import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, load, openLoad, tryCode, waitFor, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

const withSensors = { tune: (c: { devices: { locks: unknown } }) => void (c.devices.locks = { driver: 'sim', itemSensors: true }) };

describe('item sensors on a simulated kiosk, over /sim/item', () => {
  it('a load needs the item inside; a pickup whose door closes on it is not handed over until it is taken', async () => {
    h = await startHarness(withSensors);
    const hh = h;
    const txn = 'T-2026-12-701';
    const code = '70117011';
    const cid = await load(hh, txn, code, { beforeClose: async (id) => void (await hh.post(`/sim/item/${id}`, { present: true })) });
    expect(hh.k.store.parcels.get('shop-a', txn)).toMatchObject({ state: 'stored', compartmentId: cid });
    let st = await hh.state();
    expect(st.compartments.find((c) => c.id === cid)).toMatchObject({ itemPresent: true });

    // The right code opens the door; the person closes it without taking the parcel.
    await tryCode(hh, txn, code, 'door-open');
    await hh.post(`/sim/door/${cid}`, { open: true });
    await hh.post(`/sim/door/${cid}`, { open: false });
    st = await hh.waitScreen('item-inside');
    expect(st.screen.params).toMatchObject({ compartment: cid, reopen: true });
    expect(hh.k.store.parcels.get('shop-a', txn)?.state).toBe('stored');
    expect(hh.k.store.outbox.all().map((r) => r.kind)).toEqual(['parcel.arrived']);

    // # opens it again; this time the parcel is taken: handed over, one receipt.
    const pulses = st.compartments.find((c) => c.id === cid)!.unlockPulses;
    await hh.post('/sim/keypad', { keys: '#' });
    st = await hh.waitScreen('door-open');
    expect(st.compartments.find((c) => c.id === cid)!.unlockPulses).toBe(pulses + 1);
    await hh.post(`/sim/door/${cid}`, { open: true });
    await hh.post(`/sim/item/${cid}`, { present: false });
    await hh.post(`/sim/door/${cid}`, { open: false });
    await hh.waitScreen('thanks');
    expect(hh.k.store.parcels.get('shop-a', txn)?.state).toBe('handed_over');
    expect(hh.k.store.outbox.all().map((r) => r.kind).sort()).toEqual(['parcel.arrived', 'parcel.handed_over']);
  });

  it('a courier who closes the door on an empty compartment stores nothing', async () => {
    h = await startHarness(withSensors);
    const { hands } = h;
    const txn = 'T-2026-12-702';
    const cid = await openLoad(h, txn, '70227022');
    const pulses = (await h.state()).compartments.find((c) => c.id === cid)!.unlockPulses;
    expect(pulses).toBe(1);
    await hands.door(cid, true);
    await hands.door(cid, false);
    await waitFor(hands, 'courier-empty');
    expect(h.k.store.parcels.get('shop-a', txn)?.state).not.toBe('stored');
    expect(h.k.store.compartments.get(cid)?.state).toBe('free');
    expect(h.k.store.outbox.all()).toEqual([]);
  });

  it('bad calls are refused: no sensor, no such compartment, a body that is not true or false', async () => {
    h = await startHarness();
    expect((await h.post('/sim/item/A01', { present: true })).status).toBe(409);
    expect((await h.post('/sim/item/Z99', { present: true })).status).toBe(404);
    expect((await h.post('/sim/item/A01', { present: 'yes' })).status).toBe(400);
    expect((await h.state()).compartments.find((c) => c.id === 'A01')).toMatchObject({ itemPresent: null });
  });
});
