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
  private readonly lastStmt;
  private readonly sprayStmt;

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
    this.lastStmt = db.prepare<[string, string], { failures: number; last_at: number }>(
      'SELECT failures, last_at FROM parcel_attempts WHERE seller_id = ? AND txn = ?',
    );
    this.sprayStmt = db.prepare<[number], { n: number; last: number | null }>(
      'SELECT count(DISTINCT scope) AS n, max(at) AS last FROM kiosk_failures WHERE at > ?',
    );
  }

  /** A parcel's wrong codes so far and when the last was. */
  parcel(sellerId: string, txn: string): { failures: number; lastAt: number | null } {
    const r = this.lastStmt.get(sellerId, txn);
    return { failures: r?.failures ?? 0, lastAt: r?.last_at ?? null };
  }

  /**
   * How many different things (parcels, cards, courier ids) had failures
   * after `since`, and when the last was: the measure of a spray of guesses.
   */
  kioskSpraySince(since: number): { parcels: number; lastAt: number | null } {
    const r = this.sprayStmt.get(since);
    return { parcels: r?.n ?? 0, lastAt: r?.last ?? null };
  }

  parcelFailures(sellerId: string, txn: string): number {
    return this.getStmt.get(sellerId, txn)?.failures ?? 0;
  }

  /** Records one failure on a parcel and one across the kiosk; returns the parcel's new count. */
  recordFailure(sellerId: string, txn: string, now: number): number {
    this.bumpStmt.run(sellerId, txn, now);
    this.kioskAddStmt.run(now, `parcel:${sellerId}/${txn}`);
    return this.parcelFailures(sellerId, txn);
  }

  /** A failure that names no parcel (a card, a courier PIN): counts across the kiosk only, as one `scope`. */
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
