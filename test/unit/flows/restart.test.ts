import { afterEach, describe, expect, it } from 'vitest';
import { OPERATOR, flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

/** The recipient's code for T-1 up to the door screen; the unlock pulse is sent. */
async function unlocked(k: FlowKiosk): Promise<void> {
  await k.stored('T-1', '12121212', 'A02');
  await k.scan('shop-a/T-1');
  await k.press('12121212#');
  expect(k.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
  expect(k.pulses('A02')).toBe(1);
}

describe('restart recovery of what nobody saw the end of (in process, fake time)', () => {
  it('a door unlocked when the kiosk died and closed at the restart: its code opens nothing until staff have looked', async () => {
    f = await flowKiosk();
    await unlocked(f);
    // The kiosk dies before it sees the door open: the person may have opened it,
    // taken the parcel and shut it while it was down. It starts with the door closed.
    await f.restart();
    // Stored again, the receipt of that unlock kept for when staff have looked.
    expect(f.k.store.parcels.get('shop-a', 'T-1')).toMatchObject({ state: 'stored', compartmentId: 'A02', handover: expect.objectContaining({ method: 'slip' }) });
    expect(f.k.store.compartments.get('A02')?.state).toBe('check');
    expect(f.k.store.audit.ofKind('unlock.unknown').at(-1)).toMatchObject({ txn: 'T-1', compartmentId: 'A02' });
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(0);
    expect(f.k.store.compartments.get('A02')?.note).toContain('content unknown');
    // The same code again: the (maybe empty) door stays shut.
    await f.scan('shop-a/T-1');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'out-of-service' });
    expect(f.pulses('A02')).toBe(0);
    await f.advance(30_000);

    // Staff look inside, find the parcel and put the compartment back: it is collectable again.
    await f.press('**');
    await f.press(`${OPERATOR.id}#${OPERATOR.pin}#`);
    const menu = f.screen();
    expect(menu).toMatchObject({ id: 'operator-menu' });
    expect((menu as { compartments: unknown[] }).compartments).toContainEqual({ id: 'A02', state: 'out-of-service', doorOpen: false });
    await f.press('2#3');
    await f.press('5#');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A02', action: 'in-service' });
    expect(f.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(f.k.store.parcels.get('shop-a', 'T-1')?.handover).toBeNull();
    await f.press('**');
    expect(f.screen()).toEqual({ id: 'idle' });
    await f.scan('shop-a/T-1');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
    await f.door('A02', true);
    await f.door('A02', false);
    expect(f.k.store.parcels.get('shop-a', 'T-1')?.state).toBe('handed_over');
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(1);
  });

  it('a door seen open before the kiosk died and closed at the restart: handed over once, the code then opens nothing', async () => {
    f = await flowKiosk();
    await unlocked(f);
    await f.door('A02', true);
    await f.restart();
    expect(f.k.store.parcels.get('shop-a', 'T-1')?.state).toBe('handed_over');
    expect(f.k.store.compartments.get('A02')?.state).toBe('free');
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(1);
    await f.scan('shop-a/T-1');
    await f.press('12121212#');
    expect(f.screen().id).not.toBe('door-open');
    expect(f.pulses('A02')).toBe(0);
  });

  it('a load interrupted by a restart: its compartment is held for staff, and the slip-only parcel stays known beside it', async () => {
    f = await flowKiosk();
    const slip = await f.slip('T-L', '34343434');
    f.k.store.parcels.insert({ sellerId: 'shop-a', txn: 'T-L', state: 'loading', compartmentId: 'A03', slip, size: 'M' }, f.clock.now());
    f.k.store.compartments.setState('A03', 'reserved', 'loading T-L', f.clock.now());
    await f.restart();
    expect(f.k.store.compartments.get('A03')).toMatchObject({ state: 'check', note: 'load of shop-a/T-L interrupted by a restart: the parcel may be inside' });
    // Not forgotten: its slip (the only way its recipient's code can open anything) is kept.
    expect(f.k.store.parcels.get('shop-a', 'T-L')).toMatchObject({ state: 'expected', compartmentId: 'A03', slip });
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.arrived')).toHaveLength(0);
    // Put back in service without saying what was found: refused, it may hold the parcel.
    await f.press('**');
    await f.press(`${OPERATOR.id}#${OPERATOR.pin}#`);
    await f.press('3#3');
    await f.press('5#');
    expect(f.screen()).toEqual({ id: 'refused', reason: 'say-what-found', compartment: 'A03' });
    expect(f.k.store.compartments.get('A03')?.state).toBe('check');
    // Staff look inside and find the parcel: stored now, reported as arrived.
    await f.press('#');
    await f.press('3#5');
    expect(f.screen()).toEqual({ id: 'operator-reason', compartment: 'A03', action: 'checked-inside' });
    await f.press('7#');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A03', action: 'checked-inside' });
    expect(f.k.store.compartments.get('A03')?.state).toBe('occupied');
    expect(f.k.store.parcels.get('shop-a', 'T-L')).toMatchObject({ state: 'stored', compartmentId: 'A03' });
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.arrived')).toHaveLength(1);
    expect(f.k.store.audit.ofKind('compartment.checked').at(-1)).toMatchObject({ compartmentId: 'A03', txn: 'T-L', detail: `operator ${OPERATOR.id}: parcel inside: reason 7; T-L stored` });
    await f.press('**');
    // Its recipient collects it with the slip's code.
    await f.scan('shop-a/T-L');
    await f.press('34343434#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A03', size: 'M' });
  });
});
