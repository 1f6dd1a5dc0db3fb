import type { Db } from './db.js';

/**
 * Failed attempts, counted per parcel and across the kiosk, in the database
 * so they survive a restart. Only what slip.md counts is recorded here: a
 * wrong code after a key derivation, a failed verifier comparison, a `denied`.
 */
export class Attempts {
  private readonly getStmt;
  private readonly bumpStmt;
  private readonly clearStmt;
  private readonly kioskAddStmt;
  private readonly kioskSinceStmt;
  private readonly kioskPruneStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string, string], { failures: number }>(
      'SELECT failures FROM parcel_attempts WHERE seller_id = ? AND txn = ?',
    );
    this.bumpStmt = db.prepare<[string, string, number]>(
      `INSERT INTO parcel_attempts (seller_id, txn, failures, last_at) VALUES (?, ?, 1, ?)
       ON CONFLICT(seller_id, txn) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at`,
    );
    this.clearStmt = db.prepare<[string, string]>('DELETE FROM parcel_attempts WHERE seller_id = ? AND txn = ?');
    this.kioskAddStmt = db.prepare<[number, string]>('INSERT INTO kiosk_failures (at, scope) VALUES (?, ?)');
    this.kioskSinceStmt = db.prepare<[number], { n: number; last: number | null }>(
      'SELECT count(*) AS n, max(at) AS last FROM kiosk_failures WHERE at > ?',
    );
    this.kioskPruneStmt = db.prepare<[number]>('DELETE FROM kiosk_failures WHERE at <= ?');
  }

  parcelFailures(sellerId: string, txn: string): number {
    return this.getStmt.get(sellerId, txn)?.failures ?? 0;
  }

  /** Records one failure on a parcel and one across the kiosk; returns the parcel's new count. */
  recordFailure(sellerId: string, txn: string, now: number): number {
    this.bumpStmt.run(sellerId, txn, now);
    this.kioskAddStmt.run(now, 'parcel');
    return this.parcelFailures(sellerId, txn);
  }

  /** A failure that names no parcel (a courier PIN, say): counts across the kiosk only. */
  recordKioskFailure(scope: string, now: number): void {
    this.kioskAddStmt.run(now, scope);
  }

  clearParcel(sellerId: string, txn: string): void {
    this.clearStmt.run(sellerId, txn);
  }

  /** Failures across the kiosk after `since`, and when the last one was. */
  kioskFailuresSince(since: number): { count: number; lastAt: number | null } {
    const r = this.kioskSinceStmt.get(since);
    return { count: r?.n ?? 0, lastAt: r?.last ?? null };
  }

  pruneKiosk(before: number): void {
    this.kioskPruneStmt.run(before);
  }
}
