/**
 * The reference seller's own SQLite (WAL, synchronous FULL). It never holds a
 * recipient code: per parcel it keeps K_verify and K_receipt for each salt it
 * issued (enough to answer online checks and check receipts), the failure
 * count, and the events kiosks reported (one row per event id).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SellerDb = Database.Database;

export type SellerParcelState = 'issued' | 'arrived' | 'handed_over' | 'returned' | 'uncollected' | 'cancelled';
export type ProofCheck = 'ok' | 'mismatch' | 'missing' | 'unknown-salt' | 'none';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE kiosks (
    kiosk_id   TEXT PRIMARY KEY,
    ed25519    TEXT NOT NULL,
    x25519     TEXT,
    added_at   INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE parcels (
    txn            TEXT PRIMARY KEY,
    kiosk_id       TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('issued','arrived','handed_over','returned','uncollected','cancelled')),
    mode           INTEGER NOT NULL CHECK (mode IN (0,1)),
    size           TEXT CHECK (size IN ('S','M','L')),
    hold_until     TEXT,
    due_amount     INTEGER,
    due_currency   TEXT,
    verifier_salt  TEXT,
    failures       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX parcels_kiosk ON parcels(kiosk_id, state);

  CREATE TABLE parcel_keys (
    txn        TEXT NOT NULL,
    salt       TEXT NOT NULL,
    log_n      INTEGER NOT NULL,
    r          INTEGER NOT NULL,
    p          INTEGER NOT NULL,
    k_verify   BLOB NOT NULL,
    k_receipt  BLOB NOT NULL,
    PRIMARY KEY (txn, salt)
  ) STRICT;

  CREATE TABLE events (
    event_id     TEXT PRIMARY KEY,
    kiosk_id     TEXT NOT NULL,
    type         TEXT NOT NULL,
    txn          TEXT NOT NULL,
    at           TEXT NOT NULL,
    body         TEXT NOT NULL,
    proof        TEXT CHECK (proof IN ('ok','mismatch','missing','unknown-salt','none')),
    received_at  INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX events_received ON events(received_at);

  CREATE TABLE manifest_seq (
    kiosk_id  TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL
  ) STRICT;
  `,
];

export function openSellerDb(path: string): SellerDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`the seller database ${path} has schema ${current}, newer than this version understands (${MIGRATIONS.length})`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

export interface KioskRow {
  kioskId: string;
  ed25519: string;
  x25519: string | null;
  addedAt: number;
}

export interface SellerParcel {
  txn: string;
  kioskId: string;
  state: SellerParcelState;
  mode: 0 | 1;
  size: 'S' | 'M' | 'L' | null;
  holdUntil: string | null;
  due: { amount: number; currency: string } | null;
  verifierSalt: string | null;
  failures: number;
  createdAt: number;
  updatedAt: number;
}

export interface ParcelKeys {
  salt: string;
  logN: number;
  r: number;
  p: number;
  kVerify: Buffer;
  kReceipt: Buffer;
}

export interface RecordedEvent {
  eventId: string;
  kioskId: string;
  type: string;
  txn: string;
  at: string;
  body: Record<string, unknown>;
  proof: ProofCheck | null;
  receivedAt: number;
}

interface ParcelRowDb {
  txn: string;
  kiosk_id: string;
  state: SellerParcelState;
  mode: number;
  size: 'S' | 'M' | 'L' | null;
  hold_until: string | null;
  due_amount: number | null;
  due_currency: string | null;
  verifier_salt: string | null;
  failures: number;
  created_at: number;
  updated_at: number;
}

function parcelFromRow(r: ParcelRowDb): SellerParcel {
  return {
    txn: r.txn,
    kioskId: r.kiosk_id,
    state: r.state,
    mode: r.mode === 1 ? 1 : 0,
    size: r.size,
    holdUntil: r.hold_until,
    due: r.due_amount !== null && r.due_currency !== null ? { amount: r.due_amount, currency: r.due_currency } : null,
    verifierSalt: r.verifier_salt,
    failures: r.failures,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

interface EventRowDb {
  event_id: string;
  kiosk_id: string;
  type: string;
  txn: string;
  at: string;
  body: string;
  proof: ProofCheck | null;
  received_at: number;
}

function eventFromRow(r: EventRowDb): RecordedEvent {
  return {
    eventId: r.event_id,
    kioskId: r.kiosk_id,
    type: r.type,
    txn: r.txn,
    at: r.at,
    body: JSON.parse(r.body) as Record<string, unknown>,
    proof: r.proof,
    receivedAt: r.received_at,
  };
}

/** The seller's tables, as prepared statements. */
export class SellerStore {
  private readonly s;

