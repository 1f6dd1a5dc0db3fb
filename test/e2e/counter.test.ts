import { afterEach, describe, expect, it } from 'vitest';
import { hashCourierPin } from '../../src/config/index.js';
import { b64uDecode, createTrustStore, deriveS, kReceipt, openEnvelope, parseSlip, recipientProof } from '../../src/domain/index.js';
import { FAST, startHarness, toIdle, waitFor, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

const CLERK = { id: '8001', pin: '135791' };

async function clerkSignsIn(h: Harness): Promise<void> {
  await toIdle(h.hands);
  await h.hands.press('**');
  await waitFor(h.hands, 'courier-id');
  await h.hands.press(`${CLERK.id}#`);
  await h.hands.press(`${CLERK.pin}#`);
  expect((await waitFor(h.hands, 'counter-scan')).params).toEqual({});
  expect(h.k.store.audit.ofKind('clerk.signed-in').at(-1)?.detail).toBe(CLERK.id);
}

function events(h: Harness): Array<Record<string, unknown>> {
  const trust = createTrustStore({ [h.config.kioskId]: [h.k.identity.ed25519.publicKey.toString('hex')] });
  return h.k.store.outbox.all().map((r) => {
    const o = openEnvelope(r.payload, trust);
    if (!o.ok) throw new Error('event does not verify');
    return o.body;
  });
}

describe('a staffed counter', () => {
  it('a clerk checks parcels in and hands them over after the right code, collecting what is due', async () => {
    const pin = await hashCourierPin(CLERK.pin, FAST);
    h = await startHarness({ tune: (c) => void (c.clerks = [{ id: CLERK.id, pin }]) });
    const s1 = await h.slip('T-C1', '24682468', { due: { amount: 500, currency: 'JPY' } });
    const s2 = await h.slip('T-C2', '13571357');

    await clerkSignsIn(h);
    for (const [txn, slip] of [['T-C1', s1], ['T-C2', s2]] as const) {
      await h.hands.scan(slip);
      await waitFor(h.hands, 'counter-number');
      await h.hands.scan(`shop-a/${txn}`);
      expect((await waitFor(h.hands, 'counter-scan')).params).toEqual({ checkedIn: txn });
    }
    expect(events(h).map((e) => [e.type, e.txn, e.lockerId])).toEqual([
      ['parcel.arrived', 'T-C1', null],
      ['parcel.arrived', 'T-C2', null],
    ]);
    await h.hands.press('*');
    await waitFor(h.hands, 'idle');

    // without a clerk the keypad does not hand a counter parcel over
    await h.hands.scan('shop-a/T-C2');
    expect((await waitFor(h.hands, 'contact-seller')).params).toEqual({ reason: 'at-counter' });

    await clerkSignsIn(h);
    await h.hands.scan('shop-a/T-C2');
    await waitFor(h.hands, 'counter-code');
    await h.hands.press('99999999#');
    expect((await waitFor(h.hands, 'denied')).params).toEqual({ triesLeft: 9, reason: 'wrong-code' });
    await h.hands.press('13571357#');
    expect((await waitFor(h.hands, 'counter-hand-over')).params).toEqual({ txn: 'T-C2' });
    await h.hands.press('#');
    await waitFor(h.hands, 'counter-scan');
    expect(h.k.store.parcels.get('shop-a', 'T-C2')?.state).toBe('handed_over');

    await h.hands.scan('shop-a/T-C1');
    await waitFor(h.hands, 'counter-code');
    await h.hands.press('24682468#');
    expect((await waitFor(h.hands, 'counter-pay')).params).toEqual({ txn: 'T-C1', due: { amount: 500, currency: 'JPY' } });
    await h.hands.press('#');
    await waitFor(h.hands, 'counter-hand-over');
    await h.hands.press('#');
    await waitFor(h.hands, 'counter-scan');

    const handed = events(h).filter((e) => e.type === 'parcel.handed_over');
    expect(handed.map((e) => [e.txn, e.lockerId, e.method, e.paid])).toEqual([
      ['T-C2', null, 'slip', null],
      ['T-C1', null, 'slip', { amount: 500, currency: 'JPY', means: 'counter' }],
    ]);
    const slip = parseSlip(s2)!;
    const want = recipientProof(kReceipt(await deriveS('13571357', slip.salt, slip.params), slip.salt), handed[0].id as string, 'T-C2');
    expect(b64uDecode(handed[0].recipientProof as string)).toEqual(want);
    expect(Object.values(await h.hands.pulses()).every((n) => n === 0)).toBe(true); // no door moved
    // a second handover of the same parcel is refused
    await h.hands.scan('shop-a/T-C2');
    expect((await waitFor(h.hands, 'refused')).params).toEqual({ reason: 'already-done' });
  });
});
