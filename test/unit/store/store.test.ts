import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore, SCHEMA_VERSION, StoreError, type Store } from '../../../src/store/index.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { tempDir } from '../../support/tmp.js';

const T0 = Date.parse('2026-11-21T09:00:00Z');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function fresh(): { store: Store; path: string } {
  const t = tempDir();
  const path = join(t.dir, 'kiosk.db');
  const store = openStore(path);
  cleanups.push(() => {
    store.close();
    t.cleanup();
  });
  return { store, path };
}

describe('store: opening', () => {
  it('uses WAL, synchronous FULL, foreign keys and a busy timeout', () => {
    const { store } = fresh();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('refuses a database whose schema is newer than the code', () => {
    const { store, path } = fresh();
    store.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    store.close();
    expect(() => openStore(path)).toThrowError(/newer than this pickup-kiosk understands/);
    try {
      openStore(path);
    } catch (e) {
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe('newer-schema');
    }
  });

  it('refuses a file that is not a database, saying so', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'kiosk.db');
    writeFileSync(path, Buffer.alloc(8192, 0x41));
    expect(() => openStore(path)).toThrowError(/corrupt or is not a pickup-kiosk database/);
  });

  it('holds no column that could hold a code or personal data', () => {
    const { store } = fresh();
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
    const cols = tables.flatMap((t) =>
      (store.db.pragma(`table_info(${t.name})`) as Array<{ name: string }>).map((c) => c.name),
    );
    expect(cols.length).toBeGreaterThan(20);
    for (const c of cols) expect(c).not.toMatch(/code|pin|name|address|phone|mail/i);
  });
});

