import type { Database } from 'better-sqlite3';
import { EventStoreUnavailableError } from '../../domain/event-store.errors';
import { eventKey } from './sqlite-event-key';

/** `eventKey` as an SQL function, for the migration that builds the index from existing rows. */
const EVENT_KEY_SQL = 'authtrail_event_key';

/**
 * Migrations, applied in order; `PRAGMA user_version` records how many ran, so a later
 * release appends a step instead of editing one that users' files already have. A step is
 * SQL, or a function for one that needs more than SQL (it runs in the same transaction).
 */
const MIGRATIONS: readonly (string | ((db: Database) => void))[] = [
  `
  CREATE TABLE events (
    position     INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: a position is never reused, even after retention deletes the newest rows
    tenant_id    TEXT    NOT NULL,
    stream_id    TEXT    NOT NULL,
    revision     INTEGER NOT NULL,
    event_id     TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    occurred_at  INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL,
    data         BLOB    NOT NULL,
    hash         TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  );
  CREATE INDEX events_by_tenant ON events (tenant_id, position);

  CREATE TABLE streams (
    stream_id TEXT PRIMARY KEY,
    revision  INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE event_ids (
    tenant_id   TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    position    INTEGER NOT NULL REFERENCES events (position),
    PRIMARY KEY (tenant_id, event_id)
  ) WITHOUT ROWID;

  CREATE TABLE event_subjects (
    tenant_id  TEXT    NOT NULL,
    subject_id TEXT    NOT NULL,
    position   INTEGER NOT NULL REFERENCES events (position),
    PRIMARY KEY (tenant_id, subject_id, position)
  ) WITHOUT ROWID;

  -- Deleting events is allowed only while the retention job holds a row here inside its
  -- own transaction (DESIGN.md invariant 1). A main-schema table, not a TEMP one: SQLite
  -- forbids main-schema triggers from reading the temp schema, and a persistent trigger
  -- also guards writes made with the sqlite3 shell.
  CREATE TABLE retention_guard (reason TEXT NOT NULL);

  CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed'); END;

  CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  WHEN NOT EXISTS (SELECT 1 FROM retention_guard)
  BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is allowed only for retention'); END;

  CREATE TRIGGER event_ids_no_update BEFORE UPDATE ON event_ids
  BEGIN SELECT RAISE(ABORT, 'event ids are append-only: UPDATE is not allowed'); END;

  CREATE TRIGGER event_ids_no_delete BEFORE DELETE ON event_ids
  WHEN NOT EXISTS (SELECT 1 FROM retention_guard)
  BEGIN SELECT RAISE(ABORT, 'event ids are append-only: DELETE is allowed only for retention'); END;

  CREATE TRIGGER event_subjects_no_update BEFORE UPDATE ON event_subjects
  BEGIN SELECT RAISE(ABORT, 'event subjects are append-only: UPDATE is not allowed'); END;

  CREATE TRIGGER event_subjects_no_delete BEFORE DELETE ON event_subjects
  WHEN NOT EXISTS (SELECT 1 FROM retention_guard)
  BEGIN SELECT RAISE(ABORT, 'event subjects are append-only: DELETE is allowed only for retention'); END;
  `,
  // Retention keeps the hash of every event it deletes, so seals over them still verify.
  `
  CREATE TABLE pruned_hashes (
    position  INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    hash      TEXT NOT NULL
  );
  CREATE INDEX pruned_hashes_by_tenant ON pruned_hashes (tenant_id, position);

  CREATE TRIGGER pruned_hashes_no_update BEFORE UPDATE ON pruned_hashes
  BEGIN SELECT RAISE(ABORT, 'pruned hashes are append-only: UPDATE is not allowed'); END;

  CREATE TRIGGER pruned_hashes_no_delete BEFORE DELETE ON pruned_hashes
  BEGIN SELECT RAISE(ABORT, 'pruned hashes are append-only: DELETE is not allowed'); END;
  `,
  // Issue #15: the idempotency index cost a random B-tree insert of a ~90-byte row
  // (tenant, event id as text, 32-byte digest, position) per event, so a commit of 1000
  // events dirtied nearly 1000 index pages. Now the digest lives in the event row (written
  // in log order, on the pages the row fills anyway) and the index holds only
  // (8-byte key, position): ~5x more entries per page, fewer pages per commit, and the
  // whole index stays in the page cache far longer. Existing rows keep their fingerprint
  // (a digest, or the text older releases wrote) and get their key.
  (db) => {
    db.function(EVENT_KEY_SQL, { deterministic: true }, (tenantId: unknown, eventId: unknown) =>
      eventKey(String(tenantId), String(eventId)),
    );
    db.exec(`
    ALTER TABLE events ADD COLUMN fingerprint BLOB;

    DROP TRIGGER events_no_update;
    UPDATE events SET fingerprint = (
      SELECT i.fingerprint FROM event_ids i
      WHERE i.tenant_id = events.tenant_id AND i.event_id = events.event_id
    );
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed'); END;

    CREATE TABLE event_keys (
      key      INTEGER NOT NULL,
      position INTEGER NOT NULL REFERENCES events (position),
      PRIMARY KEY (key, position)
    ) WITHOUT ROWID;
    INSERT INTO event_keys (key, position)
      SELECT ${EVENT_KEY_SQL}(tenant_id, event_id), position FROM events ORDER BY 1, 2;

    CREATE TRIGGER event_keys_no_update BEFORE UPDATE ON event_keys
    BEGIN SELECT RAISE(ABORT, 'event keys are append-only: UPDATE is not allowed'); END;

    CREATE TRIGGER event_keys_no_delete BEFORE DELETE ON event_keys
    WHEN NOT EXISTS (SELECT 1 FROM retention_guard)
    BEGIN SELECT RAISE(ABORT, 'event keys are append-only: DELETE is allowed only for retention'); END;

    DROP TRIGGER event_ids_no_update;
    DROP TRIGGER event_ids_no_delete;
    DROP TABLE event_ids;
    `);
  },
];

/** Schema version this build writes; a file with a higher one was written by a newer release. */
export const SQLITE_EVENT_STORE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the file's schema up to date, in one IMMEDIATE transaction so two processes
 * opening a new file do not both migrate. `upTo` stops at an older version (tests build
 * files as earlier releases wrote them).
 */
export function migrateSqliteEventStore(db: Database, upTo = MIGRATIONS.length): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new EventStoreUnavailableError(
        `event store file has schema version ${current}, this release knows up to ${MIGRATIONS.length}`,
      );
    }
    const target = Math.max(current, Math.min(upTo, MIGRATIONS.length));
    for (let version = current; version < target; version++) {
      const step = MIGRATIONS[version];
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    // user_version cannot be bound as a parameter; the value is our own integer.
    db.pragma(`user_version = ${target}`);
  }).immediate();
}
