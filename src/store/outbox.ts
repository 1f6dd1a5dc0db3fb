import type { Db } from './db.js';

export interface OutboxRow {
  seq: number;
  eventId: string;
  topic: string;
  /** The signed envelope bytes, exactly as they will be published. */
  payload: Buffer;
  kind: string;
  parcelKey: string | null;
  createdAt: number;
  tries: number;
  nextTryAt: number;
  ackedAt: number | null;
}

interface Row {
  seq: number;
  event_id: string;
  topic: string;
  payload: Buffer;
  kind: string;
  parcel_key: string | null;
  created_at: number;
  tries: number;
  next_try_at: number;
  acked_at: number | null;
}

function fromRow(r: Row): OutboxRow {
  return {
    seq: r.seq,
    eventId: r.event_id,
    topic: r.topic,
    payload: r.payload,
    kind: r.kind,
    parcelKey: r.parcel_key,
    createdAt: r.created_at,
    tries: r.tries,
    nextTryAt: r.next_try_at,
    ackedAt: r.acked_at,
  };
}

/**
 * The only durable queue of what the kiosk reports (events and alarms). A row
 * is written in the same transaction as the decision it reports, and is never
 * forgotten until the receiver's `ack` names it.
 */
export class Outbox {
  private readonly addStmt;
  private readonly dueStmt;
  private readonly triedStmt;
  private readonly ackStmt;
  private readonly ackTargetsStmt;
  private readonly pendingStmt;
  private readonly nextDueStmt;
  private readonly pruneStmt;
  private readonly getStmt;

  constructor(private readonly db: Db) {
    this.addStmt = db.prepare<[string, string, Buffer, string, string | null, number, number]>(
      `INSERT INTO outbox (event_id, topic, payload, kind, parcel_key, created_at, next_try_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // Per-parcel order: a row is due only when no earlier unacked row of the same parcel exists.
    this.dueStmt = db.prepare<[number, number], Row>(
      `SELECT o.* FROM outbox o
       WHERE o.acked_at IS NULL AND o.next_try_at <= ?
         AND (o.parcel_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM outbox e WHERE e.parcel_key = o.parcel_key AND e.acked_at IS NULL AND e.seq < o.seq))
       ORDER BY o.seq LIMIT ?`,
    );
    // Set-at-once forms: one send batch or one ack may name thousands of rows.
    this.triedStmt = db.prepare<[number, string]>(
      'UPDATE outbox SET tries = tries + 1, next_try_at = ? WHERE seq IN (SELECT value FROM json_each(?))',
    );
    this.ackStmt = db.prepare<[number, string]>(
      'UPDATE outbox SET acked_at = ? WHERE acked_at IS NULL AND event_id IN (SELECT value FROM json_each(?))',
    );
    this.ackTargetsStmt = db.prepare<[string], { event_id: string; topic: string; acked_at: number | null }>(
      'SELECT event_id, topic, acked_at FROM outbox WHERE event_id IN (SELECT value FROM json_each(?))',
    );
    this.pendingStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE acked_at IS NULL');
    this.nextDueStmt = db.prepare<[], { t: number | null }>(
      'SELECT min(next_try_at) AS t FROM outbox WHERE acked_at IS NULL',
    );
    this.pruneStmt = db.prepare<[number]>('DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at <= ?');
    this.getStmt = db.prepare<[string], Row>('SELECT * FROM outbox WHERE event_id = ?');
  }

  add(row: { eventId: string; topic: string; payload: Buffer; kind: string; parcelKey: string | null }, now: number): void {
    this.addStmt.run(row.eventId, row.topic, row.payload, row.kind, row.parcelKey, now, now);
  }

  /** Unacked rows whose next try has come, oldest first, keeping each parcel's order. */
  due(now: number, limit = 100): OutboxRow[] {
    return this.dueStmt.all(now, limit).map(fromRow);
  }

  /** Records a send of each row; they stay until acked and are sent again at `nextTryAt`. */
  markTried(seqs: readonly number[], nextTryAt: number): void {
    if (seqs.length > 0) this.triedStmt.run(nextTryAt, JSON.stringify(seqs));
  }

  /** Marks rows delivered. Returns how many were newly acked (a repeated ack changes nothing). */
  ack(eventIds: readonly string[], now: number): number {
    return eventIds.length === 0 ? 0 : this.ackStmt.run(now, JSON.stringify(eventIds)).changes;
  }

  /** The rows an ack names: their topic (who may ack them) and whether they are acked already. */
  ackTargets(eventIds: readonly string[]): Array<{ eventId: string; topic: string; ackedAt: number | null }> {
    if (eventIds.length === 0) return [];
    return this.ackTargetsStmt.all(JSON.stringify(eventIds)).map((r) => ({ eventId: r.event_id, topic: r.topic, ackedAt: r.acked_at }));
  }

  get(eventId: string): OutboxRow | null {
    const r = this.getStmt.get(eventId);
    return r ? fromRow(r) : null;
  }

  pending(): number {
    return this.pendingStmt.get()?.n ?? 0;
  }

  /** When the earliest unacked row falls due, or null when nothing waits. */
  nextDueAt(): number | null {
    return this.nextDueStmt.get()?.t ?? null;
  }

  all(): OutboxRow[] {
    return this.db.prepare<[], Row>('SELECT * FROM outbox ORDER BY seq').all().map(fromRow);
  }

  /** Forgets rows acked before `before` (they are the receiver's now). */
  pruneAcked(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
