import type { Db } from './db.js';

/** Ids of inbound messages already handled (kept ≥ 7 days), and each seller's last manifest seq. */
export class Messages {
  private readonly hasStmt;
  private readonly addStmt;
  private readonly pruneStmt;
  private readonly seqGetStmt;
  private readonly seqSetStmt;

  constructor(db: Db) {
    this.hasStmt = db.prepare<[string], { x: number }>('SELECT 1 AS x FROM handled_messages WHERE msg_id = ?');
    this.addStmt = db.prepare<[string, string, number]>(
      'INSERT OR IGNORE INTO handled_messages (msg_id, by, at) VALUES (?, ?, ?)',
    );
    this.pruneStmt = db.prepare<[number]>('DELETE FROM handled_messages WHERE at < ?');
    this.seqGetStmt = db.prepare<[string], { seq: number }>('SELECT seq FROM manifest_seq WHERE seller_id = ?');
    this.seqSetStmt = db.prepare<[string, number]>(
      `INSERT INTO manifest_seq (seller_id, seq) VALUES (?, ?)
       ON CONFLICT(seller_id) DO UPDATE SET seq = excluded.seq`,
    );
  }

  handled(msgId: string): boolean {
    return this.hasStmt.get(msgId) !== undefined;
  }

  /** Records a handled id; returns false when it was already there. */
  markHandled(msgId: string, by: string, now: number): boolean {
    return this.addStmt.run(msgId, by, now).changes === 1;
  }

  pruneHandled(before: number): number {
    return this.pruneStmt.run(before).changes;
  }

  lastSeq(sellerId: string): number | null {
    return this.seqGetStmt.get(sellerId)?.seq ?? null;
  }

  setLastSeq(sellerId: string, seq: number): void {
    this.seqSetStmt.run(sellerId, seq);
  }
}
