/**
 * Applies a verified, well-formed manifest to the store in ONE transaction:
 * upserts, then cancels, the seller's last seq, the message id as handled,
 * and audit entries. Either all of it is recorded or none.
 */
import type { Log } from '../log.js';
import type { Store } from '../store/index.js';
import type { LinkStore } from '../store/link-store.js';
import type { ManifestMessage } from './messages.js';

export interface ManifestApplied {
  sellerId: string;
  seq: number;
  /** The seq before this one, or null for the seller's first manifest here. */
  previousSeq: number | null;
  /** Manifests between the previous and this one never arrived. */
  gap: boolean;
  inserted: number;
  updated: number;
  deleted: number;
  withdrawn: number;
  /** Cancels of parcels already handed over or returned, or never known. */
  ignoredCancels: number;
  /** Time spent in the transaction. */
  ms: number;
}

export type ManifestOutcome =
  | { applied: true; result: ManifestApplied }
  | { applied: false; reason: 'repeated' | 'stale-seq'; lastSeq: number | null };

export function applyManifest(store: Store, links: LinkStore, m: ManifestMessage, now: number, log: Log): ManifestOutcome {
  const t0 = performance.now();
  const outcome = store.tx((): ManifestOutcome => {
    const lastSeq = store.messages.lastSeq(m.sellerId);
    if (store.messages.handled(m.id)) return { applied: false, reason: 'repeated', lastSeq };
    if (lastSeq !== null && m.seq <= lastSeq) return { applied: false, reason: 'stale-seq', lastSeq };
    const r: ManifestApplied = {
      sellerId: m.sellerId,
      seq: m.seq,
      previousSeq: lastSeq,
      gap: lastSeq !== null && m.seq > lastSeq + 1,
      inserted: 0,
      updated: 0,
      deleted: 0,
      withdrawn: 0,
      ignoredCancels: 0,
      ms: 0,
    };
    // One count before and after instead of a lookup per row: 100,000 upserts must stay well under a second.
    const known = links.countForSeller(m.sellerId);
    // In key order the B-tree inserts stay local (a big manifest applies ~15% faster); the sort is
    // stable, so of two entries for one txn the later still wins.
    const ordered = m.upserts.length > 1000 ? [...m.upserts].sort((a, b) => (a.txn < b.txn ? -1 : a.txn > b.txn ? 1 : 0)) : m.upserts;
    for (const u of ordered) links.upsert(m.sellerId, u, now);
    r.inserted = links.countForSeller(m.sellerId) - known;
    r.updated = m.upserts.length - r.inserted;
    // Cancels after upserts: a txn in both is cancelled.
    for (const txn of m.cancels) {
      const c = links.cancel(m.sellerId, txn, now);
      switch (c) {
        case 'deleted':
          r.deleted++;
          break;
        case 'withdrawn':
          r.withdrawn++;
          store.audit.add('parcel.withdrawn', now, { sellerId: m.sellerId, txn, detail: `manifest seq ${m.seq}: the seller cancelled it; it waits for return` });
          break;
        case 'left':
        case 'absent':
          r.ignoredCancels++;
          break;
      }
    }
    store.messages.setLastSeq(m.sellerId, m.seq);
    store.messages.markHandled(m.id, m.sellerId, now);
    if (r.gap) {
      store.audit.add('manifest.gap', now, {
        sellerId: m.sellerId,
        detail: `manifest seq ${m.seq} follows ${lastSeq}: ${m.seq - (lastSeq ?? 0) - 1} manifest(s) never arrived`,
      });
    }
    store.audit.add('manifest.applied', now, {
      sellerId: m.sellerId,
      detail:
        `seq ${m.seq}: ${m.upserts.length} upserts (${r.inserted} new, ${r.updated} updated), ` +
        `${m.cancels.length} cancels (${r.deleted} deleted, ${r.withdrawn} withdrawn, ${r.ignoredCancels} ignored)`,
    });
    return { applied: true, result: r };
  });
  if (outcome.applied) {
    outcome.result.ms = performance.now() - t0;
    const r = outcome.result;
    if (r.gap) {
      log.warn({ sellerId: r.sellerId, seq: r.seq, previousSeq: r.previousSeq }, 'manifest seq gap: applied anyway; the seller should resend what was lost');
    }
    log.info(
      { sellerId: r.sellerId, seq: r.seq, inserted: r.inserted, updated: r.updated, deleted: r.deleted, withdrawn: r.withdrawn, ms: Math.round(r.ms) },
      'manifest applied',
    );
  }
  return outcome;
}