  constructor(readonly db: SellerDb) {
    this.s = {
      kioskPut: db.prepare<[string, string, string | null, number]>(
        `INSERT INTO kiosks (kiosk_id, ed25519, x25519, added_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(kiosk_id) DO UPDATE SET ed25519 = excluded.ed25519, x25519 = excluded.x25519`,
      ),
      kioskGet: db.prepare<[string], { kiosk_id: string; ed25519: string; x25519: string | null; added_at: number }>(
        'SELECT * FROM kiosks WHERE kiosk_id = ?',
      ),
      kioskAll: db.prepare<[], { kiosk_id: string; ed25519: string; x25519: string | null; added_at: number }>(
        'SELECT * FROM kiosks ORDER BY kiosk_id',
      ),
      parcelInsert: db.prepare<
        [string, string, number, string | null, string | null, number | null, string | null, string | null, number, number]
      >(
        `INSERT INTO parcels (txn, kiosk_id, state, mode, size, hold_until, due_amount, due_currency, verifier_salt, created_at, updated_at)
         VALUES (?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      parcelGet: db.prepare<[string], ParcelRowDb>('SELECT * FROM parcels WHERE txn = ?'),
      parcelsOpen: db.prepare<[string], ParcelRowDb>(
        "SELECT * FROM parcels WHERE kiosk_id = ? AND state IN ('issued','arrived','uncollected') ORDER BY created_at, txn",
      ),
      parcelState: db.prepare<[SellerParcelState, number, string]>('UPDATE parcels SET state = ?, updated_at = ? WHERE txn = ?'),
      failuresBump: db.prepare<[number, string], { failures: number }>(
        'UPDATE parcels SET failures = failures + 1, updated_at = ? WHERE txn = ? RETURNING failures',
      ),
      failuresClear: db.prepare<[number, string]>('UPDATE parcels SET failures = 0, updated_at = ? WHERE txn = ? AND failures > 0'),
      keysPut: db.prepare<[string, string, number, number, number, Buffer, Buffer]>(
        'INSERT OR REPLACE INTO parcel_keys (txn, salt, log_n, r, p, k_verify, k_receipt) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      keysGet: db.prepare<[string, string], { salt: string; log_n: number; r: number; p: number; k_verify: Buffer; k_receipt: Buffer }>(
        'SELECT * FROM parcel_keys WHERE txn = ? AND salt = ?',
      ),
      eventInsert: db.prepare<[string, string, string, string, string, string, ProofCheck | null, number]>(
        `INSERT OR IGNORE INTO events (event_id, kiosk_id, type, txn, at, body, proof, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      eventsRecent: db.prepare<[number], EventRowDb>('SELECT * FROM events ORDER BY received_at DESC, rowid DESC LIMIT ?'),
      eventCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
      seqNext: db.prepare<[string], { seq: number }>(
        `INSERT INTO manifest_seq (kiosk_id, seq) VALUES (?, 1)
         ON CONFLICT(kiosk_id) DO UPDATE SET seq = seq + 1 RETURNING seq`,
      ),
    };
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  putKiosk(k: Omit<KioskRow, 'addedAt'>, now: number): void {
    this.s.kioskPut.run(k.kioskId, k.ed25519, k.x25519, now);
  }

  kiosk(kioskId: string): KioskRow | null {
    const r = this.s.kioskGet.get(kioskId);
    return r ? { kioskId: r.kiosk_id, ed25519: r.ed25519, x25519: r.x25519, addedAt: r.added_at } : null;
  }

  kiosks(): KioskRow[] {
    return this.s.kioskAll.all().map((r) => ({ kioskId: r.kiosk_id, ed25519: r.ed25519, x25519: r.x25519, addedAt: r.added_at }));
  }

  insertParcel(p: Omit<SellerParcel, 'state' | 'failures' | 'createdAt' | 'updatedAt'>, now: number): void {
    this.s.parcelInsert.run(
      p.txn,
      p.kioskId,
      p.mode,
      p.size,
      p.holdUntil,
      p.due?.amount ?? null,
      p.due?.currency ?? null,
      p.verifierSalt,
      now,
      now,
    );
  }

  parcel(txn: string): SellerParcel | null {
    const r = this.s.parcelGet.get(txn);
    return r ? parcelFromRow(r) : null;
  }

  /** Parcels of a kiosk that may still be handed over. */
  openParcels(kioskId: string): SellerParcel[] {
    return this.s.parcelsOpen.all(kioskId).map(parcelFromRow);
  }

  setState(txn: string, state: SellerParcelState, now: number): void {
    this.s.parcelState.run(state, now, txn);
  }

  /** One more failed check; returns the new count. */
  addFailure(txn: string, now: number): number {
    return this.s.failuresBump.get(now, txn)?.failures ?? 0;
  }

  clearFailures(txn: string, now: number): void {
    this.s.failuresClear.run(now, txn);
  }

  putKeys(txn: string, k: ParcelKeys): void {
    this.s.keysPut.run(txn, k.salt, k.logN, k.r, k.p, k.kVerify, k.kReceipt);
  }

  keys(txn: string, salt: string): ParcelKeys | null {
    const r = this.s.keysGet.get(txn, salt);
    return r ? { salt: r.salt, logN: r.log_n, r: r.r, p: r.p, kVerify: r.k_verify, kReceipt: r.k_receipt } : null;
  }

  /** Records an event; false when its id was recorded before. */
  insertEvent(e: Omit<RecordedEvent, 'body'> & { bodyText: string }): boolean {
    return this.s.eventInsert.run(e.eventId, e.kioskId, e.type, e.txn, e.at, e.bodyText, e.proof, e.receivedAt).changes === 1;
  }

  events(limit = 100): RecordedEvent[] {
    return this.s.eventsRecent.all(limit).map(eventFromRow);
  }

  eventCount(): number {
    return this.s.eventCount.get()?.n ?? 0;
  }

  nextSeq(kioskId: string): number {
    const r = this.s.seqNext.get(kioskId);
    if (r === undefined) throw new Error('manifest seq allocation returned nothing');
    return r.seq;
  }
}
