import { afterEach, describe, expect, it } from 'vitest';
import { createTrustStore, openEnvelope } from '../../src/domain/index.js';
import { load, startHarness, toIdle, tryCode, waitFor, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

function alarms(h: Harness): Array<Record<string, unknown>> {
  const trust = createTrustStore({ [h.config.kioskId]: [h.k.identity.ed25519.publicKey.toString('hex')] });
  return h.k.store.outbox
    .all()
    .filter((r) => r.kind === 'kiosk.alarm')
    .map((r) => {
      const o = openEnvelope(r.payload, trust);
      if (!o.ok) throw new Error('alarm does not verify');
      expect(r.topic).toBe(`pk/v1/kiosk/${h.config.kioskId}/alarm`);
      return o.body;
    });
}

describe('lockers: bad input never opens a door it should not', () => {
  it('refuses junk over /sim with 4xx and keeps going', async () => {
    h = await startHarness();
    expect((await h.post('/sim/keypad', { keys: '12a' })).status).toBe(400);
    expect((await h.post('/sim/keypad', { nope: 1 })).status).toBe(400);
    expect((await h.post('/sim/door/Z99', { open: true })).status).toBe(404);
    expect((await h.post('/sim/door/A01', { open: 'yes' })).status).toBe(400);
    expect((await h.post('/sim/scan', {})).status).toBe(400);
    expect((await h.post('/sim/scan', { png: Buffer.from('not a png').toString('base64') })).status).toBe(400);
    expect((await h.post('/sim/cash', { amount: 'lots', currency: 'JPY' })).status).toBe(400);
    const raw = await fetch(new URL('/sim/keypad', h.k.ui!.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: string }).error).toMatch(/not JSON/);
    expect((await h.state()).screen.id).toBe('idle');
    expect((await h.state()).compartments.every((c) => c.unlockPulses === 0)).toBe(true);
  });

  it('a slip scanned where a parcel number is expected, and a garbled scan, are refused in words', async () => {
    h = await startHarness();
    const slip = await h.slip('T-X', '12121212');
    await h.hands.scan(slip);
    expect((await waitFor(h.hands, 'refused')).params).toEqual({ reason: 'slip-not-number' });
    await h.hands.scan('\u0001\u0002 garbage with spaces');
    expect((await waitFor(h.hands, 'refused')).params).toEqual({ reason: 'not-a-number' });
    await h.hands.press('##**#');
    await h.hands.press('123456#');
    await waitFor(h.hands, 'not-found');
  });

  it('a scan in the middle of code entry drops the typed digits and starts over with the scanned parcel', async () => {
    h = await startHarness();
    const a = await load(h, 'T-A1', '12121212');
    const b = await load(h, 'T-B1', '34343434');
    await h.hands.scan('shop-a/T-A1');
    await waitFor(h.hands, 'enter-code');
    await h.hands.press('1212');
    await h.hands.scan('shop-a/T-B1');
    const s = await waitFor(h.hands, 'enter-code');
    expect(s.params).toEqual({ txn: 'T-B1', entered: 0 }); // nothing typed carried over
    await h.hands.press('12121212#'); // A's code typed for B: a wrong code for B, not counted on A
    expect(h.k.store.attempts.parcelFailures('shop-a', 'T-A1')).toBe(0);
    await waitFor(h.hands, 'denied');
    expect(h.k.store.attempts.parcelFailures('shop-a', 'T-B1')).toBe(1);
    await h.hands.press('34343434#');
    const open = await waitFor(h.hands, 'door-open');
    expect(open.params).toMatchObject({ compartment: b });
    expect((await h.hands.pulses())[a]).toBe(1); // only its load pulse
  });

  it('a door opened without an unlock is logged as forced and raises a signed alarm', async () => {
    h = await startHarness();
    const cid = await load(h, 'T-F', '12121212');
    await h.hands.door('A12', true);
    await h.hands.door(cid, true);
    const kinds = alarms(h).map((a) => [a.kind, a.compartmentId]);
    expect(kinds).toEqual([['door-forced', 'A12'], ['door-forced', cid]]);
    expect(h.k.store.compartments.get('A12')?.state).toBe('check'); // a free one is set aside
    expect(h.k.store.compartments.get(cid)?.state).toBe('occupied');
    expect(h.k.store.audit.ofKind('alarm.door-forced')).toHaveLength(2);
    // left open: a second alarm after the configured time
    h.clock.advance(h.config.doors.leftOpenAlarmMs);
    expect(alarms(h).filter((a) => a.kind === 'door-left-open')).toHaveLength(2);
  });

  it('an unlock the lock does not confirm keeps the parcel, sets the compartment aside and tells staff', async () => {
    h = await startHarness();
    const cid = await load(h, 'T-U', '12121212');
    h.k.sims!.locks!.failUnlocks = true;
    const s = await tryCode(h, 'T-U', '12121212', 'error');
    expect(s.params).toEqual({ reason: 'door-fault', compartment: cid });
    expect(h.k.store.parcels.get('shop-a', 'T-U')).toMatchObject({ state: 'stored', handover: null });
    expect(h.k.store.compartments.get(cid)?.state).toBe('check');
    expect(alarms(h).map((a) => a.kind)).toEqual(['unlock-failed']);
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(0);
    // the courier flow never picks a compartment set aside
    h.k.sims!.locks!.failUnlocks = false;
    const next = await load(h, 'T-V', '12121212');
    expect(next).not.toBe(cid);
  });

  it('refuses a second parcel with a txn already in the kiosk', async () => {
    h = await startHarness();
    await load(h, 'T-D1', '12121212');
    await toIdle(h.hands);
    await h.hands.press('**');
    await h.hands.press('7001#');
    await h.hands.press('246810#');
    await waitFor(h.hands, 'courier-scan');
    await h.hands.scan(await h.slip('T-D1', '99999999'));
    await waitFor(h.hands, 'courier-number');
    await h.hands.scan('shop-a/T-D1');
    expect((await waitFor(h.hands, 'refused')).params).toMatchObject({ reason: 'already-stored' });
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.arrived')).toHaveLength(1);
  });

  it('a restart in the middle of a load cancels it and sets the compartment aside', async () => {
    h = await startHarness();
    await h.hands.press('**');
    await h.hands.press('7001#');
    await h.hands.press('246810#');
    await waitFor(h.hands, 'courier-scan');
    await h.hands.scan(await h.slip('T-R', '12121212'));
    await waitFor(h.hands, 'courier-number');
    await h.hands.scan('shop-a/T-R');
    await waitFor(h.hands, 'courier-size');
    await h.hands.press('1');
    const s = await waitFor(h.hands, 'courier-door');
    const cid = s.params.compartment as string;
    await h.hands.door(cid, true);
    await h.restart();
    // It may be inside: kept known beside the compartment (its slip too) until staff mark it checked.
    expect(h.k.store.parcels.get('shop-a', 'T-R')).toMatchObject({ state: 'expected', compartmentId: cid });
    expect(h.k.store.compartments.get(cid)?.state).toBe('check');
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.arrived')).toHaveLength(0);
  });
});

