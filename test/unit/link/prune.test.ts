import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTrustStore, generateEd25519 } from '../../../src/domain/index.js';
import { SellerLink } from '../../../src/link/index.js';
import { silentLog } from '../../../src/core/log.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/tmp.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('link housekeeping', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let clock: FakeClock;
  let link: SellerLink;

  beforeEach(() => {
    dir = tempDir('pk-prune-');
    store = openStore(`${dir.dir}/k.db`);
    clock = new FakeClock();
    link = new SellerLink({
      kioskId: 'k1',
      // Nothing listens on port 1: the link keeps retrying, which does not matter here.
      brokerUrl: 'mqtt://127.0.0.1:1',
      keepaliveSeconds: 30,
      reconnectMaxMs: 60_000,
      store,
      signer: { id: 'k1', keys: generateEd25519() },
      sellers: createTrustStore({}),
      operators: createTrustStore({}),
      clock,
      log: silentLog,
      outboxRetry: { startMs: 1000, maxMs: 60_000 },
      lockerCounts: () => ({ free: 0, total: 0 }),
      version: 'test',
    });
  });

  afterEach(async () => {
    await link.stop();
    store.close();
    dir.cleanup();
  });

  it('keeps handled message ids 8 days and acked outbox rows a day, pruning at start and hourly', () => {
    const t0 = clock.now();
    store.messages.markHandled('old', 's1', t0 - 8 * DAY - 1);
    store.messages.markHandled('week', 's1', t0 - 7 * DAY);
    const row = (id: string) => ({ eventId: id, topic: 'pk/v1/seller/s1/events', payload: Buffer.from('{}'), kind: 'parcel.arrived', parcelKey: null });
    store.outbox.add(row('acked-long-ago'), t0 - 2 * DAY);
    store.outbox.ack(['acked-long-ago'], t0 - DAY - 1);
    store.outbox.add(row('acked-now'), t0);
    store.outbox.ack(['acked-now'], t0);
    store.outbox.add(row('never-acked'), t0 - 30 * DAY);

    link.start();
    expect(store.messages.handled('old')).toBe(false);
    expect(store.messages.handled('week')).toBe(true);
    expect(store.outbox.get('acked-long-ago')).toBeNull();
    expect(store.outbox.get('acked-now')).not.toBeNull();
    expect(store.outbox.get('never-acked')).not.toBeNull(); // Unacked rows are never pruned.

    clock.advance(DAY + HOUR);
    expect(store.messages.handled('week')).toBe(false);
    expect(store.outbox.get('acked-now')).toBeNull();
    expect(store.outbox.get('never-acked')).not.toBeNull();
  });

  it('answers offline while it cannot reach the broker', async () => {
    link.start();
    expect(link.connected).toBe(false);
    expect(await link.verifyOnline({ sellerId: 's1', txn: 'T', method: 'code', kVerify: Buffer.alloc(32), salt: Buffer.alloc(16), timeoutMs: 1000 })).toEqual({ result: 'offline' });
  });

  it('refuses a signer that is not the kiosk, and a bad broker URL, at construction', () => {
    const base = {
      kioskId: 'k1',
      brokerUrl: 'mqtt://127.0.0.1:1',
      keepaliveSeconds: 30,
      reconnectMaxMs: 1000,
      store,
      signer: { id: 'k2', keys: generateEd25519() },
      sellers: createTrustStore({}),
      operators: createTrustStore({}),
      clock,
      log: silentLog,
      outboxRetry: { startMs: 1000, maxMs: 2000 },
      lockerCounts: () => ({ free: 0, total: 0 }),
      version: 'test',
    };
    expect(() => new SellerLink(base)).toThrow(/signer id must be the kiosk id/);
    expect(() => new SellerLink({ ...base, signer: { id: 'k1', keys: generateEd25519() }, brokerUrl: 'http://x' })).toThrow(/mqtt:\/\/host:port/);
  });
});
