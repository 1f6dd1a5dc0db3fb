import { afterEach, describe, expect, it } from 'vitest';
import { b64uDecode } from '../../../src/domain/index.js';
import type { OutboxRow } from '../../../src/store/index.js';
import { COURIER, flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

/** The event bodies of one kind in the outbox. */
function events(k: FlowKiosk, kind: string): Array<Record<string, unknown>> {
  return k.k.store.outbox
    .all()
    .filter((r: OutboxRow) => r.kind === kind)
    .map((r) => JSON.parse((b64uDecode((JSON.parse(r.payload.toString('utf8')) as { body: string }).body) as Buffer).toString('utf8')) as Record<string, unknown>);
}

async function courier(k: FlowKiosk): Promise<void> {
  await k.scan(`courier:${COURIER.id}`);
  await k.press(`${COURIER.pin}#`);
  expect(k.screen()).toEqual({ id: 'courier-scan' });
}

/** A2 and A3 (both M) have item sensors; A01 and A04 have none. */
const sensed = (): Promise<FlowKiosk> => flowKiosk(undefined, undefined, { itemSensors: ['A02', 'A03'] });

describe('a courier load with an item sensor', () => {
  it('is stored when the item is inside after the door closes', async () => {
    f = await sensed();
    await f.announced('T-IN', '12121212');
    await courier(f);
    await f.scan('shop-a/T-IN');
    expect(f.screen()).toMatchObject({ id: 'courier-door', compartment: 'A02' });
    await f.door('A02', true);
    await f.putItem('A02');
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'courier-scan', stored: 'A02' });
    expect(f.k.store.parcels.get('shop-a', 'T-IN')).toMatchObject({ state: 'stored', compartmentId: 'A02' });
    expect(f.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(events(f, 'parcel.arrived')).toEqual([expect.objectContaining({ txn: 'T-IN', lockerId: 'A02' })]);
  });

  it('closed empty: nothing stored, the screen says so, the compartment is free, nothing reported', async () => {
    f = await sensed();
    await f.announced('T-OUT', '12121212');
    await courier(f);
    await f.scan('shop-a/T-OUT');
    await f.door('A02', true);
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'courier-empty', compartment: 'A02' });
    expect(f.k.store.parcels.get('shop-a', 'T-OUT')).toMatchObject({ state: 'expected', compartmentId: null });
    expect(f.k.store.compartments.get('A02')).toMatchObject({ state: 'free', note: null });
    expect(events(f, 'parcel.arrived')).toHaveLength(0);
    expect(f.k.store.audit.ofKind('load.cancelled').at(-1)).toMatchObject({ txn: 'T-OUT', compartmentId: 'A02', detail: 'door closed empty' });
    // The courier goes on from there: the same parcel loads again, this time with the item inside.
    await f.scan('shop-a/T-OUT');
    expect(f.screen()).toMatchObject({ id: 'courier-door', compartment: 'A02' });
    await f.door('A02', true);
    await f.putItem('A02');
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'courier-scan', stored: 'A02' });
    expect(events(f, 'parcel.arrived')).toHaveLength(1);
  });

  it('closed empty with a slip-only parcel: the load leaves no trace', async () => {
    f = await sensed();
    await courier(f);
    await f.scan(await f.slip('T-SO', '12121212'));
    await f.scan('shop-a/T-SO');
    await f.press('2');
    expect(f.screen()).toMatchObject({ id: 'courier-door', compartment: 'A02' });
    await f.door('A02', true);
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'courier-empty', compartment: 'A02' });
    expect(f.k.store.parcels.get('shop-a', 'T-SO')).toBeNull();
    expect(f.k.store.compartments.get('A02')?.state).toBe('free');
    expect(f.k.store.outbox.all()).toHaveLength(0);
  });

  it('a compartment without a sensor stores the load as before, with nothing sensed', async () => {
    f = await sensed();
    f.k.store.compartments.setState('A02', 'check', 'out of service: test', f.clock.now());
    f.k.store.compartments.setState('A03', 'check', 'out of service: test', f.clock.now());
    await f.announced('T-NS', '12121212');
    await courier(f);
    await f.scan('shop-a/T-NS');
    expect(f.screen()).toMatchObject({ id: 'courier-door', compartment: 'A04' });
    await f.door('A04', true);
    await f.door('A04', false);
    expect(f.screen()).toEqual({ id: 'courier-scan', stored: 'A04' });
    expect(events(f, 'parcel.arrived')).toEqual([expect.objectContaining({ txn: 'T-NS', lockerId: 'A04' })]);
  });
});

