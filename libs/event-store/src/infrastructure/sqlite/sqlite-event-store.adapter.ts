import Database, { type Database as Db, type Statement, type Transaction } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError, type Clock, systemClock, ValidationError } from '@authtrail/platform';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  IdempotencyConflictError,
} from '../../domain/event-store.errors';
import type {
  AppendResult,
  AppendStatus,
  AppendToStream,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../domain/event-store.port';
import { migrateSqliteEventStore } from './sqlite-event-store.schema';
import { validateAppend } from '../../domain/append-validation';
import type { EventRetention, PrunedEvent } from '../../domain/event-retention.port';

/** Options of {@link SqliteEventStore.open}. */
export interface SqliteEventStoreOptions {
  /**
   * `FULL` (default) fsyncs the WAL at every commit, so an acknowledged append survives
   * power loss; `NORMAL` may lose the last commits on power loss (never on a process
   * crash). https://www.sqlite.org/pragma.html#pragma_synchronous
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Source of `recordedAt`. Default: the system clock. */
  readonly clock?: Clock;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** How often an idle subscription looks for appends made by other processes. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Events per group commit; a larger queue is committed in several groups. Default 10 000. */
  readonly maxGroupEvents?: number;
}

/** Counters of {@link SqliteEventStore.stats}. */
export interface SqliteEventStoreStats {
  /** Group transactions committed. */
  readonly commits: number;
  /** Append requests that were committed (successful ones only). */
  readonly appendRequests: number;
  /** Events stored (duplicates excluded). */
  readonly appendedEvents: number;
}

interface EventRow {
  position: number;
  tenant_id: string;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  occurred_at: number;
  recorded_at: number;
  data: Buffer;
  hash: string;
}

interface PendingAppend {
  readonly tenantId: string;
  readonly streams: readonly AppendToStream[];
  readonly eventCount: number;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: unknown };

const APPENDED = 'appended';
const DEFAULT_BATCH_SIZE = 500;
const CACHE_SIZE = -65_536; // KiB

/**
 * What `event_ids` stores of a fingerprint: its SHA-256, 32 bytes instead of the ~200
 * characters of the keyed parts. The idempotency index takes one random B-tree insert per
 * event; smaller rows mean fewer pages written per commit. Only equality is ever asked.
 */
function fingerprintDigest(fingerprint: string): Buffer {
  return createHash('sha256').update(fingerprint, 'utf8').digest();
}

/** Rows written before the digest (schema 2 files) hold the fingerprint itself. */
function sameFingerprint(stored: Buffer | string, fingerprint: string, digest: Buffer): boolean {
  return typeof stored === 'string' ? stored === fingerprint : stored.equals(digest);
}

/**
 * The embedded event store: one SQLite file in WAL mode, append-only (enforced by
 * triggers), with group commit so that concurrent appends share one fsync.
 */
interface PrunedRow {
  readonly position: number;
  readonly tenant_id: string;
  readonly stream_id: string;
  readonly hash: string;
}

export class SqliteEventStore implements EventStore, EventRetention {
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly maxGroupEvents: number;
  private readonly committed = new EventEmitter();
  private readonly subscriptions = new Set<SqliteSubscription>();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closing = false;
  private closed: Promise<void> | null = null;
  private counters = { commits: 0, appendRequests: 0, appendedEvents: 0 };

  private readonly stmt: {
    readonly fingerprint: Statement<[string, string], Buffer | string>;
    readonly streamRevision: Statement<[string], number>;
    readonly insertEvent: Statement<
      [string, string, number, string, string, number, number, Uint8Array, string]
    >;
    readonly insertEventId: Statement<[string, string, Buffer, number]>;
    readonly insertSubject: Statement<[string, string, number]>;
    readonly upsertStream: Statement<[string, number]>;
    readonly readAll: Statement<[number, number], EventRow>;
    readonly readAllOfTenant: Statement<[string, number, number], EventRow>;
    readonly readStream: Statement<[string, number, number], EventRow>;
    readonly readBySubject: Statement<[string, string], EventRow>;
    readonly head: Statement<[], number>;
  };
  private readonly groupTx: Transaction<
    (group: readonly PendingAppend[], outcomes: Outcome[]) => void
  >;
  private readonly requestTx: Transaction<
    (request: PendingAppend, recordedAt: number) => AppendResult
  >;

  private constructor(
    private readonly db: Db,
    options: SqliteEventStoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.maxGroupEvents = options.maxGroupEvents ?? 10_000;
    this.committed.setMaxListeners(0);

    const columns =
      'position, tenant_id, stream_id, revision, event_id, type, occurred_at, recorded_at, data, hash';
    this.stmt = {
      fingerprint: db
        .prepare<[string, string], Buffer | string>(
          'SELECT fingerprint FROM event_ids WHERE tenant_id = ? AND event_id = ?',
        )
        .pluck(),
      streamRevision: db
        .prepare<[string], number>('SELECT revision FROM streams WHERE stream_id = ?')
        .pluck(),
      insertEvent: db.prepare(
        'INSERT INTO events (tenant_id, stream_id, revision, event_id, type, occurred_at, recorded_at, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertEventId: db.prepare(
        'INSERT INTO event_ids (tenant_id, event_id, fingerprint, position) VALUES (?, ?, ?, ?)',
      ),
      insertSubject: db.prepare(
        'INSERT INTO event_subjects (tenant_id, subject_id, position) VALUES (?, ?, ?)',
      ),
      upsertStream: db.prepare(
        'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
      ),
      readAll: db.prepare(
        `SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      ),
      readAllOfTenant: db.prepare(
        `SELECT ${columns} FROM events WHERE tenant_id = ? AND position > ? ORDER BY position LIMIT ?`,
      ),
      // LIMIT -1 is SQLite's "no limit".
      readStream: db.prepare(
        `SELECT ${columns} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      ),
      readBySubject: db.prepare(
        `SELECT ${columns
          .split(', ')
          .map((c) => `e.${c}`)
          .join(', ')} FROM event_subjects s JOIN events e ON e.position = s.position
         WHERE s.tenant_id = ? AND s.subject_id = ? ORDER BY s.position`,
      ),
      head: db.prepare<[], number>('SELECT coalesce(max(position), 0) FROM events').pluck(),
    };

    this.requestTx = db.transaction((request: PendingAppend, recordedAt: number) =>
      this.appendRequest(request, recordedAt),
    );
    this.groupTx = db.transaction((group: readonly PendingAppend[], outcomes: Outcome[]) => {
      for (const request of group) {
        try {
          // Nested call: better-sqlite3 wraps it in a SAVEPOINT, so a rejected request
          // leaves no trace while the rest of the group still commits.
          outcomes.push({ ok: true, result: this.requestTx(request, this.clock.now().getTime()) });
        } catch (error) {
          // An error SQLite did not contain within the savepoint (I/O, disk full, busy)
          // ended the whole transaction: fail the group rather than write outside it.
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
    });
  }

  /** Opens (creating and migrating if needed) the store in `file`; `':memory:'` gives a private in-memory store. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    let db: Db | undefined;
    try {
      db = new Database(file);
      // WAL lets readers (subscriptions, other processes) run during a write. https://www.sqlite.org/wal.html
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      db.pragma('foreign_keys = ON');
      // The index B-trees (event ids, subjects) take random inserts: a 64 MiB page cache
      // (default 2 MiB) keeps their inner pages in memory.
      db.pragma(`cache_size = ${CACHE_SIZE}`);
      migrateSqliteEventStore(db);
      return new SqliteEventStore(db, options);
    } catch (error) {
      db?.close();
      if (error instanceof AppError) throw error;
      throw new EventStoreUnavailableError(`cannot open event store ${file}`, error);
    }
  }

  /**
   * Retention: deletes, in transactions of at most 5000 events so appends keep flowing,
   * the events of a type prefix that occurred before `before`. The append-only triggers
   * let these deletes through only while this transaction holds a `retention_guard` row;
   * each deleted event's hash is kept in `pruned_hashes` in the same transaction.
   */
  async prune(typePrefix: string, before: Date): Promise<number> {
    if (this.closing) throw new EventStoreUnavailableError('event store is closed');
    const selectBatch = this.db
      .prepare<[number, number, string, number], number>(
        'SELECT position FROM events WHERE occurred_at < ? AND substr(type, 1, ?) = ? ORDER BY position LIMIT ?',
      )
      .pluck();
    const pruneBatch = this.db.transaction((positions: readonly number[]) => {
      this.db
        .prepare('INSERT INTO retention_guard (reason) VALUES (?)')
        .run(`retention ${typePrefix}`);
      const keep = this.db.prepare(
        'INSERT OR IGNORE INTO pruned_hashes (position, tenant_id, stream_id, hash) SELECT position, tenant_id, stream_id, hash FROM events WHERE position = ?',
      );
      const delSubjects = this.db.prepare(
        'DELETE FROM event_subjects WHERE tenant_id = (SELECT tenant_id FROM events WHERE position = @p) AND position = @p',
      );
      const delIds = this.db.prepare(
        'DELETE FROM event_ids WHERE tenant_id = (SELECT tenant_id FROM events WHERE position = @p) AND event_id = (SELECT event_id FROM events WHERE position = @p)',
      );
      const delEvent = this.db.prepare('DELETE FROM events WHERE position = ?');
      for (const position of positions) {
        keep.run(position);
        delSubjects.run({ p: position });
        delIds.run({ p: position });
        delEvent.run(position);
      }
      this.db.prepare('DELETE FROM retention_guard').run();
    });
    let total = 0;
    for (;;) {
      const positions = selectBatch.all(before.getTime(), typePrefix.length, typePrefix, 5000);
      if (positions.length === 0) return total;
      pruneBatch.immediate(positions);
      total += positions.length;
      // Let queued appends and reads run between batches.
      await new Promise((r) => setImmediate(r));
    }
  }

  readPruned(options: { after: number; limit: number; tenantId?: string }): Promise<PrunedEvent[]> {
    return this.read(() => {
      const rows =
        options.tenantId === undefined
          ? this.db
              .prepare<[number, number], PrunedRow>(
                'SELECT position, tenant_id, stream_id, hash FROM pruned_hashes WHERE position > ? ORDER BY position LIMIT ?',
              )
              .all(options.after, options.limit)
          : this.db
              .prepare<[string, number, number], PrunedRow>(
                'SELECT position, tenant_id, stream_id, hash FROM pruned_hashes WHERE tenant_id = ? AND position > ? ORDER BY position LIMIT ?',
              )
              .all(options.tenantId, options.after, options.limit);
      return rows.map((r) => ({
        position: r.position,
        tenantId: r.tenant_id,
        streamId: r.stream_id,
        hash: r.hash,
      }));
    });
  }

  /** Counters for tests and metrics: group commits really group. */
  stats(): SqliteEventStoreStats {
    return { ...this.counters };
  }

  append(tenantId: string, streams: readonly AppendToStream[]): Promise<AppendResult> {
    if (this.closing)
      return Promise.reject(new EventStoreUnavailableError('event store is closed'));
    const problems = validateAppend(tenantId, streams);
    if (problems.length > 0)
      return Promise.reject(
        new ValidationError('invalid append request', problems, 'EVENT_STORE.INVALID_APPEND'),
      );
    const eventCount = streams.reduce((n, s) => n + s.events.length, 0);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ tenantId, streams, eventCount, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate, not a microtask: appends issued by other I/O callbacks of this
        // loop turn join the same group and share its fsync.
        setImmediate(() => this.flushScheduledGroups());
      }
    });
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.read(() =>
      this.stmt.readStream
        .all(streamId, options.fromRevision ?? 0, options.limit ?? -1)
        .map(toRecorded),
    );
  }

  streamRevision(streamId: string): Promise<number | null> {
    return this.read(() => this.stmt.streamRevision.get(streamId) ?? null);
  }

  readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.read(() => this.readAllSync(options));
  }

  readBySubject(tenantId: string, subjectId: string): Promise<RecordedEvent[]> {
    return this.read(() => this.stmt.readBySubject.all(tenantId, subjectId).map(toRecorded));
  }

  headPosition(): Promise<number> {
    return this.read(() => this.stmt.head.get() ?? 0);
  }

  subscribe(options: SubscribeOptions): Subscription {
    if (this.closing) throw new EventStoreUnavailableError('event store is closed');
    const subscription = new SqliteSubscription(
      (after, limit) => this.readAllSync({ after, limit }),
      this.committed,
      this.pollIntervalMs,
      options,
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    // Appends already accepted are committed before the file closes; the scheduled
    // setImmediate then finds an empty queue.
    while (this.queue.length > 0) this.flushGroup();
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }

  private readAllSync(options: ReadAllOptions): RecordedEvent[] {
    if (options.limit <= 0) return [];
    const rows =
      options.tenantId === undefined
        ? this.stmt.readAll.all(options.after, options.limit)
        : this.stmt.readAllOfTenant.all(options.tenantId, options.after, options.limit);
    return rows.map(toRecorded);
  }

  private read<T>(query: () => T): Promise<T> {
    if (!this.db.open)
      return Promise.reject(new EventStoreUnavailableError('event store is closed'));
    try {
      return Promise.resolve(query());
    } catch (error) {
      return Promise.reject(new EventStoreUnavailableError('event store read failed', error));
    }
  }

  private flushScheduledGroups(): void {
    if (!this.db.open) return;
    this.flushGroup();
    if (this.queue.length > 0) {
      // More than one group waiting: yield to the loop between groups.
      setImmediate(() => this.flushScheduledGroups());
    } else {
      this.flushScheduled = false;
    }
  }

  private flushGroup(): void {
    let take = 0;
    let events = 0;
    while (
      take < this.queue.length &&
      (take === 0 || events + this.queue[take].eventCount <= this.maxGroupEvents)
    ) {
      events += this.queue[take].eventCount;
      take++;
    }
    const group = this.queue.splice(0, take);
    if (group.length === 0) return;

    const outcomes: Outcome[] = [];
    try {
      // IMMEDIATE takes the write lock up front, so a concurrent writer in another
      // process waits on busy_timeout instead of failing a deferred lock upgrade.
      this.groupTx.immediate(group, outcomes);
    } catch (error) {
      const failure = new EventStoreUnavailableError('event store append failed', error);
      for (const request of group) request.reject(failure);
      return;
    }

    // Only now is the group durable: settle the callers.
    this.counters.commits++;
    let appended = 0;
    group.forEach((request, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) {
        this.counters.appendRequests++;
        appended += outcome.result.statuses.filter((s) => s === APPENDED).length;
        request.resolve(outcome.result);
      } else {
        request.reject(
          isDomainError(outcome.error)
            ? outcome.error
            : new EventStoreUnavailableError('event store append failed', outcome.error),
        );
      }
    });
    this.counters.appendedEvents += appended;
    if (appended > 0) this.committed.emit('committed');
  }

  /** One request inside its savepoint: idempotency first (all conflicting indexes), then revisions and writes. */
  private appendRequest(request: PendingAppend, recordedAt: number): AppendResult {
    const { tenantId, streams } = request;
    const statuses: AppendStatus[] = [];
    const seen = new Map<string, Buffer>();
    const digests: Buffer[] = [];
    const conflicts: number[] = [];
    for (const stream of streams) {
      for (const event of stream.events) {
        const digest = fingerprintDigest(event.fingerprint);
        digests.push(digest);
        const earlier =
          seen.get(event.eventId) ?? this.stmt.fingerprint.get(tenantId, event.eventId);
        if (earlier === undefined) {
          seen.set(event.eventId, digest);
          statuses.push('appended');
        } else {
          if (!sameFingerprint(earlier, event.fingerprint, digest)) conflicts.push(statuses.length);
          statuses.push('duplicate');
        }
      }
    }
    if (conflicts.length > 0) throw new IdempotencyConflictError(conflicts);

    let index = 0;
    let lastPosition: number | null = null;
    for (const stream of streams) {
      const first = index;
      index += stream.events.length;
      const current = this.stmt.streamRevision.get(stream.streamId) ?? null;
      const fresh = statuses.slice(first, index).includes(APPENDED);
      // A retry whose events are all stored already is answered as duplicates even if
      // its expected revision is stale now: the decision it carried was already taken.
      if (fresh || stream.events.length === 0)
        checkExpected(stream.streamId, stream.expectedRevision, current);
      if (!fresh) continue;

      let revision = current ?? -1;
      stream.events.forEach((event, i) => {
        if (statuses[first + i] !== APPENDED) return;
        revision++;
        const info = this.stmt.insertEvent.run(
          tenantId,
          stream.streamId,
          revision,
          event.eventId,
          event.type,
          event.occurredAt.getTime(),
          recordedAt,
          event.data,
          createHash('sha256').update(event.data).digest('hex'),
        );
        const position = Number(info.lastInsertRowid);
        this.stmt.insertEventId.run(tenantId, event.eventId, digests[first + i], position);
        for (const subjectId of new Set(event.subjectIds))
          this.stmt.insertSubject.run(tenantId, subjectId, position);
        lastPosition = position;
      });
      this.stmt.upsertStream.run(stream.streamId, revision);
    }
    return { statuses, lastPosition };
  }
}

