/**
 * The journal of a manifest applied in chunks (src/link/manifest.ts): a row
 * in `manifest_pending` while one is being applied, and in `manifest_undo`
 * each parcel row as it was before the manifest first touched it (null: there
 * was none). Each chunk writes its undo rows in the same transaction as its
 * changes, so after a crash the journal and the parcels agree, and a manifest
 * that did not finish is rolled back from it before the next is applied.
 *
 * Its tables are made here (IF NOT EXISTS), beside migration 1's: they hold
 * only what a manifest carries (no code, no name).
 */
import type { Db } from './db.js';

/** The columns a manifest upsert writes (and an undo puts back on a row that is still there). */
const MANIFEST_COLUMNS = ['verifier', 'bio', 'size', 'hold_until', 'due_amount', 'due_currency', 'withdrawn', 'updated_at'] as const;

export interface PendingManifest {
  msgId: string;
  sellerId: string;
  seq: number;
}

export class ManifestJournal {
  private readonly saveStmt;
  private readonly pendingStmt;
  private readonly beginStmt;
  private readonly endStmt;
  private readonly insertedStmt;
  private readonly undoPageStmt;
  private readonly dropUndoStmt;
  private readonly orphanStmt;
  private readonly deleteNewStmt;
  private readonly restoreStmt;
  private readonly reinsertStmt;
  private readonly columns: string[];

  constructor(private readonly db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS manifest_pending (
        msg_id      TEXT PRIMARY KEY,
        seller_id   TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        started_at  INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS manifest_undo (
        msg_id     TEXT NOT NULL,
        seller_id  TEXT NOT NULL,
        txn        TEXT NOT NULL,
        prior      TEXT,
        PRIMARY KEY (msg_id, txn)
      ) STRICT, WITHOUT ROWID;
    `);
    this.columns = (db.prepare('PRAGMA table_info(parcels)').all() as Array<{ name: string }>).map((c) => c.name);
    const asJson = `json_object(${this.columns.map((c) => `'${c}', ${c}`).join(', ')})`;
    this.saveStmt = db.prepare<[string, string, string, string, string]>(
      `INSERT OR IGNORE INTO manifest_undo (msg_id, seller_id, txn, prior)
       VALUES (?, ?, ?, (SELECT ${asJson} FROM parcels WHERE seller_id = ? AND txn = ?))`,
    );
    this.pendingStmt = db.prepare<[], { msg_id: string; seller_id: string; seq: number }>('SELECT msg_id, seller_id, seq FROM manifest_pending ORDER BY started_at');
    this.beginStmt = db.prepare<[string, string, number, number]>('INSERT INTO manifest_pending (msg_id, seller_id, seq, started_at) VALUES (?, ?, ?, ?)');
    this.endStmt = db.prepare<[string]>('DELETE FROM manifest_pending WHERE msg_id = ?');
    this.insertedStmt = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM manifest_undo WHERE msg_id = ? AND prior IS NULL');
    this.undoPageStmt = db.prepare<[string, string, number], { seller_id: string; txn: string; prior: string | null }>(
      'SELECT seller_id, txn, prior FROM manifest_undo WHERE msg_id = ? AND txn > ? ORDER BY txn LIMIT ?',
    );
    this.dropUndoStmt = db.prepare<[string, string, string]>('DELETE FROM manifest_undo WHERE msg_id = ? AND txn > ? AND txn <= ?');
    this.orphanStmt = db.prepare<[], { msg_id: string }>(
      'SELECT DISTINCT msg_id FROM manifest_undo WHERE msg_id NOT IN (SELECT msg_id FROM manifest_pending)',
    );
    this.deleteNewStmt = db.prepare<[string, string]>("DELETE FROM parcels WHERE seller_id = ? AND txn = ? AND state = 'expected'");
    this.restoreStmt = db.prepare(
      `UPDATE parcels SET ${MANIFEST_COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE seller_id = @seller_id AND txn = @txn`,
    );
    this.reinsertStmt = db.prepare(`INSERT OR IGNORE INTO parcels (${this.columns.join(', ')}) VALUES (${this.columns.map((c) => `@${c}`).join(', ')})`);
  }

  /** Manifests that began and did not finish (a crash or a failure midway). */
  pending(): PendingManifest[] {
    return this.pendingStmt.all().map((r) => ({ msgId: r.msg_id, sellerId: r.seller_id, seq: r.seq }));
  }

  /** Ids whose undo rows outlived their manifest (it finished; the rows were being cleared). */
  orphans(): string[] {
    return this.orphanStmt.all().map((r) => r.msg_id);
  }

  begin(m: PendingManifest, now: number): void {
    this.beginStmt.run(m.msgId, m.sellerId, m.seq, now);
  }

  end(msgId: string): void {
    this.endStmt.run(msgId);
  }

  /** Keeps the row as it is now, unless this manifest kept it already. Call inside the chunk's transaction, before the change. */
  save(msgId: string, sellerId: string, txn: string): void {
    this.saveStmt.run(msgId, sellerId, txn, sellerId, txn);
  }

  /** How many parcels this manifest made (rows it found absent). */
  inserted(msgId: string): number {
    return this.insertedStmt.get(msgId)?.n ?? 0;
  }

  /**
   * Puts back up to `limit` rows of the manifest as they were, and forgets
   * their undo rows. A row the manifest made goes only while still `expected`
   * (a parcel loaded meanwhile stays); a row it changed gets back the
   * manifest's columns only (custody moves made meanwhile stay); a row it
   * deleted comes back whole. Returns the last txn done, or null when none was left.
   */
  undoSome(msgId: string, after: string, limit: number): string | null {
    const rows = this.undoPageStmt.all(msgId, after, limit);
    if (rows.length === 0) return null;
    for (const r of rows) {
      if (r.prior === null) {
        this.deleteNewStmt.run(r.seller_id, r.txn);
        continue;
      }
      const prior = JSON.parse(r.prior) as Record<string, unknown>;
      const changed = this.restoreStmt.run({ ...Object.fromEntries(MANIFEST_COLUMNS.map((c) => [c, prior[c] ?? null])), seller_id: r.seller_id, txn: r.txn });
      if (changed.changes === 0) this.reinsertStmt.run(Object.fromEntries(this.columns.map((c) => [c, prior[c] ?? null])));
    }
    const last = rows[rows.length - 1].txn;
    this.dropUndoStmt.run(msgId, after, last);
    return last;
  }

  /** Forgets up to `limit` undo rows of a finished manifest. Returns the last txn, or null when none was left. */
  forgetSome(msgId: string, after: string, limit: number): string | null {
    const rows = this.undoPageStmt.all(msgId, after, limit);
    if (rows.length === 0) return null;
    const last = rows[rows.length - 1].txn;
    this.dropUndoStmt.run(msgId, after, last);
    return last;
  }
}
