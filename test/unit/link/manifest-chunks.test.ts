/**
 * A big manifest applied in chunks: the same rows as one transaction, a key
 * press answered between chunks, and a failure or a crash midway leaving the
 * previous manifest as it was.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../src/core/log.js';
import { applyManifest, ManifestApplier } from '../../../src/link/manifest.js';
import { readManifest, type ManifestMessage } from '../../../src/link/messages.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { LinkStore } from '../../../src/store/link-store.js';
import { tempDir } from '../../support/tmp.js';

const now = Date.parse('2026-11-21T09:00:00Z');

function manifest(seq: number, upserts: unknown[], cancels: unknown[] = []): ManifestMessage {
  const r = readManifest({ type: 'manifest', id: `m-${seq}-${Math.random()}`, at: '2026-11-21T09:00:00Z', sellerId: 's1', kioskId: 'k1', seq, upserts, cancels });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

/** A first manifest and a big second one touching its parcels: upserts, changes and cancels in every state. */
function pair(n: number): [ManifestMessage, ManifestMessage] {
  const first = manifest(
    1,
    Array.from({ length: n }, (_, i) => ({ txn: `T${String(i).padStart(6, '0')}`, size: 'S', due: i % 7 === 0 ? { amount: 100 + i, currency: 'JPY' } : undefined })),
  );
  const second = manifest(
    2,
    Array.from({ length: n }, (_, i) => ({ txn: `T${String(i + n / 2).padStart(6, '0')}`, size: i % 3 === 0 ? 'L' : 'M', holdUntil: '2026-12-01T00:00:00Z' })),
    Array.from({ length: n / 4 }, (_, i) => `T${String(i * 2).padStart(6, '0')}`),
  );
  return [first, second];
}

function rows(store: Store): unknown[] {
  return store.db.prepare('SELECT seller_id, txn, state, verifier, bio, size, hold_until, due_amount, due_currency, withdrawn FROM parcels ORDER BY txn').all();
}

