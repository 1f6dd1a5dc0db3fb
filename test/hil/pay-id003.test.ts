/**
 * Pay at pickup end to end with a real protocol: the kiosk runs in-process
 * with the JCM ID-003 driver on a socat pty, an Id003ValidatorSim plays the
 * validator on the other end. A parcel with money due is paid with notes
 * (one too large is handed back), recorded before it is stacked, and handed over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Id003CashAcceptor } from '../../drivers/cash/id003.js';
import { JPY_DENOMINATIONS } from '../../drivers/cash/id003-options.js';
import { Id003ValidatorSim } from '../../drivers/cash/id003-sim.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { createTrustStore, openEnvelope } from '../../src/domain/index.js';
import { load, startHarness, tryCode, waitFor, type Harness } from '../support/kiosk.js';
import { until as waitUntil } from '../support/until.js';

let h: Harness | null = null;
const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await h?.stop();
  h = null;
  for (const s of stops.splice(0).reverse()) await s();
});

/** Waits until the pay screen shows `paid` of the 2000 JPY due. */
async function paidShown(paid: number, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  let params: Record<string, unknown> = {};
  while (Date.now() < end) {
    const s = await h!.hands.screen();
    params = s.params;
    if (s.id === 'pay' && (params.paid as { amount: number }).amount === paid) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(params).toMatchObject({ due: { amount: 2000, currency: 'JPY' }, paid: { amount: paid, currency: 'JPY' } });
}

const until = (what: string, ok: () => boolean, ms = 5000): Promise<void> => waitUntil(what, ok, ms, 5);

async function rig(): Promise<{ sim: Id003ValidatorSim; cash: Id003CashAcceptor }> {
  const pty: PtyPair = await startPtyPair();
  const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 9600 });
  await device.open();
  const sim = new Id003ValidatorSim(device, { moveMs: 10 });
  const cash = new Id003CashAcceptor(new SerialPortTransport({ path: pty.kioskPath, baudRate: 9600 }), { currency: 'JPY', denominations: JPY_DENOMINATIONS, pollIntervalMs: 20 });
  stops.push(() => pty.dispose(), () => device.close(), () => sim.detach(), () => cash.close());
  return { sim, cash };
}

describe('pay at pickup with an ID-003 validator on a pty', () => {
  it('a bill an earlier run left in escrow is offered again at start, kept and written down for staff, never lost', async () => {
    const { sim, cash } = await rig();
    sim.holdInEscrow(0x62);
    h = await startHarness({ cash, tune: (c) => (c.devices.cash = { driver: 'sim' }) });
    await until('stacked', () => sim.stacked.length === 1);
    expect(sim.stacked).toEqual([0x62]);
    expect(sim.returned).toEqual([]);
    await until('audited', () => h!.k.store.audit.ofKind('cash.resumed').length === 1);
    expect(h.k.store.audit.ofKind('cash.resumed').map((a) => a.detail)).toEqual(['2000 JPY']);
  });

  it('a parcel with 2000 JPY due: a 5000 note is handed back, two 1000 notes are recorded then stacked, the door opens, the receipt says paid', async () => {
    const { sim, cash } = await rig();
    h = await startHarness({ cash, tune: (c) => (c.devices.cash = { driver: 'sim' }) });
    const slip = await h.slip('T-ID3', '12121212', { due: { amount: 2000, currency: 'JPY' } });
    const cid = await load(h, 'T-ID3', '12121212', { slip });
    expect(sim.accepting).toBe(false); // nobody is paying: inhibited

    expect((await tryCode(h, 'T-ID3', '12121212', 'pay')).params).toMatchObject({ due: { amount: 2000, currency: 'JPY' }, paid: { amount: 0, currency: 'JPY' } });
    await until('the validator accepts', () => sim.accepting);
    sim.insert(0x63); // 5000: more than is due
    await until('the 5000 note handed back', () => sim.returned.length === 1);
    await paidShown(0);
    expect(h.k.store.parcels.get('shop-a', 'T-ID3')?.paidAmount).toBe(0);

    await until('accepting again', () => sim.accepting);
    sim.insert(0x61);
    await until('the first 1000 stacked', () => sim.stacked.length === 1);
    await paidShown(1000);
    expect((await h.hands.pulses())[cid]).toBe(1); // not open yet

    await until('accepting again', () => sim.accepting);
    sim.insert(0x61);
    await waitFor(h.hands, 'door-open');
    expect(sim.stacked).toEqual([0x61, 0x61]);
    expect(sim.returned).toEqual([0x63]);
    await until('inhibited again', () => !sim.accepting && sim.status === 0x1a);
    await h.hands.door(cid, true);
    await h.hands.door(cid, false);
    await waitFor(h.hands, 'thanks');

    const trust = createTrustStore({ [h.config.kioskId]: [h.k.identity.ed25519.publicKey.toString('hex')] });
    const row = h.k.store.outbox.all().find((r) => r.kind === 'parcel.handed_over')!;
    const o = openEnvelope(row.payload, trust);
    expect(o.ok && o.body.paid).toEqual({ amount: 2000, currency: 'JPY', means: 'cash' });
    expect(h.k.store.audit.ofKind('cash.inserted').map((a) => a.detail)).toEqual(['1000 JPY, 1000 paid', '1000 JPY, 2000 paid']);
  });
});
