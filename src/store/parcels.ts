import type Database from 'better-sqlite3';
import type { Db } from './db.js';

export type ParcelState = 'expected' | 'loading' | 'stored' | 'unlocking' | 'handed_over' | 'returned';
export type Size = 'S' | 'M' | 'L';

/** A manifest verifier as protocol.md sends it: K_verify, never the code. No `key`: checked online only. */
export interface VerifierRecord {
  salt: string;
  logN: number;
  r: number;
  p: number;
  key?: string;
}

/** A reference fingerprint template for 1:1 matching (protocol.md `bio`). */
export interface BioRecord {
  format: 'r30x-char';
  template: string;
}

export interface Money {
  amount: number;
  currency: string;
}

export type HandoverMethod = 'code' | 'slip' | 'card' | 'token' | 'biometric' | 'online';

/**
 * What a handover in progress will report once the door has opened and closed.
 * Written when the door is unlocked, so a restart in between finishes it
 * exactly once. The proof is HMAC output, not the code.
 */
export interface PendingHandover {
  eventId: string;
  method: HandoverMethod;
  salt: string | null;
  recipientProof: string | null;
  paid: (Money & { means: 'cash' | 'counter' }) | null;
  unlockedAt: number;
}

export interface Parcel {
  sellerId: string;
  txn: string;
  state: ParcelState;
  compartmentId: string | null;
  slip: string | null;
  verifier: VerifierRecord | null;
  bio: BioRecord | null;
  size: Size | null;
  holdUntil: number | null;
  due: Money | null;
  /** The seller withdrew it (a manifest cancel) while it was in the kiosk: it waits for return. */
  withdrawn: boolean;
  uncollectedAt: number | null;
  handover: PendingHandover | null;
  doorOpenedAt: number | null;
  /** Cash put in for this parcel so far (minor units of its due currency). */
  paidAmount: number;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  seller_id: string;
  txn: string;
  state: ParcelState;
  compartment_id: string | null;
  slip: string | null;
  verifier: string | null;
  bio: string | null;
  size: Size | null;
  hold_until: number | null;
  due_amount: number | null;
  due_currency: string | null;
  withdrawn: number;
  uncollected_at: number | null;
  handover: string | null;
  door_opened_at: number | null;
  paid_amount: number;
  created_at: number;
  updated_at: number;
}

function fromRow(r: Row): Parcel {
  return {
    sellerId: r.seller_id,
    txn: r.txn,
    state: r.state,
    compartmentId: r.compartment_id,
    slip: r.slip,
    verifier: r.verifier ? (JSON.parse(r.verifier) as VerifierRecord) : null,
    bio: r.bio ? (JSON.parse(r.bio) as BioRecord) : null,
    size: r.size,
    holdUntil: r.hold_until,
    due: r.due_amount !== null && r.due_currency !== null ? { amount: r.due_amount, currency: r.due_currency } : null,
    withdrawn: r.withdrawn === 1,
    uncollectedAt: r.uncollected_at,
    handover: r.handover ? (JSON.parse(r.handover) as PendingHandover) : null,
    doorOpenedAt: r.door_opened_at,
    paidAmount: r.paid_amount,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Fields a caller may change; `undefined` leaves a field as it is. */
export type ParcelPatch = Partial<Omit<Parcel, 'sellerId' | 'txn' | 'createdAt' | 'updatedAt'>>;

const COLUMNS: Record<keyof ParcelPatch, string> = {
  state: 'state',
  compartmentId: 'compartment_id',
  slip: 'slip',
  verifier: 'verifier',
  bio: 'bio',
  size: 'size',
  holdUntil: 'hold_until',
  due: 'due',
  withdrawn: 'withdrawn',
  uncollectedAt: 'uncollected_at',
  handover: 'handover',
  doorOpenedAt: 'door_opened_at',
  paidAmount: 'paid_amount',
};

function toColumns(patch: ParcelPatch): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(patch) as Array<[keyof ParcelPatch, unknown]>) {
    if (v === undefined) continue;
    switch (k) {
      case 'verifier':
      case 'bio':
      case 'handover':
        out[COLUMNS[k]] = v === null ? null : JSON.stringify(v);
        break;
      case 'due': {
        const m = v as Money | null;
        out.due_amount = m ? m.amount : null;
        out.due_currency = m ? m.currency : null;
        break;
      }
      case 'withdrawn':
        out.withdrawn = v ? 1 : 0;
        break;
      case 'state':
      case 'compartmentId':
      case 'slip':
      case 'size':
      case 'holdUntil':
      case 'uncollectedAt':
      case 'doorOpenedAt':
      case 'paidAmount':
        out[COLUMNS[k]] = v as string | number | null;
        break;
    }
  }
  return out;
}

