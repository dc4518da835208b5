import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEvent } from '../../testing/new-event';
import { type AppendJob, SqliteAppender } from './sqlite-appender';
import { migrateSqliteEventStore } from './sqlite-event-store.schema';

const event = newEvent;

const job = (streams: AppendJob['streams']): AppendJob => ({
  tenantId: 'acme',
  streams,
  recordedAt: Date.parse('2026-11-20T09:15:00Z'),
});

describe('SqliteAppender', () => {
  let db: Database.Database;
  let appender: SqliteAppender;
  const revisions = (streamId: string): number[] =>
    db
      .prepare<[string], number>(
        'SELECT revision FROM events WHERE stream_id = ? ORDER BY position',
      )
      .pluck()
      .all(streamId);

  beforeEach(() => {
    db = new Database(':memory:');
    migrateSqliteEventStore(db);
    appender = new SqliteAppender(db);
  });
  afterEach(() => db.close());

  it('a request that fails while being written leaves nothing of it, and the rest of its group commits', () => {
    // A write that fails after the request's checks passed: its first stream is written
    // already when its second stream's insert aborts.
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.type = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom'); END;`);
    const outcomes = appender.commit([
      job([{ streamId: 't-acme-mfa-a', expectedRevision: 'any', events: [event()] }]),
      job([
        { streamId: 't-acme-mfa-x', expectedRevision: 'any', events: [event()] },
        { streamId: 't-acme-mfa-y', expectedRevision: 'any', events: [event({ type: 'boom' })] },
      ]),
      job([{ streamId: 't-acme-mfa-a', expectedRevision: 0, events: [event()] }]),
    ]);

    expect(outcomes.map((o) => (o.ok ? 'ok' : o.refused.kind))).toEqual(['ok', 'failed', 'ok']);
    expect(revisions('t-acme-mfa-a')).toEqual([0, 1]);
    expect(revisions('t-acme-mfa-x')).toEqual([]);
    const counts = db
      .prepare(
        'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM event_keys) AS keys, (SELECT count(*) FROM streams) AS streams',
      )
      .get();
    expect(counts).toEqual({ events: 2, keys: 2, streams: 1 });
  });

  it('a request naming a stream twice: the second part continues the first, or is refused with it', () => {
    const [both] = appender.commit([
      job([
        { streamId: 't-acme-mfa-a', expectedRevision: 'no_stream', events: [event()] },
        { streamId: 't-acme-mfa-a', expectedRevision: 0, events: [event(), event()] },
      ]),
    ]);
    expect(both.ok).toBe(true);
    expect(revisions('t-acme-mfa-a')).toEqual([0, 1, 2]);

    const [stale] = appender.commit([
      job([
        { streamId: 't-acme-mfa-b', expectedRevision: 'no_stream', events: [event()] },
        { streamId: 't-acme-mfa-b', expectedRevision: 'no_stream', events: [event()] },
      ]),
    ]);
    expect(stale).toMatchObject({
      ok: false,
      refused: { kind: 'concurrency', streamId: 't-acme-mfa-b', actual: 0 },
    });
    expect(revisions('t-acme-mfa-b')).toEqual([]);
  });

  it('an event id twice in one request is stored once; with other content the request is refused whole', () => {
    const first = event();
    const [same] = appender.commit([
      job([{ streamId: 't-acme-mfa-a', expectedRevision: 'any', events: [first, first] }]),
    ]);
    expect(same).toMatchObject({ ok: true, result: { statuses: ['appended', 'duplicate'] } });

    const fresh = event();
    const [other] = appender.commit([
      job([
        {
          streamId: 't-acme-mfa-b',
          expectedRevision: 'any',
          events: [fresh, { ...fresh, fingerprint: 'other' }],
        },
      ]),
    ]);
    expect(other).toMatchObject({ ok: false, refused: { kind: 'idempotency', indexes: [1] } });
    expect(revisions('t-acme-mfa-b')).toEqual([]);
  });
  it('a write lock held elsewhere fails the group after one busy_timeout, not a second one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authtrail-appender-'));
    const file = join(dir, 'events.db');
    const holder = new Database(file);
    const writer = new Database(file);
    try {
      migrateSqliteEventStore(holder);
      writer.pragma('busy_timeout = 400');
      const locked = new SqliteAppender(writer);
      holder.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      expect(() =>
        locked.commit([
          job([{ streamId: 't-acme-mfa-a', expectedRevision: 'any', events: [event()] }]),
        ]),
      ).toThrow(/locked|busy/i);
      // Run again with savepoints, it would wait 800 ms in all.
      expect(Date.now() - started).toBeLessThan(750);
      holder.exec('ROLLBACK');
    } finally {
      writer.close();
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
