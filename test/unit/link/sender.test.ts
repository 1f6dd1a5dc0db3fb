import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../src/core/log.js';
import { OutboxSender } from '../../../src/link/sender.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { LinkStore } from '../../../src/store/link-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/tmp.js';

/** Lets setImmediate-scheduled rounds run. */
const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('outbox sender', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let clock: FakeClock;
  let up: boolean;
  let sent: Array<{ topic: string; payload: string; at: number }>;
  let sender: OutboxSender;
  let failNext: boolean;

  function add(eventId: string, parcelKey: string | null, topic = 'pk/v1/seller/s1/events'): void {
    store.outbox.add({ eventId, topic, payload: Buffer.from(`payload ${eventId}`), kind: 'parcel.arrived', parcelKey }, clock.now());
  }

  beforeEach(() => {
    dir = tempDir('pk-sender-');
    store = openStore(`${dir.dir}/k.db`);
    clock = new FakeClock();
    up = true;
    failNext = false;
    sent = [];
    sender = new OutboxSender({
      store,
      links: new LinkStore(store.db),
      clock,
      log: silentLog,
      retry: { startMs: 1000, maxMs: 8000 },
      isUp: () => up,
      publish: (topic, payload) => {
        sent.push({ topic, payload: payload.toString(), at: clock.now() });
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('connection lost'));
        }
        return Promise.resolve();
      },
    });
  });

  afterEach(() => {
    sender.stop();
    store.close();
    dir.cleanup();
  });

  it('publishes the stored bytes, and retries with capped exponential backoff until acked', async () => {
    add('e1', 's1/T-1');
    sender.kick();
    await ticks();
    expect(sent).toEqual([{ topic: 'pk/v1/seller/s1/events', payload: 'payload e1', at: clock.now() }]);
    const t0 = clock.now();
    for (const wait of [1000, 2000, 4000, 8000, 8000]) {
      clock.advance(wait - 1);
      await ticks();
      const before = sent.length;
      clock.advance(1);
      await ticks();
      expect(sent.length).toBe(before + 1);
    }
    expect(sent.map((s) => s.at - t0)).toEqual([0, 1000, 3000, 7000, 15000, 23000]);
    expect(store.outbox.get('e1')?.tries).toBe(6);
    store.outbox.ack(['e1'], clock.now());
    clock.advance(60_000);
    await ticks();
    expect(sent).toHaveLength(6);
    expect(store.outbox.pending()).toBe(0);
  });

  it('keeps each parcel in order: the next event waits for the ack of the one before', async () => {
    add('a1', 's1/A');
    add('a2', 's1/A');
    add('b1', 's1/B');
    add('alarm', null, 'pk/v1/kiosk/k/alarm');
    sender.kick();
    await ticks();
    expect(sent.map((s) => s.payload)).toEqual(['payload a1', 'payload b1', 'payload alarm']);
    store.outbox.ack(['a1'], clock.now());
    sender.kick();
    await ticks();
    expect(sent.map((s) => s.payload).at(-1)).toBe('payload a2');
  });

  it('sends nothing while offline, and everything unacked at once on (re)connect', async () => {
    up = false;
    add('e1', 's1/T-1');
    add('e2', 's1/T-2');
    sender.kick();
    clock.advance(5000);
    await ticks();
    expect(sent).toHaveLength(0);
    up = true;
    sender.onUp();
    await ticks();
    expect(sent.map((s) => s.payload)).toEqual(['payload e1', 'payload e2']);
    // A reconnect right after: the rows were sent but never acked, so they go again now, not at their backoff.
    clock.advance(10);
    sender.onUp();
    await ticks();
    expect(sent).toHaveLength(4);
    expect(store.outbox.get('e1')?.tries).toBe(2);
  });

  it('survives a failed publish: the row stays and is retried', async () => {
    failNext = true;
    add('e1', 's1/T-1');
    sender.kick();
    await ticks();
    expect(sent).toHaveLength(1);
    clock.advance(1000);
    await ticks();
    expect(sent).toHaveLength(2);
    expect(store.outbox.get('e1')?.ackedAt).toBeNull();
  });

  it('sends many rows in rounds without a timer per row', async () => {
    store.tx(() => {
      for (let i = 0; i < 1200; i++) add(`m${i}`, `s1/P${i}`);
    });
    sender.kick();
    await ticks(10);
    expect(sent).toHaveLength(1200);
    expect(new Set(sent.map((s) => s.payload)).size).toBe(1200);
    expect(clock.pending()).toBe(1); // One timer: the earliest retry.
  });
});
