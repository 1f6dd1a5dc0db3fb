/**
 * Numbered migrations, applied in order at start inside one transaction each.
 * `PRAGMA user_version` holds the number of the last one applied. Never edit a
 * migration that has shipped: add the next one.
 *
 * No column may hold a code, a name, an address, a phone number or an e-mail.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the first schema
  `
  CREATE TABLE compartments (
    id          TEXT PRIMARY KEY,
    size        TEXT NOT NULL CHECK (size IN ('S','M','L')),
    channel     INTEGER NOT NULL UNIQUE,
    state       TEXT NOT NULL CHECK (state IN ('free','reserved','occupied','check')),
    door_open   INTEGER CHECK (door_open IN (0,1)),
    note        TEXT,
    updated_at  INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE parcels (
    seller_id       TEXT NOT NULL,
    txn             TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('expected','loading','stored','unlocking','handed_over','returned')),
    compartment_id  TEXT REFERENCES compartments(id),
    slip            TEXT,
    verifier        TEXT,
    bio             TEXT,
    size            TEXT CHECK (size IN ('S','M','L')),
    hold_until      INTEGER,
    due_amount      INTEGER,
    due_currency    TEXT,
    withdrawn       INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0,1)),
    uncollected_at  INTEGER,
    handover        TEXT,
    door_opened_at  INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (seller_id, txn)
  ) STRICT;
  CREATE INDEX parcels_state ON parcels(state);
  CREATE INDEX parcels_compartment ON parcels(compartment_id);

  CREATE TABLE parcel_attempts (
    seller_id   TEXT NOT NULL,
    txn         TEXT NOT NULL,
    failures    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    PRIMARY KEY (seller_id, txn)
  ) STRICT;

  CREATE TABLE kiosk_failures (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    at    INTEGER NOT NULL,
    scope TEXT NOT NULL
  ) STRICT;
  CREATE INDEX kiosk_failures_at ON kiosk_failures(at);

  CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL UNIQUE,
    topic        TEXT NOT NULL,
    payload      BLOB NOT NULL,
    kind         TEXT NOT NULL,
    parcel_key   TEXT,
    created_at   INTEGER NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0,
    next_try_at  INTEGER NOT NULL,
    acked_at     INTEGER
  ) STRICT;
  CREATE INDEX outbox_pending ON outbox(acked_at, next_try_at);

  CREATE TABLE audit (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    seller_id       TEXT,
    txn             TEXT,
    compartment_id  TEXT,
    detail          TEXT
  ) STRICT;
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

  CREATE TABLE handled_messages (
    msg_id  TEXT PRIMARY KEY,
    by      TEXT NOT NULL,
    at      INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX handled_messages_at ON handled_messages(at);

  CREATE TABLE manifest_seq (
    seller_id  TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL
  ) STRICT;
  `,
  // 2: the outbox's per-parcel order (Outbox.due) looks up earlier unacked rows of the
  // same parcel; without this index that is a scan per row (10,000 rows: minutes).
  `
  CREATE INDEX IF NOT EXISTS outbox_parcel_pending ON outbox(parcel_key, seq) WHERE acked_at IS NULL;
  `,
  // 3: money a recipient has put into the cash acceptor for a parcel, in minor units of its due
  // currency. Kept across attempts and restarts: cash in the box is never forgotten.
  `
  ALTER TABLE parcels ADD COLUMN paid_amount INTEGER NOT NULL DEFAULT 0;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
