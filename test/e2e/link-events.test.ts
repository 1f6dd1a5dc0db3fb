import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckApplied } from '../../src/link/index.js';
import { ReferenceSeller, type RecordedEvent } from '../../src/seller/index.js';
import {
  connectKiosk,
  makeKiosk,
  publicKeyOf,
  rawClient,
  sellerSigner,
  signed,
  startBroker,
  waitFor,
  type BrokerKind,
  type Kiosk,
  type TestBroker,
} from '../support/mqtt.js';
import { tempDir } from '../support/tmp.js';

describe.each<BrokerKind>(['mosquitto', 'aedes'])('events and acks over %s', (kind) => {
  let broker: TestBroker;
  let kiosk: Kiosk;
  let seller: ReferenceSeller;
  let operator: MqttClient;
  const recorded: RecordedEvent[] = [];
  const acks: AckApplied[] = [];
  const op = sellerSigner('ops');
  const s2 = sellerSigner('s2');
  const sellerDir = tempDir('pk-seller-');

  beforeAll(async () => {
    broker = await startBroker(kind);
    const id = ReferenceSeller.keygen(sellerDir.dir, 's1');
    seller = ReferenceSeller.open({ dir: sellerDir.dir });
    kiosk = makeKiosk({ url: broker.url, sellers: { s1: publicKeyOf(id), s2: s2.keys }, operators: { ops: op.keys } });
    seller.addKiosk(kiosk.identity);
    seller.on('event', (e) => recorded.push(e));
    kiosk.link.on('ack', (a) => acks.push(a));
    await seller.connect({ brokerUrl: broker.url, reconnectMaxMs: 300 });
    await connectKiosk(kiosk);
    operator = await rawClient(broker.url);
  });

  afterAll(async () => {
    await operator?.endAsync();
    await kiosk?.close();
    await seller?.close();
    await broker?.close();
    sellerDir.cleanup();
  });

  it('delivers outbox events to the seller, which records each once and acks; the outbox drains', async () => {
    const ids = [
      kiosk.addEvent('s1', 'T-1', 'parcel.arrived', { lockerId: 'A01' }),
      kiosk.addEvent('s1', 'T-2', 'parcel.arrived', { lockerId: 'A02' }),
      kiosk.addEvent('s1', 'T-1', 'parcel.handed_over', { lockerId: 'A01', method: 'biometric', paid: null, recipientProof: null, salt: null }),
    ];
    await waitFor(() => kiosk.store.outbox.pending() === 0, 'the outbox to drain');
    expect(recorded.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    expect(seller.store.eventCount()).toBe(3);
    // The same parcel's events arrived in order.
    expect(recorded.filter((e) => e.txn === 'T-1').map((e) => e.type)).toEqual(['parcel.arrived', 'parcel.handed_over']);
    for (const id of ids) expect(kiosk.store.outbox.get(id)?.ackedAt).not.toBeNull();
    expect(acks.reduce((n, a) => n + a.acked, 0)).toBe(3);
  });

  it('acks a repeated event again without recording it twice', async () => {
    const id = kiosk.addEvent('s1', 'T-9', 'parcel.arrived', { lockerId: 'A09' });
    await waitFor(() => kiosk.store.outbox.pending() === 0, 'the first delivery');
    const payload = kiosk.store.outbox.get(id)!.payload;
    const watcher = await rawClient(broker.url);
    const seen: string[] = [];
    watcher.on('message', (_t, p) => seen.push(p.toString()));
    await watcher.subscribeAsync('pk/v1/kiosk/kiosk-1/ack', { qos: 1 });
    const before = recorded.length;
    await watcher.publishAsync('pk/v1/seller/s1/events', payload, { qos: 1 });
    await waitFor(() => seen.some((s) => Buffer.from(JSON.parse(s).body, 'base64url').toString().includes(id)), 'the second ack');
    await watcher.endAsync();
    expect(recorded.length).toBe(before);
    expect(seller.store.events(1000).filter((e) => e.eventId === id)).toHaveLength(1);
  });

  /** The next ack the link applies from `by` (acks from others are skipped). */
  function nextAckFrom(by: string): Promise<AckApplied> {
    return new Promise((resolve) => {
      const on = (a: AckApplied) => {
        if (a.by !== by) return;
        kiosk.link.off('ack', on);
        resolve(a);
      };
      kiosk.link.on('ack', on);
    });
  }

  it('lets only the operator ack alarms, and only the seller ack its events', async () => {
    const gotAlarm: string[] = [];
    operator.on('message', (_t, p) => gotAlarm.push(JSON.parse(Buffer.from(JSON.parse(p.toString()).body, 'base64url').toString()).id));
    await operator.subscribeAsync('pk/v1/kiosk/kiosk-1/alarm', { qos: 1 });
    const alarmId = kiosk.addAlarm('door-forced');
    await waitFor(() => gotAlarm.includes(alarmId), 'the alarm to reach the operator');
    // The seller never acks an alarm: it is not its business.
    await new Promise((r) => setTimeout(r, 100));
    expect(kiosk.store.outbox.get(alarmId)?.ackedAt).toBeNull();

    const opAck = nextAckFrom('ops');
    await operator.publishAsync('pk/v1/kiosk/kiosk-1/ack', signed(op, { type: 'ack', eventIds: [alarmId, 'no-such-event'] }), { qos: 1 });
    expect(await opAck).toMatchObject({ role: 'operator', acked: 1, unknown: 1, refused: 0 });
    expect(kiosk.store.outbox.get(alarmId)?.ackedAt).not.toBeNull();

    // The operator may not ack a seller's event.
    await broker.stop();
    await waitFor(() => !kiosk.link.connected, 'the kiosk to see the outage');
    const eventId = kiosk.addEvent('s1', 'T-OP', 'parcel.arrived', { lockerId: 'A03' });
    await broker.start();
    const refused = nextAckFrom('ops');
    operator.end(true);
    operator = await rawClient(broker.url);
    // The broker lost every session: publish only once the kiosk has subscribed again.
    await waitFor(() => kiosk.link.connected, 'the kiosk to reconnect');
    await operator.publishAsync('pk/v1/kiosk/kiosk-1/ack', signed(op, { type: 'ack', eventIds: [eventId] }), { qos: 1 });
    expect(await refused).toMatchObject({ role: 'operator', acked: 0, refused: 1 });
    // The seller acks it in its own time.
    await waitFor(() => kiosk.store.outbox.get(eventId)?.ackedAt != null, 'the seller to ack its own event');

    // And a seller may not ack another seller's event, nor an alarm.
    await broker.stop();
    await waitFor(() => !kiosk.link.connected, 'the kiosk to see the outage');
    const forS1 = kiosk.addEvent('s1', 'T-S2', 'parcel.arrived', { lockerId: 'A05' });
    const alarm2 = kiosk.addAlarm('door-left-open');
    await broker.start();
    operator.end(true);
    operator = await rawClient(broker.url);
    // The broker lost every session: publish only once the kiosk has subscribed again.
    await waitFor(() => kiosk.link.connected, 'the kiosk to reconnect');
    const s2Ack = nextAckFrom('s2');
    await operator.publishAsync('pk/v1/kiosk/kiosk-1/ack', signed(s2, { type: 'ack', eventIds: [forS1, alarm2] }), { qos: 1 });
    expect(await s2Ack).toMatchObject({ role: 'seller', acked: 0, refused: 2 });
    expect(kiosk.store.outbox.get(alarm2)?.ackedAt).toBeNull();
  });

  it('drops a forged or repeated ack', async () => {
    const alarmId = kiosk.addAlarm('unlock-failed');
    await new Promise((r) => setTimeout(r, 50));
    const forger = { id: 'ops', keys: sellerSigner('x').keys };
    const dropped = new Promise<string>((resolve) => kiosk.link.once('dropped', (d) => resolve(d.reason)));
    await operator.publishAsync('pk/v1/kiosk/kiosk-1/ack', signed(forger, { type: 'ack', eventIds: [alarmId] }), { qos: 1 });
    expect(await dropped).toMatch(/trusted key/);
    expect(kiosk.store.outbox.get(alarmId)?.ackedAt).toBeNull();

    const ack = signed(op, { type: 'ack', eventIds: [alarmId] });
    const first = new Promise<AckApplied>((resolve) => kiosk.link.once('ack', resolve));
    await operator.publishAsync('pk/v1/kiosk/kiosk-1/ack', ack, { qos: 1 });
    expect((await first).acked).toBe(1);
    const repeat = new Promise<string>((resolve) => kiosk.link.once('dropped', (d) => resolve(d.reason)));
    await operator.publishAsync('pk/v1/kiosk/kiosk-1/ack', ack, { qos: 1 });
    expect(await repeat).toMatch(/repeated ack/);
  });

  it('survives a kiosk restart: rows written before it reach the seller after it, each once', async () => {
    const d = tempDir('pk-restart-');
    try {
      // First life: nothing listens on port 1, so rows only queue.
      const first = makeKiosk({ url: 'mqtt://127.0.0.1:1', dir: d.dir, kioskId: 'kiosk-r', sellers: { s1: publicKeyOf(seller.identity()) } });
      seller.addKiosk(first.identity);
      first.link.start();
      const ids = [first.addEvent('s1', 'R-1', 'parcel.arrived', { lockerId: 'A01' }), first.addEvent('s1', 'R-1', 'parcel.returned', { lockerId: 'A01' })];
      await first.close();
      // Second life, same database, a reachable broker.
      const second = makeKiosk({ url: broker.url, dir: d.dir, kioskId: 'kiosk-r', sellers: { s1: publicKeyOf(seller.identity()) } });
      const before = recorded.length;
      await connectKiosk(second);
      await waitFor(() => second.store.outbox.pending() === 0, 'the rows of the first life to be acked');
      expect(recorded.slice(before).filter((e) => e.kioskId === 'kiosk-r').map((e) => e.eventId)).toEqual(ids);
      await second.close();
    } finally {
      d.cleanup();
    }
  });

  it('queues events while the broker is down and delivers each once when it returns, in order per parcel', async () => {
    await waitFor(() => kiosk.store.outbox.pending() <= 1, 'earlier rows to settle'); // `again` above stays unacked by design.
    const stillPending = kiosk.store.outbox.pending();
    const before = recorded.length;
    await broker.stop();
    await waitFor(() => !kiosk.link.connected && !seller.connected, 'both sides to notice the outage');
    const ids: string[] = [];
    const types = ['parcel.arrived', 'parcel.uncollected', 'parcel.returned'];
    for (const t of types) for (let p = 0; p < 5; p++) ids.push(kiosk.addEvent('s1', `OUT-${p}`, t, { lockerId: `B0${p}` }));
    await new Promise((r) => setTimeout(r, 200));
    expect(kiosk.store.outbox.pending()).toBe(stillPending + 15);
    await broker.start();
    await waitFor(() => kiosk.store.outbox.pending() === stillPending, 'the outbox to drain after the outage', 20_000);
    const fresh = recorded.slice(before);
    expect(fresh.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    for (let p = 0; p < 5; p++) expect(fresh.filter((e) => e.txn === `OUT-${p}`).map((e) => e.type)).toEqual(types);
    expect(seller.parcel('OUT-0')).toBeNull(); // Events for txns it never issued are recorded all the same.
    expect(seller.store.events(1000).filter((e) => e.txn.startsWith('OUT-'))).toHaveLength(15);
  });
});
