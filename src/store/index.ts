import type Database from 'better-sqlite3';
import { Attempts } from './attempts.js';
import { Audit } from './audit.js';
import { Compartments } from './compartments.js';
import { checkpointWal, openDb, scrubWal, type Db } from './db.js';
import { Messages } from './messages.js';
import { Outbox } from './outbox.js';
import { Parcels } from './parcels.js';

export * from './attempts.js';
export * from './audit.js';
export * from './compartments.js';
export * from './errors.js';
export * from './messages.js';
export * from './outbox.js';
export * from './parcels.js';
export { openDb, type Db } from './db.js';
export { SCHEMA_VERSION } from './migrations.js';

/** Row changes between two checkpoints of the WAL (a pickup changes about ten rows). */
const CHECKPOINT_CHANGES = 200;

/** The kiosk's database, one module per table family. */
export class Store {
  readonly parcels: Parcels;
  readonly compartments: Compartments;
  readonly attempts: Attempts;
  readonly outbox: Outbox;
  readonly audit: Audit;
  readonly messages: Messages;

  /** A template was cleared inside the running transaction: scrub the WAL once it commits. */
  private scrubDue = false;
  /** Row changes (SQLite's total_changes) when the WAL was last checkpointed, and whether one is queued. */
  private changesAtCheckpoint = 0;
  private checkpointQueued = false;
  private readonly totalChanges: Database.Statement;

  constructor(readonly db: Db) {
    this.parcels = new Parcels(db);
    this.compartments = new Compartments(db);
    this.attempts = new Attempts(db);
    this.outbox = new Outbox(db);
    this.audit = new Audit(db);
    this.messages = new Messages(db);
    watchTemplates(db, () => this.templateCleared());
    this.totalChanges = db.prepare('SELECT total_changes()').pluck();
  }

  /** Runs `fn` in one transaction (IMMEDIATE, so two writers never interleave). */
  tx<T>(fn: () => T): T {
    const out = this.db.transaction(fn).immediate();
    if (this.db.inTransaction) return out; // nested: the outer one commits
    if (this.scrubDue) {
      this.scrubDue = false;
      scrubWal(this.db);
    } else {
      this.checkpointSoon();
    }
    return out;
  }

  /**
   * Once enough rows changed, checkpoints the WAL on the next turn of the
   * event loop: after whatever the caller does right after its commit (a
   * handover's unlock command goes out first), and never inside a later
   * commit, where SQLite's own automatic checkpoint would add two fsyncs to
   * whichever transaction crossed its threshold, possibly the one a door
   * waits for.
   */
  private checkpointSoon(): void {
    if (this.checkpointQueued || this.db.memory) return;
    if ((this.totalChanges.get() as number) - this.changesAtCheckpoint < CHECKPOINT_CHANGES) return;
    this.checkpointQueued = true;
    setImmediate(() => {
      this.checkpointQueued = false;
      if (!this.db.open || this.db.inTransaction) return;
      checkpointWal(this.db);
      this.changesAtCheckpoint = this.totalChanges.get() as number;
    });
  }

  private templateCleared(): void {
    if (this.db.inTransaction) this.scrubDue = true;
    else scrubWal(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * Tells `cleared` whenever a fingerprint template leaves a row, by any
 * statement (a handover, a manifest that replaces or cancels it): temporary
 * triggers, so the schema is unchanged and every writer is covered.
 */
function watchTemplates(db: Db, cleared: () => void): void {
  db.function('pk_template_cleared', { deterministic: false, varargs: false }, () => {
    cleared();
    return null;
  });
  db.exec(`
    CREATE TEMP TRIGGER IF NOT EXISTS pk_bio_changed AFTER UPDATE OF bio ON main.parcels
      WHEN old.bio IS NOT NULL AND new.bio IS NOT old.bio BEGIN SELECT pk_template_cleared(); END;
    CREATE TEMP TRIGGER IF NOT EXISTS pk_bio_deleted AFTER DELETE ON main.parcels
      WHEN old.bio IS NOT NULL BEGIN SELECT pk_template_cleared(); END;
  `);
}

export function openStore(path: string): Store {
  return new Store(openDb(path));
}
