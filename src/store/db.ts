import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the kiosk database and brings its schema up to
 * date. Every connection: WAL, `synchronous = FULL` (NORMAL can lose a
 * committed handover on power loss), foreign keys on, a busy timeout.
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

function configure(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
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
