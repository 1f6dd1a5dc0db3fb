import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One kiosk per data directory. Two kiosks on one store would each hand over
 * and take back the other's parcels, so `start` holds an exclusive lock on the
 * directory for as long as it runs.
 *
 * The lock is SQLite's: `kiosk.lock` is a tiny database opened in exclusive
 * locking mode and written once, so its connection keeps an OS-level (fcntl)
 * write lock until it closes. The kernel drops that lock when the process
 * dies, however it dies: a kill -9 leaves no stale lock to clean up. A pid
 * file would need a liveness guess (and pids get reused); this needs none.
 * `kiosk.pid` beside it only tells the next process whom to name.
 */
export interface DataDirLock {
  readonly dir: string;
  release(): void;
}

/** Thrown when another process holds the directory. */
export class DataDirBusyError extends Error {
  readonly holderPid: number | null;
  constructor(dir: string, holderPid: number | null) {
    const who = holderPid === null ? 'another process (its pid is not recorded yet)' : `process ${holderPid}`;
    super(`data directory ${dir} is in use by ${who}: one kiosk per data directory; stop it first or pass another --data-dir`);
    this.name = 'DataDirBusyError';
    this.holderPid = holderPid;
  }
}

const LOCK_FILE = 'kiosk.lock';
const PID_FILE = 'kiosk.pid';

export function lockDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, PID_FILE);
  // timeout 0: a held lock answers SQLITE_BUSY at once instead of waiting for it.
  const db = new Database(join(dir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
    db.transaction(() => {
      db.exec('DELETE FROM holder');
      db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    }).exclusive();
  } catch (e) {
    db.close();
    if ((e as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataDirBusyError(dir, readPid(pidFile));
    throw e;
  }
  writeFileSync(pidFile, `${process.pid}\n`);
  let held = true;
  return {
    dir,
    release() {
      if (!held) return;
      held = false;
      // Only our own pid file is removed; the lock itself ends with the connection.
      if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
      db.close();
    },
  };
}

function readPid(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}
