import { afterEach, describe, expect, it } from 'vitest';
import { COURIER, OPERATOR, flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

/** A courier loads T-S known only from its slip (no manifest entry) into A02 (size M). */
async function slipOnlyLoad(k: FlowKiosk): Promise<string> {
  const slip = await k.slip('T-S', '56565656');
  await k.scan(`courier:${COURIER.id}`);
  await k.press(`${COURIER.pin}#`);
  await k.scan(slip);
  await k.scan('shop-a/T-S');
  await k.press('2');
  expect(k.screen()).toEqual({ id: 'courier-door', compartment: 'A02', size: 'M', action: 'load', doorOpen: false });
  return slip;
}

async function operatorMarks(k: FlowKiosk, key: '4' | '5'): Promise<void> {
  await k.press('**');
  await k.press(`${OPERATOR.id}#${OPERATOR.pin}#`);
  expect(k.screen()).toMatchObject({ id: 'operator-menu' });
  await k.press(`2#${key}`); // A02 is second in the list
  await k.press('9#');
}

describe('a slip-only parcel whose load is cancelled', () => {
  it('door opened and left open until the load is cancelled: the parcel stays known beside its compartment', async () => {
    f = await flowKiosk();
    const slip = await slipOnlyLoad(f);
    await f.door('A02', true);
    await f.advance(f.config.doors.closeTimeoutMs);
    expect(f.screen()).toEqual({ id: 'error', reason: 'door-fault', compartment: 'A02' });
    expect(f.k.store.compartments.get('A02')).toMatchObject({ state: 'check', note: 'load cancelled: door not closed in time' });
    // The parcel may be inside: its slip is kept, linked to the compartment; nothing is reported as arrived.
    expect(f.k.store.parcels.get('shop-a', 'T-S')).toMatchObject({ state: 'expected', compartmentId: 'A02', slip });
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.arrived')).toHaveLength(0);
    expect(f.k.store.audit.ofKind('load.cancelled').at(-1)).toMatchObject({ txn: 'T-S', detail: 'door not closed in time; the parcel may be inside' });
    // Its recipient cannot collect it yet.
    await f.press('*');
    await f.door('A02', false);
    await f.scan('shop-a/T-S');
    expect(f.screen()).toEqual({ id: 'not-found' });
    await f.press('*');

    // Staff find it inside: stored and reported.
    await operatorMarks(f, '5');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A02', action: 'checked-inside' });
    expect(f.k.store.parcels.get('shop-a', 'T-S')).toMatchObject({ state: 'stored', compartmentId: 'A02' });
    expect(f.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.arrived')).toHaveLength(1);
  });

  it('staff find the compartment empty: the load leaves no trace and the compartment is free', async () => {
    f = await flowKiosk();
    await slipOnlyLoad(f);
    await f.door('A02', true);
    await f.advance(f.config.doors.closeTimeoutMs);
    await f.door('A02', false);
    await f.press('*');
    await operatorMarks(f, '4');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A02', action: 'checked-empty' });
    expect(f.k.store.parcels.get('shop-a', 'T-S')).toBeNull();
    expect(f.k.store.compartments.get('A02')).toMatchObject({ state: 'free', note: null });
    expect(f.k.store.outbox.all().filter((r) => r.kind.startsWith('parcel.'))).toHaveLength(0);
    expect(f.k.store.audit.ofKind('compartment.checked').at(-1)).toMatchObject({ compartmentId: 'A02', txn: 'T-S', detail: `operator ${OPERATOR.id}: empty: reason 9; interrupted load of T-S dropped` });
  });

  it('the courier loads it again elsewhere meanwhile: the old compartment is just empty', async () => {
    f = await flowKiosk();
    const slip = await slipOnlyLoad(f);
    await f.door('A02', true);
    await f.advance(f.config.doors.closeTimeoutMs);
    await f.door('A02', false);
    // Still signed in: the courier takes the parcel and scans it again; A02 is set aside, A03 opens.
    await f.scan(slip);
    await f.scan('shop-a/T-S');
    await f.press('2');
    expect(f.screen()).toMatchObject({ id: 'courier-door', compartment: 'A03' });
    await f.door('A03', true);
    await f.door('A03', false);
    expect(f.k.store.parcels.get('shop-a', 'T-S')).toMatchObject({ state: 'stored', compartmentId: 'A03' });
    await f.press('*');
    await operatorMarks(f, '4');
    expect(f.k.store.compartments.get('A02')?.state).toBe('free');
    expect(f.k.store.parcels.get('shop-a', 'T-S')).toMatchObject({ state: 'stored', compartmentId: 'A03' });
  });

  it('a door that never opened: the load leaves no trace', async () => {
    f = await flowKiosk();
    await slipOnlyLoad(f);
    await f.advance(f.config.doors.closeTimeoutMs);
    expect(f.k.store.parcels.get('shop-a', 'T-S')).toBeNull();
    expect(f.k.store.outbox.all().filter((r) => r.kind.startsWith('parcel.'))).toHaveLength(0);
  });
});
