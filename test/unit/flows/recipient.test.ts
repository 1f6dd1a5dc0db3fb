import { afterEach, describe, expect, it } from 'vitest';
import type { FlowContext } from '../../../src/flows/context.js';
import { openedAhead } from '../../../src/flows/verify.js';
import { flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

describe('a recipient at the keypad (in process, fake time)', () => {
  it('opens the right door for the right code and thanks; idle then carries nothing', async () => {
    f = await flowKiosk();
    await f.stored('T-1', '12121212', 'A02');
    await f.scan('shop-a/T-1');
    expect(f.screen()).toEqual({ id: 'enter-code', txn: 'T-1', entered: 0 });
    await f.press('12121212');
    expect(f.screen()).toEqual({ id: 'enter-code', txn: 'T-1', entered: 8 });
    await f.press('#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
    expect(f.pulses('A02')).toBe(1);
    // a door screen stays while its door is open
    await f.door('A02', true);
    await f.advance(10 * 60_000);
    expect(f.screen().id).toBe('door-open');
    await f.door('A02', false);
    expect(f.screen()).toEqual({ id: 'thanks', compartment: 'A02' });
    await f.advance(30_000);
    expect(f.screen()).toEqual({ id: 'idle' });
  });

  it('every outcome screen goes back to an empty idle after 30 s (not-found, locked-out)', async () => {
    f = await flowKiosk((c) => {
      c.attempts.perParcel = 1;
    });
    await f.press('123456#');
    expect(f.screen()).toEqual({ id: 'not-found' });
    await f.advance(29_999);
    expect(f.screen().id).toBe('not-found');
    await f.advance(1);
    expect(f.screen()).toEqual({ id: 'idle' });
    await f.stored('T-L', '12121212', 'A02');
    await f.scan('shop-a/T-L');
    await f.press('99999999#');
    expect(f.screen()).toEqual({ id: 'locked-out', who: 'parcel' });
    await f.advance(30_000);
    expect(f.screen()).toEqual({ id: 'idle' });
  });

  it('never shows "0 tries left" beside a prompt: the last wrong code locks the parcel out', async () => {
    f = await flowKiosk((c) => {
      c.attempts.parcelFreeFailures = 100;
    });
    await f.stored('T-0', '12121212', 'A02');
    await f.scan('shop-a/T-0');
    const seen: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      await f.press(`9999999${i}#`);
      seen.push(f.screen());
    }
    expect(seen.slice(0, 9).map((s) => (s as { triesLeft: number }).triesLeft)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(seen[9]).toEqual({ id: 'locked-out', who: 'parcel' });
    expect(f.pulses('A02')).toBe(0);
  });

  it('a wait between tries on one parcel has its end time, keeps what was typed, and never follows a prompt', async () => {
    f = await flowKiosk();
    await f.stored('T-W', '12121212', 'A02');
    await f.scan('shop-a/T-W');
    await f.press('99999991#');
    expect(f.screen()).toEqual({ id: 'denied', triesLeft: 9, reason: 'wrong-code' });
    // a prompt means go: the next try is checked at once
    await f.press('99999992#');
    const t = f.clock.now();
    // the second wrong code starts the wait right away, with the tries left
    expect(f.screen()).toEqual({ id: 'wait', until: t + 10_000, entered: 0, why: 'parcel', triesLeft: 8 });
    await f.press('1212');
    expect(f.screen()).toMatchObject({ id: 'wait', until: t + 10_000, entered: 4 });
    await f.press('1212#');
    expect(f.screen()).toMatchObject({ id: 'wait', entered: 8 });
    await f.advance(10_000);
    expect(f.screen()).toEqual({ id: 'enter-code', txn: 'T-W', entered: 8 });
    await f.press('#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
  });

  it('the right code for another parcel is not made to wait after five wrong codes for one parcel', async () => {
    f = await flowKiosk((c) => {
      c.attempts.parcelFreeFailures = 100;
    });
    await f.stored('T-A', '12121212', 'A02');
    await f.stored('T-B', '34343434', 'A03');
    await f.scan('shop-a/T-A');
    for (let i = 0; i < 5; i++) await f.press(`9999999${i}#`);
    expect(f.screen()).toMatchObject({ id: 'denied', triesLeft: 5 });
    await f.press('*');
    await f.scan('shop-a/T-B');
    expect(f.screen().id).toBe('enter-code');
    await f.press('34343434#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A03' });
  });

  it('counts a spray exactly: wrong codes on two parcels cost nothing, the third parcel starts a 30 s wait', async () => {
    f = await flowKiosk();
    for (const [t, c] of [['S-1', 'A01'], ['S-2', 'A02'], ['S-3', 'A03'], ['S-4', 'A04']]) await f.stored(t, '12121212', c);
    for (const t of ['S-1', 'S-2']) {
      await f.scan(`shop-a/${t}`);
      await f.press('99999999#');
      expect(f.screen().id).toBe('denied');
    }
    await f.scan('shop-a/S-3');
    await f.press('99999999#');
    expect(f.screen()).toMatchObject({ id: 'wait', why: 'kiosk', until: f.clock.now() + 30_000 });
    await f.scan('shop-a/S-4');
    expect(f.screen()).toMatchObject({ id: 'wait', why: 'kiosk' });
  });

  it('`*` is back everywhere; a single `*` never leads into staff sign-in', async () => {
    f = await flowKiosk();
    await f.press('*');
    expect(f.screen()).toEqual({ id: 'idle' });
    await f.press('12*');
    expect(f.screen()).toEqual({ id: 'idle' });
    await f.press('5#');
    expect(f.screen()).toEqual({ id: 'not-found' });
    await f.press('*');
    expect(f.screen()).toEqual({ id: 'idle' });
    expect(f.k.kiosk.conversation).toBeNull();
    await f.advance(5_000);
    await f.press('*');
    await f.advance(5_000);
    await f.press('*');
    expect(f.screen()).toEqual({ id: 'idle' }); // two `*` far apart are not the staff way in
    await f.advance(5_000);
    await f.press('**');
    expect(f.screen()).toEqual({ id: 'courier-id', digits: '' });
  });

  it('refuses a parcel at the moment its hold passes, and reports it uncollected then', async () => {
    f = await flowKiosk((c) => {
      c.hold.sweepMs = 3_600_000; // the sweep is not what catches it
    });
    const holdUntil = f.clock.now() + 5_000;
    await f.stored('T-H', '12121212', 'A02', { holdUntil });
    await f.scan('shop-a/T-H');
    await f.press('1212121');
    await f.advance(5_000);
    await f.press('2#');
    expect(f.screen()).toEqual({ id: 'contact-seller', reason: 'returning' });
    expect(f.pulses('A02')).toBe(0);
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.uncollected')).toHaveLength(1);
    expect(f.k.store.parcels.get('shop-a', 'T-H')?.uncollectedAt).toBe(f.clock.now());
    // and the sweep does not send it twice
    f.k.kiosk.sweep();
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.uncollected')).toHaveLength(1);
  });

  it('the uncollected sweep runs at the configured interval', async () => {
    f = await flowKiosk((c) => {
      c.hold.sweepMs = 5_000;
    });
    await f.stored('T-S', '12121212', 'A02', { holdUntil: f.clock.now() + 1_000 });
    await f.advance(5_000);
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.uncollected')).toHaveLength(1);
  });
});

describe('the slip opened while the code is typed', () => {
  it('opens the door with the slip checked ahead, and still refuses when the seller key expires before `#`', async () => {
    // The seller's key stops being trusted 35 s after the kiosk starts (its fake clock starts now).
    const notAfter = new Date(Date.now() + 35_000).toISOString();
    f = await flowKiosk((c) => {
      c.trust.sellers['shop-a'] = [{ key: (c.trust.sellers['shop-a'][0] as string), notAfter }];
    });
    await f.stored('T-A', '12121212', 'A01');
    await f.stored('T-B', '34343434', 'A02');
    const ctx = (f.k.kiosk as unknown as { ctx: FlowContext }).ctx;
    const slipOf = (txn: string): string => f!.k.store.parcels.get('shop-a', txn)!.slip!;
    await f.scan('shop-a/T-A');
    expect(openedAhead(ctx, slipOf('T-A'))).toBe(true);
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A01' });
    await f.door('A01', true);
    await f.door('A01', false);
    await f.advance(30_000);
    // Scanned (and its slip opened) while the key stands; the code typed after it expired.
    await f.scan('shop-a/T-B');
    expect(f.screen()).toMatchObject({ id: 'enter-code', txn: 'T-B' });
    expect(openedAhead(ctx, slipOf('T-B'))).toBe(true);
    await f.advance(10_000);
    await f.press('34343434');
    expect(f.screen()).toMatchObject({ id: 'enter-code', txn: 'T-B', entered: 8 });
    await f.press('#');
    expect(f.screen()).toMatchObject({ id: 'contact-seller' });
    expect(f.pulses('A02')).toBe(0);
    expect(f.k.store.parcels.get('shop-a', 'T-B')?.state).toBe('stored');
  });
});
