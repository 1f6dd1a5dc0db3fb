import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustStore, openEnvelope } from '../../src/domain/index.js';
import { connectKiosk, makeKiosk, rawClient, sellerSigner, sleep, startBroker, waitFor, type BrokerKind, type Kiosk, type TestBroker } from '../support/mqtt.js';

/** The retained status as a newcomer reads it, opened with the kiosk's key. */
async function readStatus(broker: TestBroker, kiosk: Kiosk): Promise<Record<string, unknown>> {
  const c = await rawClient(broker.url);
  const got: Buffer[] = [];
  c.on('message', (_t, p, packet) => {
    if (packet.retain) got.push(p);
  });
  await c.subscribeAsync('pk/v1/kiosk/kiosk-1/status', { qos: 1 });
  await waitFor(() => got.length > 0, 'the retained status');
  await c.endAsync();
  const o = openEnvelope(got[0], createTrustStore({ 'kiosk-1': [kiosk.identity.ed25519Public] }));
  if (!o.ok) throw new Error(`status did not open: ${o.reason}`);
  return o.body;
}

/** Reads the retained status until it shows `state` (the kiosk publishes asynchronously). */
async function statusShowing(broker: TestBroker, kiosk: Kiosk, state: string): Promise<Record<string, unknown>> {
  const end = Date.now() + 5000;
  for (;;) {
    const body = await readStatus(broker, kiosk);
    if (body.state === state || Date.now() > end) return body;
    await sleep(20);
  }
}

describe.each<BrokerKind>(['mosquitto', 'aedes'])('kiosk status over %s', (kind) => {
  let broker: TestBroker;
  let kiosk: Kiosk;

  beforeAll(async () => {
    broker = await startBroker(kind);
    kiosk = makeKiosk({ url: broker.url, sellers: { s1: sellerSigner('s1').keys } });
    await connectKiosk(kiosk);
  });

  afterAll(async () => {
    await kiosk?.close();
    await broker?.close();
  });

  it('publishes a retained, signed online status on connect', async () => {
    const body = await statusShowing(broker, kiosk, 'online');
    expect(body).toMatchObject({ type: 'kiosk.status', state: 'online', version: '0.1.0-test', lockers: { free: 5, total: 12 } });
    expect(typeof body.id).toBe('string');
  });

  it('shows maintenance when told', async () => {
    kiosk.link.setState('maintenance');
    expect(await statusShowing(broker, kiosk, 'maintenance')).toMatchObject({ state: 'maintenance' });
    kiosk.link.setState('online');
    expect(await statusShowing(broker, kiosk, 'online')).toMatchObject({ state: 'online' });
  });

  it('leaves the signed Last Will (offline) when it stops', async () => {
    await kiosk.link.stop();
    const body = await statusShowing(broker, kiosk, 'offline');
    expect(body).toMatchObject({ type: 'kiosk.status', state: 'offline', version: '0.1.0-test', lockers: { free: 5, total: 12 } });
  });
});

describe('a held status (the app starts its link while its devices open)', () => {
  it('publishes nothing on connect, then the state it is given first', async () => {
    const broker = await startBroker('mosquitto');
    const kiosk = makeKiosk({ kioskId: 'kiosk-held', url: broker.url, sellers: { s1: sellerSigner('s1').keys }, link: { statusHeld: true } });
    try {
      const c = await rawClient(broker.url);
      const states: string[] = [];
      c.on('message', (_t, p) => {
        const o = openEnvelope(p, createTrustStore({ 'kiosk-held': [kiosk.identity.ed25519Public] }));
        if (o.ok) states.push(String(o.body.state));
      });
      await c.subscribeAsync('pk/v1/kiosk/kiosk-held/status', { qos: 1 });
      await connectKiosk(kiosk);
      await sleep(300);
      expect(states).toEqual([]);
      kiosk.link.setState('degraded');
      await waitFor(() => states.length > 0, 'the first status');
      expect(states).toEqual(['degraded']);
      await c.endAsync();
    } finally {
      await kiosk.close();
      await broker.close();
    }
  });
});
