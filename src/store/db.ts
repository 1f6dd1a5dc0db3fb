import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the kiosk database and brings its schema up to
 * date. Every connection: WAL, `synchronous = FULL` (NORMAL can lose a
 * committed handover on power loss), foreign keys on, a busy timeout,
 * secure_delete on.
 * Refuses a corrupt database and one whose schema is newer than this code.
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (e) {
    throw new StoreError('open-failed', `cannot open the database ${path}: ${(e as Error).message}`);
  }
  try {
    configure(db);
    check(db, path);
    migrate(db, path);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(
      'corrupt',
      `the database ${path} is corrupt or is not a pickup-kiosk database (${(e as Error).message}); ` +
        'move it aside and restore the last backup, or start with an empty data directory',
    );
  }
}

/**
 * SQLite's automatic checkpoint runs inside the commit that crosses it, with
 * two more fsyncs; the Store checkpoints first, between transactions (see
 * Store.tx), so this one is only a backstop for writes made outside it.
 */
const AUTOCHECKPOINT_PAGES = 4000;

function configure(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // What is deleted is overwritten (a fingerprint template must not live on in a free page); see scrubWal.
  db.pragma('secure_delete = ON');
}

/**
 * Copies the WAL into the database and truncates it to nothing, so older
 * versions of rows (a template before it was cleared) are gone from the
 * -wal file too. Outside a transaction only; a no-op for :memory:.
 */
export function scrubWal(db: Db): void {
  if (db.inTransaction || db.memory) return;
  db.pragma('wal_checkpoint(TRUNCATE)');
  restartWal(db);
}

/**
 * Copies the WAL into the database (PASSIVE: never waits for a reader).
 * Outside a transaction only; a no-op for :memory:.
 */
export function checkpointWal(db: Db): void {
  if (db.inTransaction || db.memory) return;
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
  if (r && r.busy === 0 && r.log === r.checkpointed) restartWal(db);
}

/**
 * After a complete checkpoint the next commit starts the WAL over and fsyncs
 * its new header besides its own frames. A write that changes nothing
 * (user_version set to what it is) takes that extra fsync now, so the next
 * real transaction, perhaps the one a door waits for, pays only its own.
 */
function restartWal(db: Db): void {
  const v = db.pragma('user_version', { simple: true }) as number;
  db.pragma(`user_version = ${v}`);
}

function check(db: Db, path: string): void {
  const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
  const bad = rows.filter((r) => r.quick_check !== 'ok');
  if (bad.length > 0) {
    throw new StoreError(
      'corrupt',
      `the database ${path} failed its integrity check (${bad.map((r) => r.quick_check).join('; ')}); ` +
        'move it aside and restore the last backup',
    );
  }
}

function migrate(db: Db, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      'newer-schema',
      `the database ${path} has schema version ${current}, newer than this pickup-kiosk understands ` +
        `(${SCHEMA_VERSION}); install the newer pickup-kiosk that wrote it, or restore a backup`,
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const sql = MIGRATIONS[v];
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
