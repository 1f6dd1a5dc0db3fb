/**
 * A big manifest over a real broker, opened in the built worker thread
 * (dist/src/link/manifest-worker.js): applied, the one sent after it applied
 * after it, and a forged one refused.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { generateEd25519 } from '../../src/domain/index.js';
import type { Drop, ManifestApplied } from '../../src/link/index.js';
import { assertBuilt } from '../support/built.js';
import { connectKiosk, makeKiosk, manifestPayload, rawClient, sellerSigner, startBroker, waitFor, type BrokerKind, type Kiosk, type TestBroker } from '../support/mqtt.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKER = pathToFileURL(path.join(ROOT, 'dist/src/link/manifest-worker.js'));

describe.each<BrokerKind>(['mosquitto', 'aedes'])('big manifests through the worker over %s', (kind) => {
  let broker: TestBroker;
  let kiosk: Kiosk;
  let pub: MqttClient;
  const logs: string[] = [];
  const applied: ManifestApplied[] = [];
  const dropped: Drop[] = [];
  const s1 = sellerSigner('s1');
  const topic = 'pk/v1/kiosk/kiosk-1/manifest';
  const parcels = (n: number, prefix: string): unknown[] => Array.from({ length: n }, (_, i) => ({ txn: `${prefix}-${String(i).padStart(5, '0')}`, size: 'S' }));
  const openedInWorker = (): number => logs.filter((l) => l.includes('big manifest opened in a worker thread')).length;

  beforeAll(async () => {
    assertBuilt(ROOT);
    broker = await startBroker(kind);
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void logs.push(s) } });
    kiosk = makeKiosk({ url: broker.url, sellers: { s1: s1.keys }, log, link: { manifestWorker: { url: WORKER, above: 64 * 1024 } } });
    kiosk.link.on('manifest', (m) => applied.push(m));
    kiosk.link.on('dropped', (d) => dropped.push(d));
    await connectKiosk(kiosk);
    pub = await rawClient(broker.url);
  });

  afterAll(async () => {
    await pub?.endAsync();
    await kiosk?.close();
    await broker?.close();
  });

  it('applies a big manifest opened in the worker', async () => {
    const big = manifestPayload(s1, 'kiosk-1', 1, parcels(5000, 'A'));
    expect(big.length).toBeGreaterThan(64 * 1024);
    await pub.publishAsync(topic, big, { qos: 1 });
    await waitFor(() => applied.length === 1, 'the big manifest applied');
    expect(applied.map((m) => [m.seq, m.inserted])).toEqual([[1, 5000]]);
    expect(kiosk.store.messages.lastSeq('s1')).toBe(1);
    expect(kiosk.store.parcels.count('expected')).toBe(5000);
    expect(openedInWorker()).toBe(1);
    expect(dropped).toEqual([]);
  });

  it('applies a small manifest sent right after a big one after it', async () => {
    await Promise.all([
      pub.publishAsync(topic, manifestPayload(s1, 'kiosk-1', 2, parcels(5000, 'B')), { qos: 1 }),
      pub.publishAsync(topic, manifestPayload(s1, 'kiosk-1', 3, [{ txn: 'B-00000', size: 'L' }]), { qos: 1 }),
    ]);
    await waitFor(() => applied.length === 3, 'both manifests applied');
    expect(applied.slice(1).map((m) => [m.seq, m.inserted, m.updated])).toEqual([
      [2, 5000, 0],
      [3, 0, 1],
    ]);
    expect(kiosk.store.parcels.get('s1', 'B-00000')?.size).toBe('L');
    expect(openedInWorker()).toBe(2);
  });

  it('refuses a forged big manifest through the worker, and changes nothing', async () => {
    const forged = JSON.parse(manifestPayload({ id: 's1', keys: generateEd25519() }, 'kiosk-1', 4, parcels(5000, 'C')).toString()) as Record<string, unknown>;
    forged.kid = s1.keys.kid;
    const before = kiosk.store.parcels.count('expected');
    await pub.publishAsync(topic, Buffer.from(JSON.stringify(forged)), { qos: 1 });
    await waitFor(() => dropped.length === 1, 'the forged manifest dropped');
    expect(dropped[0]).toMatchObject({ reason: 'envelope bad-signature', by: 's1' });
    expect(openedInWorker()).toBe(3);
    expect(kiosk.store.parcels.count('expected')).toBe(before);
    expect(kiosk.store.parcels.get('s1', 'C-00000')).toBeNull();
    expect(kiosk.store.messages.lastSeq('s1')).toBe(3);
  });
});
