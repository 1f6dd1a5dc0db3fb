import { afterEach, describe, expect, it } from 'vitest';
import { CLERK, COURIER, OPERATOR, fakeLink, flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

describe('staff conversations (in process, fake time)', () => {
  it('a courier signs in with * *, loads an announced parcel, and signs out to an empty idle', async () => {
    f = await flowKiosk();
    await f.announced('T-M', '12121212');
    await f.press('**');
    await f.press(`${COURIER.id}#`);
    expect(f.screen()).toEqual({ id: 'courier-pin', entered: 0 });
    await f.press(`${COURIER.pin}#`);
    expect(f.screen()).toEqual({ id: 'courier-scan' });
    await f.scan('shop-a/T-M');
    expect(f.screen()).toEqual({ id: 'courier-door', compartment: 'A02', size: 'M', action: 'load', doorOpen: false });
    await f.door('A02', true);
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'courier-scan', stored: 'A02' });
    expect(f.k.store.parcels.get('shop-a', 'T-M')).toMatchObject({ state: 'stored', compartmentId: 'A02' });
    await f.press('*');
    expect(f.screen()).toEqual({ id: 'idle' });
  });

  it('a courier badge scanned at idle asks for the PIN; a wrong PIN is denied', async () => {
    f = await flowKiosk();
    await f.scan(`courier:${COURIER.id}`);
    expect(f.screen()).toEqual({ id: 'courier-pin', entered: 0 });
    await f.press('999999#');
    expect(f.screen()).toMatchObject({ id: 'denied', reason: 'wrong-code' });
    await f.press(`${COURIER.pin}#`);
    expect(f.screen().id).toBe('courier-scan');
  });

  it('refuses to load a parcel with neither a verifier nor a slip, saying why', async () => {
    f = await flowKiosk();
    await f.announced('T-NONE', null);
    await f.scan(`courier:${COURIER.id}`);
    await f.press(`${COURIER.pin}#`);
    await f.scan('shop-a/T-NONE');
    expect(f.screen()).toEqual({ id: 'refused', reason: 'no-proof-possible' });
    expect(f.k.store.parcels.get('shop-a', 'T-NONE')?.state).toBe('expected');
    expect(f.pulses('A02')).toBe(0);
  });

  it('a clerk badge starts the counter; checking a parcel in reports it with no compartment', async () => {
    f = await flowKiosk();
    await f.scan(`clerk:${CLERK.id}`);
    expect(f.screen()).toEqual({ id: 'staff-pin', role: 'clerk', entered: 0 });
    await f.press(`${CLERK.pin}#`);
    expect(f.screen()).toEqual({ id: 'counter-scan' });
    await f.scan(await f.slip('T-C', '12121212'));
    expect(f.screen()).toEqual({ id: 'counter-number' });
    await f.scan('shop-a/T-C');
    expect(f.screen()).toEqual({ id: 'counter-scan', checkedIn: 'T-C' });
    expect(f.k.store.parcels.get('shop-a', 'T-C')).toMatchObject({ state: 'stored', compartmentId: null });
  });

  it('an operator opens a compartment with a reason, takes one out of service, and a recipient is refused there', async () => {
    f = await flowKiosk();
    await f.stored('T-O', '12121212', 'A03');
    await f.press('**');
    await f.press(`${OPERATOR.id}#${OPERATOR.pin}#`);
    const menu = f.screen();
    expect(menu).toMatchObject({ id: 'operator-menu' });
    expect((menu as { compartments: unknown[] }).compartments).toContainEqual({ id: 'A03', state: 'occupied', doorOpen: false });
    // open A01 (first in the list) for reason 4
    await f.press('1#');
    expect(f.screen()).toEqual({ id: 'operator-compartment', compartment: 'A01' });
    await f.press('1');
    expect(f.screen()).toEqual({ id: 'operator-reason', compartment: 'A01', action: 'open' });
    await f.press('4#');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A01', action: 'open' });
    expect(f.pulses('A01')).toBe(1);
    expect(f.k.store.audit.ofKind('operator.open').at(-1)).toMatchObject({ compartmentId: 'A01', detail: `operator ${OPERATOR.id}: reason 4` });
    await f.door('A01', true);
    await f.door('A01', false);
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'kiosk.alarm')).toHaveLength(0); // expected, not forced
    // the door closed: back on the menu; take A03 out of service
    expect(f.screen().id).toBe('operator-menu');
    await f.press('3#2');
    await f.press('7#');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A03', action: 'out-of-service' });
    await f.press('**'); // back to the menu, then signed out
    expect(f.screen()).toEqual({ id: 'idle' });
    await f.scan('shop-a/T-O');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'out-of-service' });
    expect(f.pulses('A03')).toBe(0);
  });

  it('setService: the whole kiosk out shows out-of-service and starts no recipient; listed compartments refuse', async () => {
    f = await flowKiosk();
    await f.stored('T-S', '12121212', 'A02');
    f.k.kiosk.setService({ whole: true, compartments: [] });
    expect(f.screen()).toEqual({ id: 'out-of-service' });
    await f.press('1#');
    await f.scan('shop-a/T-S');
    expect(f.screen()).toEqual({ id: 'out-of-service' });
    f.k.kiosk.setService({ whole: false, compartments: ['A02'] });
    expect(f.screen()).toEqual({ id: 'idle' });
    await f.scan('shop-a/T-S');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'out-of-service' });
    f.k.kiosk.setService({ whole: false, compartments: [] });
    await f.press('*');
    await f.scan('shop-a/T-S');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
  });
});

describe('online-only parcels (a verifier without its key)', () => {
  it('derives K_verify with the verifier salt and asks the seller; a silent seller means try later', async () => {
    let answer: 'ok' | null = null;
    const { asked, link } = fakeLink(() => (answer ? { result: answer } : null));
    f = await flowKiosk(undefined, link);
    await f.announced('T-ON', '12121212', { key: false });
    await f.scan(`courier:${COURIER.id}`);
    await f.press(`${COURIER.pin}#`);
    await f.scan('shop-a/T-ON');
    await f.door('A02', true);
    await f.door('A02', false);
    await f.press('*');
    await f.scan('shop-a/T-ON');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'try-later' });
    expect(asked).toHaveLength(1);
    expect(asked[0].salt.toString('base64url')).toBe(f.k.store.parcels.get('shop-a', 'T-ON')!.verifier!.salt);
    answer = 'ok';
    await f.press('*');
    await f.scan('shop-a/T-ON');
    await f.press('12121212#');
    expect(f.screen()).toMatchObject({ id: 'door-open', compartment: 'A02' });
    expect(asked).toHaveLength(2);
  });
});