describe('lockers: txns holding a slash', () => {
  it('loads and hands over a parcel whose txn is A/B/7, scanned bare', async () => {
    h = await startHarness();
    const cid = await load(h, 'A/B/7', '12121212');
    expect(h.k.store.parcels.get('shop-a', 'A/B/7')?.compartmentId).toBe(cid);
    await h.hands.scan('A/B/7');
    await waitFor(h.hands, 'enter-code');
    await h.hands.press('12121212#');
    await waitFor(h.hands, 'door-open');
  });
});

describe('lockers: an amount still to pay', () => {
  it('refuses a parcel whose slip or manifest says money is due where there is no cash acceptor, never opening its door', async () => {
    h = await startHarness({
      tune: (c) => {
        c.devices.cash = null;
      },
    });
    const slip = await h.slip('T-PAY', '12121212', { due: { amount: 3015, currency: 'JPY' } });
    const cid = await load(h, 'T-PAY', '12121212', { slip });
    const s = await tryCode(h, 'T-PAY', '12121212', 'contact-seller');
    expect(s.params).toEqual({ reason: 'cannot-take-payment', due: { amount: 3015, currency: 'JPY' } });
    expect((await h.hands.pulses())[cid]).toBe(1); // the load's only
    expect(h.k.store.parcels.get('shop-a', 'T-PAY')?.state).toBe('stored');
    expect(h.k.store.attempts.parcelFailures('shop-a', 'T-PAY')).toBe(0);
    // the manifest's amount wins over the slip's: a seller that sets it to 0 releases the parcel
    h.k.store.parcels.update('shop-a', 'T-PAY', { due: { amount: 0, currency: 'JPY' } }, h.clock.now());
    await tryCode(h, 'T-PAY', '12121212', 'door-open');
  });
});

describe('lockers: a courier who does not close the door', () => {
  it('is reminded, then the load is cancelled, the compartment set aside, nothing reported', async () => {
    h = await startHarness();
    await h.hands.press('**');
    await h.hands.press('7001#');
    await h.hands.press('246810#');
    await waitFor(h.hands, 'courier-scan');
    await h.hands.scan(await h.slip('T-OPEN', '12121212'));
    await waitFor(h.hands, 'courier-number');
    await h.hands.scan('shop-a/T-OPEN');
    await waitFor(h.hands, 'courier-size');
    await h.hands.press('3');
    const s = await waitFor(h.hands, 'courier-door');
    const cid = s.params.compartment as string;
    expect(h.k.store.compartments.get(cid)?.size).toBe('L');
    await h.hands.door(cid, true);
    h.clock.advance(h.config.doors.closeReminderMs);
    expect((await waitFor(h.hands, 'courier-door')).params).toMatchObject({ compartment: cid, doorOpen: true });
    h.clock.advance(h.config.doors.closeTimeoutMs - h.config.doors.closeReminderMs);
    expect((await waitFor(h.hands, 'error')).params).toEqual({ reason: 'door-fault', compartment: cid });
    expect(h.k.store.parcels.get('shop-a', 'T-OPEN')).toMatchObject({ state: 'expected', compartmentId: cid });
    expect(h.k.store.compartments.get(cid)).toMatchObject({ state: 'check' });
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.arrived')).toHaveLength(0);
    // closing it later reports nothing either
    await h.hands.door(cid, false);
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.arrived')).toHaveLength(0);
  });
});
