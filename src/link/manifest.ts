/**
 * Applies a verified, well-formed manifest to the store in ONE transaction:
 * upserts, then cancels, the seller's last seq, the message id as handled,
 * and audit entries. Either all of it is recorded or none.
 */
import type { Log } from '../core/log.js';
import type { Store } from '../store/index.js';
import type { LinkStore } from '../store/link-store.js';
import { ManifestJournal } from '../store/manifest-journal.js';
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
    const refused = refusal(store, m, lastSeq);
    if (refused) return refused;
    const r = freshResult(m, lastSeq);
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
    recordApplied(store, m, r, now);
    return { applied: true, result: r };
  });
  if (outcome.applied) {
    outcome.result.ms = performance.now() - t0;
    logApplied(log, outcome.result);
  }
  return outcome;
}

/** Why a manifest is not applied (handled before, or not newer than the last applied), or null. */
function refusal(store: Store, m: ManifestMessage, lastSeq: number | null): ManifestOutcome | null {
  if (store.messages.handled(m.id)) return { applied: false, reason: 'repeated', lastSeq };
  if (lastSeq !== null && m.seq <= lastSeq) return { applied: false, reason: 'stale-seq', lastSeq };
  return null;
}

/** The counts of a manifest about to be applied, all zero. */
function freshResult(m: ManifestMessage, lastSeq: number | null): ManifestApplied {
  return {
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
}

/** Inside the transaction that finishes a manifest: its seq, its id as handled, and the audit. */
function recordApplied(store: Store, m: ManifestMessage, r: ManifestApplied, now: number): void {
  store.messages.setLastSeq(m.sellerId, m.seq);
  store.messages.markHandled(m.id, m.sellerId, now);
  if (r.gap) {
    store.audit.add('manifest.gap', now, {
      sellerId: m.sellerId,
      detail: `manifest seq ${m.seq} follows ${r.previousSeq}: ${m.seq - (r.previousSeq ?? 0) - 1} manifest(s) never arrived`,
    });
  }
  store.audit.add('manifest.applied', now, {
    sellerId: m.sellerId,
    detail:
      `seq ${m.seq}: ${m.upserts.length} upserts (${r.inserted} new, ${r.updated} updated), ` +
      `${m.cancels.length} cancels (${r.deleted} deleted, ${r.withdrawn} withdrawn, ${r.ignoredCancels} ignored)`,
  });
}

function logApplied(log: Log, r: ManifestApplied): void {
  if (r.gap) {
    log.warn({ sellerId: r.sellerId, seq: r.seq, previousSeq: r.previousSeq }, 'manifest seq gap: applied anyway; the seller should resend what was lost');
  }
  log.info(
    { sellerId: r.sellerId, seq: r.seq, inserted: r.inserted, updated: r.updated, deleted: r.deleted, withdrawn: r.withdrawn, ms: Math.round(r.ms) },
    'manifest applied',
  );
}

/** Manifests with more entries than this are applied in chunks; smaller ones in one transaction as above. */
export const CHUNKED_ABOVE = 2000;

export interface ApplierOptions {
  /** Longest a chunk may take, its commit included, before the event loop turns (ms; a target, not a bound). */
  sliceMs?: number;
  /** Entries above which a manifest is applied in chunks (tests make it small). */
  chunkedAbove?: number;
  /** Called after each chunk commits, with how long it took (tests press keys or fail midway; the bench times it). */
  onChunk?: (done: number, total: number, ms: number) => void;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Applies manifests one at a time, a big one in chunks of a few milliseconds
 * each so the event loop turns between them (a key press, a door event are
 * answered meanwhile). All or nothing still holds for what is kept: every chunk
 * records the rows it changes as they were (store/manifest-journal.ts), the
 * seller's seq, the message id and the audit entries are written only with the
 * last chunk, and a manifest that fails midway, or was cut off by a crash, is
 * rolled back from that journal (chunk by chunk too) before the next one is
 * applied. While it is being applied, its rows become visible chunk by chunk.
 */
export class ManifestApplier {
  private readonly journal: ManifestJournal;
  private queue: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private stopped = false;
  private readonly sliceMs: number;
  private readonly chunkedAbove: number;

  constructor(
    private readonly store: Store,
    private readonly links: LinkStore,
    private readonly log: Log,
    private readonly o: ApplierOptions = {},
  ) {
    this.journal = new ManifestJournal(store.db);
    this.sliceMs = o.sliceMs ?? 5;
    this.chunkedAbove = o.chunkedAbove ?? CHUNKED_ABOVE;
    // A manifest cut off by a crash is undone first; undo rows of finished ones are cleared.
    if (this.journal.pending().length > 0 || this.journal.orphans().length > 0) {
      this.enqueue(() => this.recover()).catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'could not roll back a manifest cut off midway'));
    }
  }

  /**
   * Stops between chunks: a manifest being applied stays in the journal and is
   * rolled back at the next start (its message was not acknowledged, so the
   * broker sends it again).
   */
  stop(): Promise<void> {
    this.stopped = true;
    return this.idle();
  }

  /** Resolves once every manifest handed in so far is applied or refused (and any rollback done). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /**
   * Applies a manifest: at once (synchronously, returning the outcome) when it
   * is small and nothing is in progress; else a promise, after the ones before it.
   */
  apply(m: ManifestMessage, now: () => number): ManifestOutcome | Promise<ManifestOutcome> {
    const size = m.upserts.length + m.cancels.length;
    if (this.busy === 0 && size <= this.chunkedAbove) return applyManifest(this.store, this.links, m, now(), this.log);
    return this.enqueue(() => (size <= this.chunkedAbove ? Promise.resolve(applyManifest(this.store, this.links, m, now(), this.log)) : this.applyChunked(m, now)));
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.busy++;
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined).finally(() => this.busy--);
    return run;
  }

  private async recover(): Promise<void> {
    for (const p of this.journal.pending()) {
      this.log.warn({ sellerId: p.sellerId, seq: p.seq }, 'a manifest was cut off midway: rolling it back (the seller resends it)');
      await this.undo(p.msgId);
    }
    for (const id of this.journal.orphans()) await this.forget(id);
  }

  private async undo(msgId: string): Promise<void> {
    let after = '';
    while (!this.stopped) {
      const last = this.store.tx(() => {
        const l = this.journal.undoSome(msgId, after, 500);
        if (l === null) this.journal.end(msgId);
        return l;
      });
      if (last === null) return;
      after = last;
      await turn();
    }
  }

  private async forget(msgId: string): Promise<void> {
    let after = '';
    while (!this.stopped) {
      const last = this.store.tx(() => this.journal.forgetSome(msgId, after, 5000));
      if (last === null) return;
      after = last;
      await turn();
    }
  }

  private async applyChunked(m: ManifestMessage, clockNow: () => number): Promise<ManifestOutcome> {
    const t0 = performance.now();
    const now = clockNow();
    let lastSeq: number | null = null;
    const refused = this.store.tx((): ManifestOutcome | null => {
      lastSeq = this.store.messages.lastSeq(m.sellerId);
      const no = refusal(this.store, m, lastSeq);
      if (!no) this.journal.begin({ msgId: m.id, sellerId: m.sellerId, seq: m.seq }, now);
      return no;
    });
    if (refused !== null) return refused;
    // That transaction's commit is an fsync: the event loop turns before the first chunk too.
    await turn();
    const r = freshResult(m, lastSeq);
    const withdrawn: string[] = [];
    // In the order given: sorting 100,000 txns here would be one more long hold before the first chunk
    // (a manifest opened in a worker thread comes sorted by txn already, manifest-worker.ts).
    const ordered = m.upserts;
    const total = ordered.length + m.cancels.length;
    let i = 0;
    // What a commit takes (an fsync): the rows' time in a chunk is its slice less that, so the whole
    // chunk stays near the slice. Rises at once with a slow commit, falls slowly after.
    let commitMs = 2;
    try {
      while (i < total) {
        if (this.stopped) throw new Error('the link stopped');
        const c0 = performance.now();
        let c1 = c0;
        this.store.tx(() => {
          const until = c0 + Math.max(1, this.sliceMs - commitMs);
          do {
            if (i < ordered.length) {
              const u = ordered[i];
              this.journal.save(m.id, m.sellerId, u.txn);
              this.links.upsert(m.sellerId, u, now);
            } else {
              const txn = m.cancels[i - ordered.length];
              this.journal.save(m.id, m.sellerId, txn);
              const c = this.links.cancel(m.sellerId, txn, now);
              if (c === 'deleted') r.deleted++;
              else if (c === 'withdrawn') {
                r.withdrawn++;
                withdrawn.push(txn);
              } else r.ignoredCancels++;
            }
            i++;
          } while (i < total && ((i & 15) !== 0 || performance.now() < until));
          c1 = performance.now();
        });
        const c2 = performance.now();
        commitMs = Math.max(c2 - c1, commitMs * 0.8);
        this.o.onChunk?.(i, total, c2 - c0);
        await turn();
      }
      this.store.tx(() => {
        r.inserted = this.journal.inserted(m.id);
        r.updated = m.upserts.length - r.inserted;
        for (const txn of withdrawn) {
          this.store.audit.add('parcel.withdrawn', now, { sellerId: m.sellerId, txn, detail: `manifest seq ${m.seq}: the seller cancelled it; it waits for return` });
        }
        recordApplied(this.store, m, r, now);
        this.journal.end(m.id);
      });
    } catch (e) {
      if (this.stopped) throw e; // left in the journal: rolled back at the next start
      this.log.error({ sellerId: m.sellerId, seq: m.seq, err: (e as Error).message }, 'manifest failed midway: rolling it back');
      await this.undo(m.id);
      throw e;
    }
    r.ms = performance.now() - t0;
    logApplied(this.log, r);
    // The journal's rows of a finished manifest are garbage: cleared in the background, chunk by chunk.
    void this.enqueue(() => this.forget(m.id)).catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'manifest journal not cleared; it is at the next start'));
    return { applied: true, result: r };
  }
}

