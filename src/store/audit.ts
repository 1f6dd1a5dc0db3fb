import type { Db } from './db.js';

export interface AuditEntry {
  id: number;
  at: number;
  kind: string;
  sellerId: string | null;
  txn: string | null;
  compartmentId: string | null;
  detail: string | null;
}

interface Row {
  id: number;
  at: number;
  kind: string;
  seller_id: string | null;
  txn: string | null;
  compartment_id: string | null;
  detail: string | null;
}

function fromRow(r: Row): AuditEntry {
  return { id: r.id, at: r.at, kind: r.kind, sellerId: r.seller_id, txn: r.txn, compartmentId: r.compartment_id, detail: r.detail };
}

/** The append-only audit log (triggers refuse UPDATE and DELETE). Never a code in it. */
export class Audit {
  private readonly addStmt;

  constructor(private readonly db: Db) {
    this.addStmt = db.prepare<[number, string, string | null, string | null, string | null, string | null]>(
      'INSERT INTO audit (at, kind, seller_id, txn, compartment_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  add(
    kind: string,
    at: number,
    where: { sellerId?: string | null; txn?: string | null; compartmentId?: string | null; detail?: string | null } = {},
  ): void {
    this.addStmt.run(at, kind, where.sellerId ?? null, where.txn ?? null, where.compartmentId ?? null, where.detail ?? null);
  }

  /** The newest entries first. */
  recent(limit = 100): AuditEntry[] {
    return this.db.prepare<[number], Row>('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit).map(fromRow);
  }

  /** Every entry of one kind, oldest first. */
  ofKind(kind: string): AuditEntry[] {
    return this.db.prepare<[string], Row>('SELECT * FROM audit WHERE kind = ? ORDER BY id').all(kind).map(fromRow);
  }
}
