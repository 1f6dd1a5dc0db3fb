/**
 * One message larger than the kiosk takes, on a real Mosquitto that has no
 * message_size_limit: the kiosk must stay connected and get what comes next,
 * on MQTT 3.1.1 and 5, and after a restart with the message still queued.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestApplied } from '../../src/link/index.js';
import { Mosquitto } from '../support/mosquitto.js';
import { makeKiosk, manifestPayload, rawClient, sellerSigner, waitFor, type Kiosk } from '../support/mqtt.js';
import { tempDir } from '../support/tmp.js';

const NINE_MIB = Buffer.alloc(9 * 1024 * 1024, 0x7b);
const topic = 'pk/v1/kiosk/kiosk-1/manifest';

describe.each([4, 5] as const)('a 9 MiB message on MQTT level %i', (level) => {
  let broker: Mosquitto;
  let pub: MqttClient;
  const dir = tempDir('pk-oversized-');
  const s1 = sellerSigner('s1');
  const alarms: string[] = [];
  const drops: string[] = [];
  const manifests: ManifestApplied[] = [];

  function kiosk(): Kiosk {
    const k = makeKiosk({
      url: broker.url,
      dir: dir.dir,
      sellers: { s1: s1.keys },
      link: { protocolVersion: level, onOversized: (d) => alarms.push(d) },
    });
    k.link.on('disconnected', (reason) => {
      if (reason !== 'stopped') drops.push(reason);
    });
    k.link.on('manifest', (m) => manifests.push(m));
    return k;
  }

  beforeAll(async () => {
    broker = await Mosquitto.start();
    pub = await rawClient(broker.url);
  });

  afterAll(async () => {
    await pub?.endAsync();
    await broker?.close();
    dir.cleanup();
  });

  it('leaves the kiosk connected; the next manifest arrives; a restart with one queued changes nothing', async () => {
    let k = kiosk();
    k.link.start();
    await waitFor(() => k.link.connected, 'the kiosk to connect');

    await pub.publishAsync(topic, NINE_MIB, { qos: 1 });
    await pub.publishAsync(topic, manifestPayload(s1, 'kiosk-1', 1, []), { qos: 1 });
    await waitFor(() => manifests.length === 1, 'the manifest after the big message', 20_000);
    expect(k.link.connected).toBe(true);
    expect(drops).toEqual([]);
    // On 3.1.1 the kiosk reads past it and says so once; on 5 the broker never sends it (Maximum Packet Size).
    expect(alarms.length).toBe(level === 4 ? 1 : 0);

    // Offline: the broker queues a big one and a good one for the persistent session.
    await k.close();
    await pub.publishAsync(topic, NINE_MIB, { qos: 1 });
    await pub.publishAsync(topic, manifestPayload(s1, 'kiosk-1', 2, []), { qos: 1 });
    drops.length = 0;
    k = kiosk();
    k.link.start();
    await waitFor(() => manifests.length === 2, 'the queued manifest after a restart', 20_000);
    expect(manifests[1].seq).toBe(2);
    // Queued messages may come before the SUBACK that makes the link "connected".
    await waitFor(() => k.link.connected, 'the kiosk to be up after the restart');
    expect(drops).toEqual([]);
    // One more run, one more alarm at most: the first big message of each run raises it.
    expect(alarms.length).toBe(level === 4 ? 2 : 0);

    // The skipped messages were acknowledged: a third start gets nothing again and stays up.
    await k.close();
    k = kiosk();
    k.link.start();
    await waitFor(() => k.link.connected, 'the kiosk to connect a third time');
    await pub.publishAsync(topic, manifestPayload(s1, 'kiosk-1', 3, []), { qos: 1 });
    await waitFor(() => manifests.length === 3, 'a manifest on the third run');
    expect(alarms.length).toBe(level === 4 ? 2 : 0);
    expect(drops).toEqual([]);
    await k.close();
  }, 60_000);
});
