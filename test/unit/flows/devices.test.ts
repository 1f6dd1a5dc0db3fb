import { afterEach, describe, expect, it } from 'vitest';
import { flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

const mine = Buffer.alloc(512, 0x5a);

describe('a conversation ends every device wait it started', () => {
  it('a fingerprint capture ends with `*`: the parcel named again takes the finger at once', async () => {
    f = await flowKiosk((c) => {
      c.devices.fingerprint = { driver: 'sim' };
    });
    await f.stored('T-F', '12121212', 'A02');
    f.k.store.parcels.update('shop-a', 'T-F', { bio: { format: 'r30x-char', template: mine.toString('base64url') } }, f.clock.now());
    await f.scan('shop-a/T-F');
    expect(f.screen()).toEqual({ id: 'enter-code', txn: 'T-F', entered: 0, finger: true });
    await f.press('*');
    expect(f.screen()).toEqual({ id: 'idle' });
    await f.scan('shop-a/T-F');
    expect(f.screen()).toMatchObject({ id: 'enter-code', finger: true });
    f.k.sims!.fingerprint!.placeFinger(mine);
    await f.settle();
    await f.settle();
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
  });

  it('money put in, then `*`: the acceptor stops taking money and what was paid stays credited', async () => {
    f = await flowKiosk();
    await f.stored('T-P', '12121212', 'A02');
    f.k.store.parcels.update('shop-a', 'T-P', { due: { amount: 500, currency: 'JPY' } }, f.clock.now());
    await f.scan('shop-a/T-P');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'pay', txn: 'T-P', due: { amount: 500, currency: 'JPY' }, paid: { amount: 0, currency: 'JPY' } });
    expect(await f.k.sims!.cash!.insert(200, 'JPY')).toBe(true);
    await f.settle();
    await f.press('*');
    expect(f.screen()).toEqual({ id: 'idle' });
    await f.settle();
    expect(await f.k.sims!.cash!.insert(100, 'JPY')).toBe(false);
    expect(f.k.store.parcels.get('shop-a', 'T-P')?.paidAmount).toBe(200);
  });
});