describe('a big manifest applied in chunks', () => {
  let dir: ReturnType<typeof tempDir>;
  let stores: Store[];
  const open = (name: string): Store => {
    const s = openStore(`${dir.dir}/${name}.db`);
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    dir = tempDir('pk-manifest-chunks-');
    stores = [];
  });
  afterEach(() => {
    for (const s of stores) if (s.db.open) s.close();
    dir.cleanup();
  });

  /** Parcels in some states before the second manifest: cancels then delete, withdraw or leave them. */
  function prepare(store: Store, first: ManifestMessage): void {
    applyManifest(store, new LinkStore(store.db), first, now, silentLog);
    store.parcels.update('s1', 'T000002', { state: 'stored' }, now);
    store.parcels.update('s1', 'T000004', { state: 'handed_over' }, now);
  }

  it('gives the same rows, counts and audit as one transaction', async () => {
    const [first, second] = pair(4000);
    const one = open('one');
    prepare(one, first);
    const whole = applyManifest(one, new LinkStore(one.db), second, now, silentLog);

    const chunked = open('chunked');
    prepare(chunked, first);
    let chunks = 0;
    const applier = new ManifestApplier(chunked, new LinkStore(chunked.db), silentLog, { sliceMs: 1, chunkedAbove: 100, onChunk: () => chunks++ });
    const out = await applier.apply(second, () => now);
    await applier.idle();

    expect(chunks).toBeGreaterThan(1);
    expect(rows(chunked)).toEqual(rows(one));
    expect(out.applied && whole.applied).toBe(true);
    if (out.applied && whole.applied) expect({ ...out.result, ms: 0 }).toEqual({ ...whole.result, ms: 0 });
    expect(chunked.messages.lastSeq('s1')).toBe(2);
    expect(chunked.messages.handled(second.id)).toBe(true);
    const audit = (s: Store) => s.db.prepare("SELECT kind, txn, detail FROM audit WHERE kind LIKE 'manifest.%' OR kind = 'parcel.withdrawn' ORDER BY id").all();
    expect(audit(chunked)).toEqual(audit(one));
    // The journal is cleared once it is done.
    expect(chunked.db.prepare('SELECT count(*) AS n FROM manifest_undo').get()).toEqual({ n: 0 });
    expect(chunked.db.prepare('SELECT count(*) AS n FROM manifest_pending').get()).toEqual({ n: 0 });
  });

  it('answers a key press between chunks, before the manifest is done', async () => {
    const [first, second] = pair(4000);
    const store = open('keys');
    prepare(store, first);
    const order: string[] = [];
    const applier = new ManifestApplier(store, new LinkStore(store.db), silentLog, {
      sliceMs: 1,
      chunkedAbove: 100,
      onChunk: (done, total) => order.push(done < total ? 'chunk' : 'last chunk'),
    });
    // The "key press": an I/O callback queued when application starts, as a keypad's byte would be.
    const pressed = new Promise<void>((resolve) => setImmediate(() => {
      order.push('key');
      // What a key press reads meanwhile is the store, not a stale copy: the seq is still the old one.
      order.push(`seq ${store.messages.lastSeq('s1')}`);
      resolve();
    }));
    const out = await applier.apply(second, () => now);
    await pressed;
    order.push('applied');
    expect(out.applied).toBe(true);
    expect(order.indexOf('key')).toBeGreaterThan(-1);
    expect(order.indexOf('key')).toBeLessThan(order.indexOf('last chunk'));
    expect(order[order.indexOf('key') + 1]).toBe('seq 1');
    expect(order.at(-1)).toBe('applied');
  });

  it('a failure midway rolls back to the previous manifest, and the manifest applies whole when sent again', async () => {
    const [first, second] = pair(4000);
    const store = open('fail');
    prepare(store, first);
    const before = rows(store);
    let loaded = false;
    const applier = new ManifestApplier(store, new LinkStore(store.db), silentLog, {
      sliceMs: 1,
      chunkedAbove: 100,
      onChunk: (done) => {
        // T004000 is the manifest's first new parcel (index 2000 in txn order): a courier loads it meanwhile.
        if (done > 2000 && !loaded) {
          loaded = true;
          store.parcels.update('s1', 'T004000', { state: 'loading' }, now);
        } else if (loaded && done > 3000) throw new Error('disk full (test)');
      },
    });
    await expect(applier.apply(second, () => now)).rejects.toThrow('disk full');
    expect(loaded).toBe(true);
    // Everything as before, except the parcel the courier loaded: custody is never undone.
    const after = rows(store) as Array<{ txn: string; state: string }>;
    expect(after.filter((r) => r.txn !== 'T004000')).toEqual(before);
    expect(after.find((r) => r.txn === 'T004000')).toMatchObject({ state: 'loading' });
    store.parcels.update('s1', 'T004000', { state: 'expected' }, now);
    store.db.prepare("DELETE FROM parcels WHERE txn = 'T004000'").run();
    expect(store.messages.lastSeq('s1')).toBe(1);
    expect(store.messages.handled(second.id)).toBe(false);
    expect(store.db.prepare('SELECT count(*) AS n FROM manifest_pending').get()).toEqual({ n: 0 });

    const ok = open('fail-ref');
    prepare(ok, first);
    applyManifest(ok, new LinkStore(ok.db), second, now, silentLog);
    const again = new ManifestApplier(store, new LinkStore(store.db), silentLog, { sliceMs: 1, chunkedAbove: 100 });
    expect((await again.apply(second, () => now)).applied).toBe(true);
    expect(rows(store)).toEqual(rows(ok));
  });

  it('a crash midway (the process gone, the file as it was) is rolled back at the next start', async () => {
    const [first, second] = pair(4000);
    const path = `${dir.dir}/crash.db`;
    const store = openStore(path);
    prepare(store, first);
    const before = rows(store);
    let n = 0;
    const applier = new ManifestApplier(store, new LinkStore(store.db), silentLog, {
      sliceMs: 1,
      chunkedAbove: 100,
      onChunk: () => {
        if (++n === 4) {
          // What a crash leaves: every committed chunk and its journal, nothing after.
          store.close();
        }
      },
    });
    await Promise.resolve(applier.apply(second, () => now)).catch(() => undefined);
    const reopened = open('crash');
    expect(reopened.db.prepare('SELECT count(*) AS n FROM manifest_pending').get()).toEqual({ n: 1 });
    expect(rows(reopened)).not.toEqual(before);
    const next = new ManifestApplier(reopened, new LinkStore(reopened.db), silentLog, { sliceMs: 1, chunkedAbove: 100 });
    await next.idle();
    expect(rows(reopened)).toEqual(before);
    expect(reopened.messages.lastSeq('s1')).toBe(1);
    expect(reopened.db.prepare('SELECT count(*) AS n FROM manifest_undo').get()).toEqual({ n: 0 });
    // The broker sends it again: applied whole.
    expect((await next.apply(second, () => now)).applied).toBe(true);
    expect(reopened.messages.lastSeq('s1')).toBe(2);
  });

  it('a refused manifest (stale seq, repeated id) changes nothing, chunked or not', async () => {
    const [first, second] = pair(400);
    const store = open('refuse');
    prepare(store, first);
    const applier = new ManifestApplier(store, new LinkStore(store.db), silentLog, { sliceMs: 1, chunkedAbove: 100 });
    const before = rows(store);
    const stale = { ...second, id: 'other', seq: 1 };
    expect(await applier.apply(stale, () => now)).toEqual({ applied: false, reason: 'stale-seq', lastSeq: 1 });
    expect(rows(store)).toEqual(before);
    expect((await applier.apply(second, () => now)).applied).toBe(true);
    expect(await applier.apply(second, () => now)).toEqual({ applied: false, reason: 'repeated', lastSeq: 2 });
  });
});
