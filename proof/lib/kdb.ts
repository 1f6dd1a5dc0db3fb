/**
 * The kiosk's database, looked at from outside while the kiosk is down: the
 * files (kiosk.db and its WAL) are copied first, so the check never changes
 * what the kiosk itself recovers from on its next start.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface KioskDbView {
  integrity: string;
  /** txn → state */
  parcels: Map<string, { state: string; compartment: string | null }>;
  /** compartment id → state (free, reserved, occupied, check) */
  compartments: Map<string, string>;
  /** Unacked outbox rows. */
  pending: number;
  /** Unacked outbox rows by kind: seller events (`parcel.…`) and operator alarms (`kiosk.alarm`). */
  pendingByKind: Record<string, number>;
  /** Alarms raised (the audit trail's `alarm.…` rows), by kind. */
  alarms: Record<string, number>;
  /** Audit rows by kind for the kinds asked for. */
  audit: (kind: string) => Array<{ txn: string | null; compartment: string | null; detail: string | null }>;
}

/** Unacked seller events (receipts and the like), leaving out alarms, which only an operator acks. */
export function pendingEvents(v: Pick<KioskDbView, 'pendingByKind'>): number {
  return Object.entries(v.pendingByKind).reduce((n, [kind, c]) => (kind === 'kiosk.alarm' ? n : n + c), 0);
}

export function inspectKioskDb(dataDir: string): KioskDbView {
  const tmp = mkdtempSync(join(tmpdir(), 'pk-proof-db-'));
  try {
    const src = join(dataDir, 'kiosk.db');
    const dst = join(tmp, 'kiosk.db');
    copyFileSync(src, dst);
    if (existsSync(`${src}-wal`)) copyFileSync(`${src}-wal`, `${dst}-wal`);
    const db = new Database(dst);
    try {
      const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
      const rows = db.prepare('SELECT txn, state, compartment_id AS c FROM parcels').all() as Array<{ txn: string; state: string; c: string | null }>;
      const byKind = db.prepare('SELECT kind, count(*) AS n FROM outbox WHERE acked_at IS NULL GROUP BY kind').all() as Array<{ kind: string; n: number }>;
      const comps = db.prepare('SELECT id, state FROM compartments').all() as Array<{ id: string; state: string }>;
      const alarms = db.prepare("SELECT substr(kind, 7) AS kind, count(*) AS n FROM audit WHERE kind LIKE 'alarm.%' GROUP BY kind").all() as Array<{ kind: string; n: number }>;
      const audit = db.prepare('SELECT kind, txn, compartment_id AS compartment, detail FROM audit ORDER BY id').all() as Array<{ kind: string; txn: string | null; compartment: string | null; detail: string | null }>;
      return {
        integrity,
        parcels: new Map(rows.map((r) => [r.txn, { state: r.state, compartment: r.c }])),
        compartments: new Map(comps.map((c) => [c.id, c.state])),
        pending: byKind.reduce((n, r) => n + r.n, 0),
        pendingByKind: Object.fromEntries(byKind.map((r) => [r.kind, r.n])),
        alarms: Object.fromEntries(alarms.map((r) => [r.kind, r.n])),
        audit: (kind) => audit.filter((a) => a.kind === kind).map(({ txn, compartment, detail }) => ({ txn, compartment, detail })),
      };
    } finally {
      db.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Unacked outbox rows by kind while the kiosk runs: a read-only connection of
 * its own (WAL lets a reader in beside the kiosk's writer); null when the
 * database is busy at that moment.
 */
export function livePendingByKind(dataDir: string): Record<string, number> | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(join(dataDir, 'kiosk.db'), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 1000');
    const rows = db.prepare('SELECT kind, count(*) AS n FROM outbox WHERE acked_at IS NULL GROUP BY kind').all() as Array<{ kind: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** The kiosk-wide count of wrong codes while the kiosk runs: different things (parcels, cards…) since `since`, all of them, and the last one's time. */
export function liveSpray(dataDir: string, since: number): { things: number; rows: number; lastAt: number | null } | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(join(dataDir, 'kiosk.db'), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 1000');
    const r = db.prepare('SELECT count(DISTINCT scope) AS n, count(*) AS rows, max(at) AS last FROM kiosk_failures WHERE at > ?').get(since) as { n: number; rows: number; last: number | null };
    return { things: r.n, rows: r.rows, lastAt: r.last };
  } catch {
    return null;
  } finally {
    db?.close();
  }
}