/** Catch-up subscription: reads batches after its checkpoint, then waits for a commit signal or the poll timer. */
class SqliteSubscription implements Subscription {
  private stopped = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly readAfter: (after: number, limit: number) => RecordedEvent[],
    private readonly committed: EventEmitter,
    private readonly pollIntervalMs: number,
    private readonly options: SubscribeOptions,
    private readonly onEnd: () => void,
  ) {}

  start(): void {
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    let after = this.options.after;
    const limit = Math.max(1, this.options.batchSize ?? DEFAULT_BATCH_SIZE);
    try {
      // Yield once so the caller holds the subscription before the handler first runs.
      await Promise.resolve();
      while (!this.stopped) {
        const batch = this.readAfter(after, limit);
        if (batch.length === 0) {
          // Reading and arming the wait happen in one synchronous step, and commits are
          // signalled from their own loop turn, so no commit slips in between.
          await this.idle();
          continue;
        }
        await this.options.handler(batch);
        after = batch[batch.length - 1].position;
      }
    } catch (error) {
      this.stopped = true;
      this.options.onError?.(error);
    } finally {
      this.onEnd();
    }
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.committed.off('committed', done);
        this.wake = null;
        resolve();
      };
      // The poll also sees appends by other processes on the same file.
      const timer = setTimeout(done, this.pollIntervalMs);
      this.committed.on('committed', done);
      this.wake = done;
    });
  }
}

function checkExpected(streamId: string, expected: ExpectedRevision, current: number | null): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === null) ||
    (expected === 'stream_exists' && current !== null) ||
    (typeof expected === 'number' && current === expected);
  if (!ok) throw new ConcurrencyError(streamId, String(expected), current);
}

function isDomainError(error: unknown): boolean {
  return error instanceof ConcurrencyError || error instanceof IdempotencyConflictError;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    position: row.position,
    tenantId: row.tenant_id,
    streamId: row.stream_id,
    revision: row.revision,
    eventId: row.event_id,
    type: row.type,
    occurredAt: new Date(row.occurred_at),
    recordedAt: new Date(row.recorded_at),
    data: row.data,
    hash: row.hash,
  };
}
