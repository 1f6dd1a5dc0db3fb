import { afterEach, describe, expect, it } from 'vitest';
import { flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

const auth = { method: 'slip' as const, salt: Buffer.alloc(16, 1), kReceipt: Buffer.alloc(32, 2) };

describe('custody applied: one transaction per transition, with its audit row and its event', () => {
  it('a handover finishes once: a second finish is refused and reports nothing', async () => {
    f = await flowKiosk();
    await f.stored('T-1', '12121212', 'A02');
    const c = f.k.kiosk.custody;
    const w = { sellerId: 'shop-a', txn: 'T-1' };
    expect(c.startHandover(w, auth, null)).toMatchObject({ ok: true });
    expect(c.startHandover(w, auth, null)).toMatchObject({ ok: false, refused: 'wrong-state', state: 'handing-over' });
    expect(c.finishHandover(w)).toEqual({ ok: true, compartmentId: 'A02' });
    expect(c.finishHandover(w)).toMatchObject({ ok: false, refused: 'wrong-state', state: 'handed-over' });
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(1);
    expect(f.k.store.audit.ofKind('parcel.handed_over')).toHaveLength(1);
    expect(f.k.store.compartments.get('A02')?.state).toBe('free');
  });

  it('the counter hands over through the same transition, in one step', async () => {
    f = await flowKiosk();
    f.k.store.parcels.insert({ sellerId: 'shop-a', txn: 'T-C', state: 'stored', compartmentId: null, holdUntil: f.clock.now() + 1000 }, f.clock.now());
    const c = f.k.kiosk.custody;
    expect(c.handOverAtCounter({ sellerId: 'shop-a', txn: 'T-C' }, auth, { amount: 5, currency: 'JPY', means: 'counter' }, '8001')).toEqual({ ok: true, compartmentId: null });
    expect(c.handOverAtCounter({ sellerId: 'shop-a', txn: 'T-C' }, auth, null, '8001')).toMatchObject({ ok: false });
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(1);
  });

  it('a handover past the hold is refused and the parcel reported uncollected in that transaction', async () => {
    f = await flowKiosk();
    await f.stored('T-H', '12121212', 'A02', { holdUntil: f.clock.now() });
    const r = f.k.kiosk.custody.startHandover({ sellerId: 'shop-a', txn: 'T-H' }, auth, null);
    expect(r).toEqual({ ok: false, refused: 'hold-passed', holdUntil: f.clock.now() });
    expect(f.k.store.parcels.get('shop-a', 'T-H')).toMatchObject({ state: 'stored', uncollectedAt: f.clock.now(), handover: null });
    expect(f.k.store.outbox.all().map((o) => o.kind)).toEqual(['parcel.uncollected']);
  });

  it('an undone load of a parcel nobody announced forgets it; the compartment is checked when the door may hold something', async () => {
    f = await flowKiosk();
    const c = f.k.kiosk.custody;
    expect(c.startLoad({ sellerId: 'shop-a', txn: 'T-L', slip: 'PKS1.x', size: 'M' }, 'A02', '7001')).toEqual({ ok: true });
    expect(c.startLoad({ sellerId: 'shop-a', txn: 'T-L2', slip: 'PKS1.y', size: 'M' }, 'A02', '7001')).toMatchObject({ ok: false, refused: 'compartment' });
    c.undoLoad({ sellerId: 'shop-a', txn: 'T-L' }, 'A02', { audit: 'test', fault: 'door may hold something' });
    expect(f.k.store.parcels.get('shop-a', 'T-L')).toBeNull();
    expect(f.k.store.compartments.get('A02')?.state).toBe('check');
  });
});
