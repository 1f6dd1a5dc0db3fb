/**
 * The reference seller as several processes at once: two instances on one
 * seller database (two SQLite connections, as two processes have) behind a
 * `$share/` subscription on Mosquitto split the kiosk's events between them;
 * each event is recorded once and acked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { identityJson } from '../../src/identity.js';
import { ReferenceSeller } from '../../src/seller/index.js';
import { startHarness, type Harness } from '../support/kiosk.js';
import { startBroker, type TestBroker } from '../support/mqtt.js';
import { tempDir } from '../support/tmp.js';

let h: Harness | null = null;
let broker: TestBroker | null = null;
const sellers: ReferenceSeller[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await h?.stop();
  for (const s of sellers.splice(0)) await s.close();
  await broker?.close();
  for (const c of cleanups.splice(0)) c();
  h = broker = null;
});

describe('several seller processes', () => {
  it('share the events through $share/: each recorded once, all acked', async () => {
    broker = await startBroker('mosquitto');
    const t = tempDir('pk-share-');
    cleanups.push(t.cleanup);
    ReferenceSeller.keygen(t.dir, 'shop-s');
    const a = ReferenceSeller.open({ dir: t.dir });
    const b = ReferenceSeller.open({ dir: t.dir });
    sellers.push(a, b);
    const sid = a.identity();
    h = await startHarness({
      withLink: true,
      tune: (c) => {
        c.broker.url = broker!.url;
        c.trust.sellers[sid.sellerId] = [sid.ed25519Public];
      },
    });
    a.addKiosk(identityJson(h.config.kioskId, h.k.identity));
    const got = { a: 0, b: 0 };
    a.on('event', () => got.a++);
    b.on('event', () => got.b++);
    await a.connect({ brokerUrl: broker.url });
    await b.connect({ brokerUrl: broker.url });

    const k = h.k;
    k.store.tx(() => {
      for (let i = 0; i < 100; i++) k.reporter.event('parcel.arrived', 'shop-s', `SH-${i}`, { lockerId: 'A01' });
    });
    k.reporter.queued();
    const end = Date.now() + 30_000;
    while (k.store.outbox.pending() > 0) {
      if (Date.now() > end) throw new Error(`outbox still has ${k.store.outbox.pending()} rows`);
      h.clock.advance(500);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(got.a + got.b).toBe(100);
    expect(got.a).toBeGreaterThan(0);
    expect(got.b).toBeGreaterThan(0);
    const recorded = a.events(1000);
    expect(recorded).toHaveLength(100);
    expect(new Set(recorded.map((e) => e.eventId)).size).toBe(100);
  });
});