/** T-P stored in A02 with the parcel inside, the right code typed: the door is unlocked. */
async function unlockedFor(k: FlowKiosk): Promise<void> {
  await k.stored('T-P', '12121212', 'A02');
  await k.putItem('A02');
  await k.scan('shop-a/T-P');
  await k.press('12121212#');
  expect(k.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
}

describe('a pickup with an item sensor', () => {
  it('is handed over when the door has closed and the item is gone', async () => {
    f = await sensed();
    await unlockedFor(f);
    await f.door('A02', true);
    await f.takeItem('A02');
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'thanks', compartment: 'A02' });
    expect(f.k.store.parcels.get('shop-a', 'T-P')?.state).toBe('handed_over');
    expect(f.k.store.compartments.get('A02')?.state).toBe('free');
    expect(events(f, 'parcel.handed_over')).toEqual([expect.objectContaining({ txn: 'T-P', lockerId: 'A02' })]);
  });

  it('door closed with the item inside: says so, stays stored, no receipt; # reopens within the grace, and the receipt then proves it left', async () => {
    f = await sensed();
    await unlockedFor(f);
    await f.door('A02', true);
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'item-inside', compartment: 'A02', reopen: true });
    expect(f.k.store.parcels.get('shop-a', 'T-P')).toMatchObject({ state: 'stored', compartmentId: 'A02', handover: null });
    expect(f.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(events(f, 'parcel.handed_over')).toHaveLength(0);
    expect(f.k.store.audit.ofKind('handover.item-inside').at(-1)).toMatchObject({ txn: 'T-P', compartmentId: 'A02' });
    expect(f.pulses('A02')).toBe(1);

    await f.press('#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
    expect(f.pulses('A02')).toBe(2);
    await f.door('A02', true);
    await f.takeItem('A02');
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'thanks', compartment: 'A02' });
    expect(f.k.store.parcels.get('shop-a', 'T-P')?.state).toBe('handed_over');
    const receipts = events(f, 'parcel.handed_over');
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ txn: 'T-P', lockerId: 'A02', method: 'slip' });
    expect(typeof receipts[0]?.recipientProof).toBe('string');
  });

  it('after the open grace # no longer opens the door; the code does', async () => {
    f = await flowKiosk((c) => (c.doors.openGraceMs = 10_000), undefined, { itemSensors: ['A02'] });
    await unlockedFor(f);
    await f.door('A02', true);
    await f.door('A02', false);
    await f.advance(10_000);
    expect(f.screen()).toEqual({ id: 'item-inside', compartment: 'A02', reopen: true });
    await f.press('#');
    expect(f.screen()).toEqual({ id: 'item-inside', compartment: 'A02', reopen: false });
    expect(f.pulses('A02')).toBe(1);
    // The parcel is still collectable with its code.
    await f.scan('shop-a/T-P');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
    expect(f.pulses('A02')).toBe(2);
  });

  it('a restart finds a handover seen open and closed with the item still inside: not handed over', async () => {
    f = await sensed();
    await unlockedFor(f);
    await f.door('A02', true);
    await f.restart();
    // The new bank starts with every door closed and the item still inside.
    expect(f.k.store.parcels.get('shop-a', 'T-P')).toMatchObject({ state: 'stored', handover: null });
    expect(f.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(events(f, 'parcel.handed_over')).toHaveLength(0);
  });

  it('a compartment without a sensor hands over on the door alone, as before', async () => {
    f = await sensed();
    await f.stored('T-N', '12121212', 'A04');
    await f.scan('shop-a/T-N');
    await f.press('12121212#');
    await f.door('A04', true);
    await f.door('A04', false);
    expect(f.screen()).toEqual({ id: 'thanks', compartment: 'A04' });
    expect(events(f, 'parcel.handed_over')).toHaveLength(1);
  });
});

describe('a courier taking a parcel back, with an item sensor', () => {
  it('door closed with the parcel still inside: not returned, the screen says so; taken out, it is returned', async () => {
    f = await sensed();
    await f.stored('T-R', '12121212', 'A02', { holdUntil: f.clock.now() - 1 });
    await f.putItem('A02');
    f.k.kiosk.sweep();
    await f.scan(`courier:${COURIER.id}`);
    await f.press(`${COURIER.pin}#`);
    expect(f.screen()).toEqual({ id: 'courier-scan', takeBack: 1 });
    await f.scan('shop-a/T-R');
    expect(f.screen()).toMatchObject({ id: 'courier-door', compartment: 'A02', action: 'take-back' });
    await f.door('A02', true);
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'courier-still-inside', compartment: 'A02' });
    expect(f.k.store.parcels.get('shop-a', 'T-R')).toMatchObject({ state: 'stored', compartmentId: 'A02' });
    expect(f.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(events(f, 'parcel.returned')).toHaveLength(0);
    expect(f.k.store.audit.ofKind('return.item-inside')).toHaveLength(1);
    await f.scan('shop-a/T-R');
    await f.door('A02', true);
    await f.takeItem('A02');
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'courier-scan' });
    expect(f.k.store.parcels.get('shop-a', 'T-R')?.state).toBe('returned');
    expect(f.k.store.compartments.get('A02')?.state).toBe('free');
    expect(events(f, 'parcel.returned')).toEqual([expect.objectContaining({ txn: 'T-R', lockerId: 'A02' })]);
  });
});

describe('a pickup by tag, with an item sensor', () => {
  it('door closed on the parcel: item-inside, # opens it again for the same tag and code, one receipt after it is taken', async () => {
    f = await flowKiosk((c) => (c.devices.card = { driver: 'sim' }), undefined, { itemSensors: ['A02'] });
    await f.stored('T-TAG', '12121212', 'A02');
    await f.putItem('A02');
    const slip = f.k.store.parcels.get('shop-a', 'T-TAG')?.slip as string;
    f.k.sims!.card!.insertTag(slip);
    await f.settle();
    expect(f.screen()).toMatchObject({ id: 'enter-code', via: 'tag' });
    await f.press('12121212#');
    expect(f.screen()).toMatchObject({ id: 'door-open', compartment: 'A02' });
    await f.door('A02', true);
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'item-inside', compartment: 'A02', reopen: true });
    expect(events(f, 'parcel.handed_over')).toHaveLength(0);
    await f.press('#');
    expect(f.screen()).toMatchObject({ id: 'door-open', compartment: 'A02' });
    expect(f.pulses('A02')).toBe(2);
    await f.door('A02', true);
    await f.takeItem('A02');
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'thanks', compartment: 'A02' });
    expect(events(f, 'parcel.handed_over')).toEqual([expect.objectContaining({ txn: 'T-TAG', method: 'token' })]);
  });
});
