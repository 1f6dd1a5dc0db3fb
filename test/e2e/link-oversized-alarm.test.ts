/**
 * The kiosk as the app wires it, on a real Mosquitto without a size limit:
 * two oversized messages raise one `message-too-large` alarm in the outbox,
 * and the link stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustStore, openEnvelope } from '../../src/domain/index.js';
import { Mosquitto } from '../support/mosquitto.js';
import { rawClient, waitFor } from '../support/mqtt.js';
import { startHarness, type Harness } from '../support/kiosk.js';

describe('an oversized message at a running kiosk', () => {
  let broker: Mosquitto;
  let h: Harness;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    h = await startHarness({ withLink: true, tune: (c) => void (c.broker.url = broker.url) });
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    await broker?.close();
  });

  it('raises one message-too-large alarm and stays connected', async () => {
    await waitFor(() => h.k.link?.connected === true, 'the kiosk to connect');
    const pub = await rawClient(broker.url);
    const topic = `pk/v1/kiosk/${h.config.kioskId}/manifest`;
    const big = Buffer.alloc(9 * 1024 * 1024, 0x20);
    await pub.publishAsync(topic, big, { qos: 1 });
    await pub.publishAsync(topic, big, { qos: 1 });
    const trust = createTrustStore({ [h.config.kioskId]: [h.k.identity.ed25519.publicKey.toString('hex')] });
    const alarms = () =>
      h.k.store.outbox
        .all()
        .filter((r) => r.kind === 'kiosk.alarm')
        .map((r) => openEnvelope(r.payload, trust))
        .map((o) => (o.ok ? (o.body as { kind: string; detail: string }) : null));
    await waitFor(() => alarms().length > 0, 'the alarm in the outbox', 20_000);
    // The second message is through the guard too once a later small publish has arrived.
    await pub.publishAsync(`pk/v1/kiosk/${h.config.kioskId}/other`, Buffer.from('x'), { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(alarms().map((a) => a?.kind)).toEqual(['message-too-large']);
    expect(alarms()[0]?.detail).toMatch(/of 94\d{5} bytes on pk\/v1\/kiosk\/[^/]+\/manifest/);
    expect(h.k.link?.connected).toBe(true);
    await pub.endAsync();
  }, 60_000);
});
