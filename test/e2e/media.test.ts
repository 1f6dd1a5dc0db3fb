import { afterEach, describe, expect, it } from 'vitest';
import { b64uDecode, createTrustStore, deriveS, kReceipt, openEnvelope, parseSlip, recipientProof } from '../../src/domain/index.js';
import { load, startHarness, waitFor, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

function handedOver(h: Harness): Record<string, unknown>[] {
  const trust = createTrustStore({ [h.config.kioskId]: [h.k.identity.ed25519.publicKey.toString('hex')] });
  return h.k.store.outbox
    .all()
    .filter((r) => r.kind === 'parcel.handed_over')
    .map((r) => {
      const o = openEnvelope(r.payload, trust);
      if (!o.ok) throw new Error('event does not verify');
      return o.body;
    });
}

describe('pickup with the slip on an IC card or an NFC tag', () => {
  it('IC card: the code is the card PIN, the slip names the parcel, the proof is written back to the card', async () => {
    h = await startHarness();
    const code = '56785678';
    const slip = await h.slip('T-CARD', code);
    const cid = await load(h, 'T-CARD', code, { slip });
    // a wrong code: the card refuses it and counts
    expect((await h.post('/sim/card', { insert: { pin: code, files: { '5331': slip } } })).status).toBe(200);
    await waitFor(h.hands, 'enter-code');
    await h.hands.press('11111111#');
    expect((await waitFor(h.hands, 'denied')).params).toEqual({ triesLeft: 2, reason: 'wrong-code' });
    await h.hands.press(`${code}#`);
    expect((await waitFor(h.hands, 'door-open')).params).toMatchObject({ compartment: cid });
    await h.hands.door(cid, true);
    await h.hands.door(cid, false);
    await waitFor(h.hands, 'thanks');
    const [e] = handedOver(h);
    expect(e).toMatchObject({ method: 'card', txn: 'T-CARD', lockerId: cid });
    // EF 5332 on the card: event id, 0x00, the 32-byte recipient proof — and it matches slip.md
    const written = (await h.state()).card!.files['5332'];
    expect(written).toMatch(/^hex:/);
    const bytes = Buffer.from(written.slice(4), 'hex');
    const eventId = e.id as string;
    expect(bytes.subarray(0, eventId.length).toString('latin1')).toBe(eventId);
    expect(bytes[eventId.length]).toBe(0);
    const s = parseSlip(slip)!;
    const want = recipientProof(kReceipt(await deriveS(code, s.salt, s.params), s.salt), eventId, 'T-CARD');
    expect(bytes.subarray(eventId.length + 1)).toEqual(want);
    expect(b64uDecode(e.recipientProof as string)).toEqual(want);
  });

  it('a blocked card is refused without opening anything', async () => {
    h = await startHarness();
    const slip = await h.slip('T-BLK', '56785678');
    await load(h, 'T-BLK', '56785678', { slip });
    await h.post('/sim/card', { insert: { pin: '56785678', files: { '5331': slip } } });
    await waitFor(h.hands, 'enter-code');
    for (const left of [2, 1]) {
      await h.hands.press('11111111#');
      expect((await waitFor(h.hands, 'denied')).params).toEqual({ triesLeft: left, reason: 'wrong-code' });
    }
    // the card's last try gone: locked out, never "0 tries left" beside a prompt
    await h.hands.press('11111111#');
    expect((await waitFor(h.hands, 'locked-out')).params).toEqual({ who: 'card' });
    await h.hands.press('56785678#');
    expect((await h.hands.screen()).id).not.toBe('door-open');
    expect(Object.values(await h.hands.pulses()).reduce((a, b) => a + b, 0)).toBe(1); // the load's only
  });

  it('NFC tag: the slip in an NDEF text record, then the code', async () => {
    h = await startHarness();
    const code = '24242424';
    const slip = await h.slip('T-TAG', code);
    const cid = await load(h, 'T-TAG', code, { slip });
    await h.post('/sim/tag', { text: slip });
    await waitFor(h.hands, 'enter-code');
    await h.hands.press('24242425#');
    await waitFor(h.hands, 'denied');
    await h.hands.press(`${code}#`);
    await waitFor(h.hands, 'door-open');
    await h.hands.door(cid, true);
    await h.hands.door(cid, false);
    await waitFor(h.hands, 'thanks');
    expect(handedOver(h)[0]).toMatchObject({ method: 'token', txn: 'T-TAG' });
    // a tag holding something else is refused in words
    await h.post('/sim/tag', { text: 'hello' });
    expect((await waitFor(h.hands, 'refused')).params).toEqual({ reason: 'tag-empty' });
  });
});
