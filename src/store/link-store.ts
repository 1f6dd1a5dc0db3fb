/**
 * Statements the seller link needs beyond the shared store modules: a
 * manifest applied as one prepared batch (100,000 upserts in one transaction
 * must not build a statement per row), and outbox helpers for the sender.
 * Additive only: it reads and writes the tables of migration 1.
 */
import { parcelStep, type ParcelCustody } from '../domain/custody.js';
import type { Db } from './db.js';
import type { ParcelState } from './parcels.js';

/** One parcel of a manifest's `upserts`, already validated; JSON columns as text. */
export interface ManifestUpsertRow {
  txn: string;
  verifier: string | null;
  bio: string | null;
  size: 'S' | 'M' | 'L' | null;
  holdUntil: number | null;
  dueAmount: number | null;
  dueCurrency: string | null;
}

export type CancelOutcome = 'deleted' | 'withdrawn' | 'left' | 'absent';

/** The custody state of a row, as `flows/custody.ts` reads it (withdrawn and uncollected are flags beside `stored`). */
function custodyOfRow(r: { state: ParcelState; withdrawn: number; uncollected_at: number | null }): ParcelCustody {
  switch (r.state) {
    case 'expected':
    case 'loading':
    case 'returned':
      return r.state;
    case 'stored':
      return r.withdrawn === 1 ? 'withdrawn' : r.uncollected_at !== null ? 'uncollected' : 'stored';
    case 'unlocking':
      return 'handing-over';
    case 'handed_over':
      return 'handed-over';
  }
}

export class LinkStore {
  private readonly upsertStmt;
  private readonly countStmt;
  private readonly stateStmt;
  private readonly deleteExpectedStmt;
  private readonly withdrawStmt;
  private readonly retryNowStmt;
  private readonly nextFutureStmt;

  constructor(private readonly db: Db) {
    // A new txn arrives 'expected'; a known one keeps its state and gets the manifest's
    // fields. A withdrawn parcel the seller upserts again is no longer withdrawn, except
    // once it has left the kiosk (handed over or returned: nothing to undo there).
    this.upsertStmt = db.prepare<
      [string, string, string | null, string | null, string | null, number | null, number | null, string | null, number, number]
    >(
      `INSERT INTO parcels (seller_id, txn, state, verifier, bio, size, hold_until, due_amount, due_currency, created_at, updated_at)
       VALUES (?, ?, 'expected', ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(seller_id, txn) DO UPDATE SET
         verifier = excluded.verifier, bio = excluded.bio, size = excluded.size,
         hold_until = excluded.hold_until, due_amount = excluded.due_amount, due_currency = excluded.due_currency,
         withdrawn = CASE WHEN state IN ('handed_over', 'returned') THEN withdrawn ELSE 0 END,
         updated_at = excluded.updated_at`,
    );
    this.countStmt = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM parcels WHERE seller_id = ?');
    this.stateStmt = db.prepare<[string, string], { state: ParcelState; withdrawn: number; uncollected_at: number | null }>(
      'SELECT state, withdrawn, uncollected_at FROM parcels WHERE seller_id = ? AND txn = ?',
    );
    this.deleteExpectedStmt = db.prepare<[string, string]>(
      "DELETE FROM parcels WHERE seller_id = ? AND txn = ? AND state = 'expected'",
    );
    this.withdrawStmt = db.prepare<[number, string, string]>(
      `UPDATE parcels SET withdrawn = 1, updated_at = ?
       WHERE seller_id = ? AND txn = ? AND state IN ('loading', 'stored', 'unlocking')`,
    );
    this.retryNowStmt = db.prepare<[number, number]>(
      'UPDATE outbox SET next_try_at = ? WHERE acked_at IS NULL AND next_try_at > ?',
    );
    this.nextFutureStmt = db.prepare<[number], { t: number | null }>(
      'SELECT min(next_try_at) AS t FROM outbox WHERE acked_at IS NULL AND next_try_at > ?',
    );
  }

  /** Inserts or updates one parcel. Call inside a transaction. */
  upsert(sellerId: string, p: ManifestUpsertRow, now: number): void {
    this.upsertStmt.run(sellerId, p.txn, p.verifier, p.bio, p.size, p.holdUntil, p.dueAmount, p.dueCurrency, now, now);
  }

  /** How many parcels of this seller the kiosk knows (before and after upserts: how many were new). */
  countForSeller(sellerId: string): number {
    return this.countStmt.get(sellerId)?.n ?? 0;
  }

  /**
   * A manifest cancel: an expected parcel is deleted, one in the kiosk is
   * marked withdrawn (it waits for return), one that has left is left alone.
   */
  cancel(sellerId: string, txn: string, now: number): CancelOutcome {
    const row = this.stateStmt.get(sellerId, txn);
    if (row === undefined) return 'absent';
    // The custody rules decide; this only carries the decision out in one statement.
    const step = parcelStep({ state: custodyOfRow(row), holdUntil: null }, { kind: 'cancel' }, now);
    if (!step.ok) return row.withdrawn === 1 ? 'withdrawn' : 'left';
    if (step.next === null) {
      this.deleteExpectedStmt.run(sellerId, txn);
      return 'deleted';
    }
    this.withdrawStmt.run(now, sellerId, txn);
    return 'withdrawn';
  }

  /** Makes every unacked outbox row due now (after a reconnect: what was in flight may be lost). */
  retryAllNow(now: number): number {
    return this.retryNowStmt.run(now, now).changes;
  }

  /** The earliest retry time still in the future, or null (rows due now are the sender's business). */
  nextFutureTry(now: number): number | null {
    return this.nextFutureStmt.get(now)?.t ?? null;
  }
}
