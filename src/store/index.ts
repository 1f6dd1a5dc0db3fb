import { Attempts } from './attempts.js';
import { Audit } from './audit.js';
import { Compartments } from './compartments.js';
import { openDb, type Db } from './db.js';
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

/** The kiosk's database, one module per table family. */
export class Store {
  readonly parcels: Parcels;
  readonly compartments: Compartments;
  readonly attempts: Attempts;
  readonly outbox: Outbox;
  readonly audit: Audit;
  readonly messages: Messages;

  constructor(readonly db: Db) {
    this.parcels = new Parcels(db);
    this.compartments = new Compartments(db);
    this.attempts = new Attempts(db);
    this.outbox = new Outbox(db);
    this.audit = new Audit(db);
    this.messages = new Messages(db);
  }

  /** Runs `fn` in one transaction (IMMEDIATE, so two writers never interleave). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function openStore(path: string): Store {
  return new Store(openDb(path));
}