describe('store: tables', () => {
  it('keeps the audit log append-only', () => {
    const { store } = fresh();
    store.audit.add('kiosk.started', T0);
    expect(() => store.db.prepare('UPDATE audit SET kind = ?').run('x')).toThrowError(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit').run()).toThrowError(/append-only/);
    expect(store.audit.recent()).toHaveLength(1);
  });

  it('finds a free compartment of the size or the next size up', () => {
    const { store } = fresh();
    store.compartments.sync(
      [
        { id: 'A01', size: 'S', channel: 1 },
        { id: 'A02', size: 'M', channel: 2 },
        { id: 'A03', size: 'L', channel: 3 },
      ],
      T0,
    );
    expect(store.compartments.findFree('S')?.id).toBe('A01');
    store.compartments.setState('A01', 'occupied', null, T0);
    expect(store.compartments.findFree('S')?.id).toBe('A02');
    store.compartments.setState('A02', 'occupied', null, T0);
    store.compartments.setState('A03', 'check', 'door forced', T0);
    expect(store.compartments.findFree('S')).toBeNull();
    expect(store.compartments.counts()).toEqual({ free: 0, total: 3 });
  });

  it('keeps a compartment dropped from the config while it holds a parcel, marked for checking', () => {
    const { store } = fresh();
    store.compartments.sync([{ id: 'A01', size: 'S', channel: 1 }, { id: 'A02', size: 'S', channel: 2 }], T0);
    store.parcels.insert({ sellerId: 's', txn: 't1', state: 'stored', compartmentId: 'A02' }, T0);
    const problems = store.compartments.sync([{ id: 'A01', size: 'S', channel: 2 }], T0);
    expect(problems).toEqual(['compartment A02 is no longer configured but still holds a parcel']);
    expect(store.compartments.get('A02')?.state).toBe('check');
    expect(store.compartments.get('A01')?.channel).toBe(2);
  });

  it('counts failures per parcel and across the kiosk, and they survive a reopen', () => {
    const { store, path } = fresh();
    expect(store.attempts.recordFailure('s', 't1', T0)).toBe(1);
    expect(store.attempts.recordFailure('s', 't1', T0 + 1)).toBe(2);
    store.attempts.recordFailure('s', 't2', T0 + 2);
    store.close();
    const again = openStore(path);
    cleanups.push(() => again.close());
    expect(again.attempts.parcelFailures('s', 't1')).toBe(2);
    expect(again.attempts.kioskFailuresSince(T0 - 1)).toEqual({ count: 3, lastAt: T0 + 2 });
    again.attempts.clearParcel('s', 't1');
    expect(again.attempts.parcelFailures('s', 't1')).toBe(0);
    expect(again.attempts.kioskFailuresSince(T0 - 1).count).toBe(3);
  });

  it('sends outbox rows in order per parcel and forgets nothing until acked', () => {
    const { store } = fresh();
    const add = (id: string, key: string | null) =>
      store.outbox.add({ eventId: id, topic: 't', payload: Buffer.from(id), kind: 'k', parcelKey: key }, T0);
    add('e1', 's/a');
    add('e2', 's/b');
    add('e3', 's/a');
    add('e4', null);
    expect(store.outbox.due(T0).map((r) => r.eventId)).toEqual(['e1', 'e2', 'e4']);
    store.outbox.markTried([1], T0 + 1000);
    expect(store.outbox.due(T0).map((r) => r.eventId)).toEqual(['e2', 'e4']);
    expect(store.outbox.ack(['e1', 'nope'], T0)).toBe(1);
    expect(store.outbox.ack(['e1'], T0)).toBe(0);
    expect(store.outbox.due(T0).map((r) => r.eventId)).toEqual(['e2', 'e3', 'e4']);
    expect(store.outbox.pending()).toBe(3);
    expect(store.outbox.pruneAcked(T0)).toBe(1);
    expect(store.outbox.get('e1')).toBeNull();
  });

  it('rolls back a transaction that throws: no half-written handover', () => {
    const { store } = fresh();
    store.compartments.sync([{ id: 'A01', size: 'S', channel: 1 }], T0);
    store.parcels.insert({ sellerId: 's', txn: 't', state: 'stored', compartmentId: 'A01' }, T0);
    expect(() =>
      store.tx(() => {
        store.parcels.update('s', 't', { state: 'handed_over' }, T0);
        store.outbox.add({ eventId: 'e', topic: 't', payload: Buffer.alloc(1), kind: 'k', parcelKey: 's/t' }, T0);
        throw new Error('power cut');
      }),
    ).toThrow('power cut');
    expect(store.parcels.get('s', 't')?.state).toBe('stored');
    expect(store.outbox.pending()).toBe(0);
  });

  it('round-trips a parcel with its verifier, due amount and pending handover', () => {
    const { store } = fresh();
    const verifier = { salt: 'jm1kLosLy7d6Cayq7ANJIw', logN: 14, r: 8, p: 1, key: 'OcRdB1Vxr7IY7DuOG9b-Sq756NoCIlnWs61Rss2wJf0' };
    store.parcels.insert({ sellerId: 's', txn: 't', state: 'expected', verifier, due: { amount: 3015, currency: 'JPY' } }, T0);
    const handover = { eventId: 'e', method: 'code' as const, salt: 'x', recipientProof: 'y', paid: null, unlockedAt: T0 };
    expect(store.parcels.update('s', 't', { handover, size: 'M' }, T0 + 5)).toBe(true);
    const p = store.parcels.get('s', 't')!;
    expect(p).toMatchObject({ verifier, due: { amount: 3015, currency: 'JPY' }, handover, size: 'M', updatedAt: T0 + 5 });
    expect(store.parcels.byTxn('t')).toHaveLength(1);
  });

  it('remembers handled message ids and the last manifest seq', () => {
    const { store } = fresh();
    expect(store.messages.markHandled('m1', 'shop-a', T0)).toBe(true);
    expect(store.messages.markHandled('m1', 'shop-a', T0)).toBe(false);
    expect(store.messages.handled('m1')).toBe(true);
    expect(store.messages.pruneHandled(T0 + 1)).toBe(1);
    expect(store.messages.lastSeq('shop-a')).toBeNull();
    store.messages.setLastSeq('shop-a', 7);
    expect(store.messages.lastSeq('shop-a')).toBe(7);
  });
});

describe('store: checkpoints', () => {
  /** Rows of kind test.row in the database file alone, without its WAL. */
  function inFile(path: string): number {
    copyFileSync(path, `${path}.copy`);
    const db = new Database(`${path}.copy`, { readonly: true });
    try {
      return db.prepare("SELECT COUNT(*) FROM audit WHERE kind = 'test.row'").pluck().get() as number;
    } finally {
      db.close();
    }
  }
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('checkpoints on the next turn of the event loop, never inside a commit', async () => {
    const { store, path } = fresh();
    store.db.pragma('wal_checkpoint(TRUNCATE)'); // the schema in the file
    for (let i = 0; i < 300; i++) store.tx(() => store.audit.add('test.row', T0 + i, { detail: String(i) }));
    // 300 commits with no turn between them: all committed, none copied yet (SQLite's own checkpoint waits for 4000 pages).
    expect(store.db.prepare("SELECT COUNT(*) FROM audit WHERE kind = 'test.row'").pluck().get()).toBe(300);
    expect(inFile(path)).toBe(0);
    await turn();
    expect(inFile(path)).toBe(300);
  });

  it('keeps the WAL short over many commits', async () => {
    const { store, path } = fresh();
    for (let i = 0; i < 1000; i++) {
      store.tx(() => store.audit.add('test.row', T0 + i, { detail: String(i) }));
      await turn();
    }
    const [wal] = store.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    expect(wal.log).toBeLessThan(200);
    expect(inFile(path)).toBeGreaterThanOrEqual(800);
  });
});

describe('store: migrations', () => {
  it('indexes unacked outbox rows by parcel, so the per-parcel order stays fast', () => {
    const { store } = fresh();
    const idx = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox'").all() as Array<{ name: string }>;
    expect(idx.map((i) => i.name)).toContain('outbox_parcel_pending');
    const plan = store.db
      .prepare("EXPLAIN QUERY PLAN SELECT 1 FROM outbox e WHERE e.parcel_key = ? AND e.acked_at IS NULL AND e.seq < ?")
      .all('s/t', 5) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/outbox_parcel_pending/);
  });

  it('brings a version-1 database up to date at open, keeping its rows', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'kiosk.db');
    const v1 = new Database(path);
    v1.exec(MIGRATIONS[0]);
    v1.pragma('user_version = 1');
    v1.prepare("INSERT INTO parcels (seller_id, txn, state, created_at, updated_at) VALUES ('s', 't', 'expected', 1, 1)").run();
    v1.close();
    const store = openStore(path);
    cleanups.push(() => store.close());
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'outbox_parcel_pending'").get()).toEqual({ n: 1 });
    expect(store.parcels.get('s', 't')).toMatchObject({ state: 'expected', paidAmount: 0 });
  });
});