/** Parcels the kiosk expects, holds, or has handed over. Keyed by (seller id, txn). */
export class Parcels {
  private readonly getStmt;
  private readonly byTxnStmt;
  private readonly inStateStmt;
  private readonly inCompartmentStmt;
  private readonly deleteStmt;
  private readonly countStmt;
  private readonly interruptedLoadStmt;
  /** UPDATE statements by the columns they set (a handful of shapes; preparing one costs ~0.1 ms). */
  private readonly updateStmts = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string, string], Row>('SELECT * FROM parcels WHERE seller_id = ? AND txn = ?');
    this.byTxnStmt = db.prepare<[string], Row>('SELECT * FROM parcels WHERE txn = ? ORDER BY seller_id');
    this.inStateStmt = db.prepare<[string], Row>('SELECT * FROM parcels WHERE state = ? ORDER BY created_at, txn');
    this.inCompartmentStmt = db.prepare<[string], Row>(
      "SELECT * FROM parcels WHERE compartment_id = ? AND state IN ('loading','stored','unlocking')",
    );
    this.deleteStmt = db.prepare<[string, string]>('DELETE FROM parcels WHERE seller_id = ? AND txn = ?');
    this.interruptedLoadStmt = db.prepare<[string], Row>("SELECT * FROM parcels WHERE compartment_id = ? AND state = 'expected' LIMIT 1");
    this.countStmt = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM parcels WHERE state = ?');
  }

  get(sellerId: string, txn: string): Parcel | null {
    const r = this.getStmt.get(sellerId, txn);
    return r ? fromRow(r) : null;
  }

  /** Every parcel with this txn, across sellers. */
  byTxn(txn: string): Parcel[] {
    return this.byTxnStmt.all(txn).map(fromRow);
  }

  inState(state: ParcelState): Parcel[] {
    return this.inStateStmt.all(state).map(fromRow);
  }

  count(state: ParcelState): number {
    return this.countStmt.get(state)?.n ?? 0;
  }

  /** The parcel loading into, held in, or being taken from a compartment. */
  inCompartment(compartmentId: string): Parcel | null {
    const r = this.inCompartmentStmt.get(compartmentId);
    return r ? fromRow(r) : null;
  }

  /** A parcel whose load into this compartment was interrupted (it may be inside): `expected`, still naming the compartment. */
  interruptedLoad(compartmentId: string): Parcel | null {
    const r = this.interruptedLoadStmt.get(compartmentId);
    return r ? fromRow(r) : null;
  }

  insert(p: Pick<Parcel, 'sellerId' | 'txn' | 'state'> & ParcelPatch, now: number): void {
    const cols = toColumns({ ...p, sellerId: undefined, txn: undefined } as ParcelPatch);
    const names = ['seller_id', 'txn', 'created_at', 'updated_at', ...Object.keys(cols)];
    const values = [p.sellerId, p.txn, now, now, ...Object.values(cols)];
    this.db
      .prepare(`INSERT INTO parcels (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
      .run(...values);
  }

  update(sellerId: string, txn: string, patch: ParcelPatch, now: number): boolean {
    const cols = toColumns(patch);
    const names = Object.keys(cols);
    const shape = names.join(',');
    let stmt = this.updateStmts.get(shape);
    if (!stmt) {
      const sets = [...names.map((n) => `${n} = ?`), 'updated_at = ?'];
      stmt = this.db.prepare(`UPDATE parcels SET ${sets.join(', ')} WHERE seller_id = ? AND txn = ?`);
      this.updateStmts.set(shape, stmt);
    }
    const info = stmt.run(...Object.values(cols), now, sellerId, txn);
    return info.changes === 1;
  }

  delete(sellerId: string, txn: string): boolean {
    return this.deleteStmt.run(sellerId, txn).changes === 1;
  }
}
