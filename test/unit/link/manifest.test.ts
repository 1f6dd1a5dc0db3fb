import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyManifest } from '../../../src/link/manifest.js';
import { readManifest, type ManifestMessage } from '../../../src/link/messages.js';
import { silentLog } from '../../../src/core/log.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { LinkStore } from '../../../src/store/link-store.js';
import { tempDir } from '../../support/tmp.js';

function manifest(seq: number, upserts: unknown[], cancels: unknown[] = [], id = `m-${seq}-${Math.random()}`): ManifestMessage {
  const r = readManifest({ type: 'manifest', id, at: '2026-11-21T09:00:00Z', sellerId: 's1', kioskId: 'k1', seq, upserts, cancels });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('applying a manifest', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let links: LinkStore;
  const now = Date.parse('2026-11-21T09:00:00Z');

  beforeEach(() => {
    dir = tempDir('pk-manifest-');
    store = openStore(`${dir.dir}/k.db`);
    links = new LinkStore(store.db);
  });

  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  const apply = (m: ManifestMessage) => applyManifest(store, links, m, now, silentLog);

  it('is idempotent: the same manifest id twice changes nothing the second time', () => {
    const m = manifest(1, [{ txn: 'A', size: 'S' }]);
    expect(apply(m).applied).toBe(true);
    store.parcels.update('s1', 'A', { size: 'L' }, now);
    expect(apply(m)).toEqual({ applied: false, reason: 'repeated', lastSeq: 1 });
    expect(store.parcels.get('s1', 'A')?.size).toBe('L');
  });

  it('cancels by state: expected deleted; loading, stored, unlocking withdrawn; handed over and returned left', () => {
    apply(manifest(1, ['E', 'L', 'S', 'U', 'H', 'R'].map((txn) => ({ txn }))));
    const states = { L: 'loading', S: 'stored', U: 'unlocking', H: 'handed_over', R: 'returned' } as const;
    for (const [txn, state] of Object.entries(states)) store.parcels.update('s1', txn, { state }, now);
    const r = apply(manifest(2, [], ['E', 'L', 'S', 'U', 'H', 'R', 'NEVER']));
    expect(r.applied && r.result).toMatchObject({ deleted: 1, withdrawn: 3, ignoredCancels: 3 });
    expect(store.parcels.get('s1', 'E')).toBeNull();
    for (const txn of ['L', 'S', 'U']) expect(store.parcels.get('s1', txn)?.withdrawn).toBe(true);
    for (const txn of ['H', 'R']) expect(store.parcels.get('s1', txn)?.withdrawn).toBe(false);
  });

  it('an upsert replaces what the kiosk knew, including a withdrawal, but never a state', () => {
    apply(manifest(1, [{ txn: 'S', size: 'S', due: { amount: 100, currency: 'JPY' } }]));
    store.parcels.update('s1', 'S', { state: 'stored' }, now);
    apply(manifest(2, [], ['S']));
    expect(store.parcels.get('s1', 'S')?.withdrawn).toBe(true);
    apply(manifest(3, [{ txn: 'S', size: 'M' }]));
    expect(store.parcels.get('s1', 'S')).toMatchObject({ state: 'stored', withdrawn: false, size: 'M', due: null });
  });

  it('a txn in both upserts and cancels ends cancelled', () => {
    const r = apply(manifest(1, [{ txn: 'X' }], ['X']));
    expect(r.applied && r.result).toMatchObject({ inserted: 1, deleted: 1 });
    expect(store.parcels.get('s1', 'X')).toBeNull();
  });

  it('keeps seq per seller, refuses stale, applies gaps', () => {
    expect(apply(manifest(5, [])).applied).toBe(true);
    expect(apply(manifest(5, []))).toMatchObject({ applied: false, reason: 'stale-seq', lastSeq: 5 });
    expect(apply(manifest(4, []))).toMatchObject({ applied: false, reason: 'stale-seq' });
    const r = apply(manifest(9, []));
    expect(r.applied && r.result).toMatchObject({ gap: true, previousSeq: 5 });
  });

  it('applies 20,000 upserts in one transaction (all rows, one audit entry)', () => {
    const upserts = Array.from({ length: 20_000 }, (_, i) => ({ txn: `T${i}`, size: 'M' }));
    const r = apply(manifest(1, upserts));
    expect(r.applied && r.result.inserted).toBe(20_000);
    expect(store.parcels.count('expected')).toBe(20_000);
    expect(store.audit.ofKind('manifest.applied')).toHaveLength(1);
  });

  it('refuses the whole manifest when one entry is malformed', () => {
    const r = readManifest({ type: 'manifest', id: 'x', at: '2026-11-21T09:00:00Z', sellerId: 's1', kioskId: 'k1', seq: 1, upserts: [{ txn: 'ok' }, { txn: 'ok2', size: 'XL' }] });
    expect(r).toEqual({ ok: false, reason: 'upserts[1]: size is not S, M or L' });
    expect(readManifest({ type: 'manifest', id: 'x', at: '2026-11-21T09:00:00Z', sellerId: 's1', kioskId: 'k1', seq: -1 })).toMatchObject({ ok: false });
    expect(readManifest({ type: 'manifest', id: 'x', at: '2026-11-21T09:00:00Z', sellerId: 's1', kioskId: 'k1', seq: 1 })).toMatchObject({
      ok: true,
      value: { upserts: [], cancels: [] },
    });
  });
});
