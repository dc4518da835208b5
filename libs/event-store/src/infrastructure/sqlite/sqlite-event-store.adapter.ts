import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { AppError, type Clock, readAhead, systemClock, ValidationError } from '@authtrail/platform';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  GuardFailedError,
  IdempotencyConflictError,
} from '../../domain/event-store.errors';
import type {
  AppendOptions,
  AppendResult,
  AppendToStream,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  StreamGuard,
  Subscription,
} from '../../domain/event-store.port';
import { migrateSqliteEventStore } from './sqlite-event-store.schema';
import { eventKey } from './sqlite-event-key';
import { subjectDataStreams } from './sqlite-subject-index';
import { type ConnectionSettings, configureConnection } from './sqlite-connection';
import type { JobOutcome, RefusedAppend } from './sqlite-appender';
import { InThreadSqliteWriter, type SqliteWriter, ThreadSqliteWriter } from './sqlite-writer';
import { validateAppend } from '../../domain/append-validation';
import {
  NO_EXEMPTIONS,
  type EventRetention,
  type PrunedEvent,
  type RetentionExemptions,
} from '../../domain/event-retention.port';

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
  /**
   * Commit on a worker thread with its own connection (default for files), so commits do
   * not block the event loop; `false` commits on the caller's thread. `:memory:` stores
   * always commit on the caller's thread (a second connection would see another database).
   */
  readonly writerThread?: boolean;
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
  readonly guards: readonly StreamGuard[] | undefined;
  /** `AppendOptions.prompt`: its commit ends the followers' linger. */
  readonly prompt: boolean;
  readonly eventCount: number;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

const APPENDED = 'appended';
const DEFAULT_BATCH_SIZE = 500;
/** Longest wait of a lingering subscription woken from idle (see `run`). */
const IDLE_GATHER_MS = 100;
/** `:memory:` stores commit on the caller's thread: a second connection would see another database. */
function hasWriterThread(file: string, options: SqliteEventStoreOptions): boolean {
  return file !== ':memory:' && file !== '' && options.writerThread !== false;
}

function connectionSettings(
  options: SqliteEventStoreOptions,
  appends: boolean,
): ConnectionSettings {
  return {
    synchronous: options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL',
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    appends,
  };
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
  /**
   * Commits on this file, across the process's threads (`authtrail serve` follows the log
   * on a thread of its own): a commit wakes the subscriptions of every store open on the
   * file in this process, not only this one's. Other processes' appends are seen by polling.
   */
  private readonly commits: BroadcastChannel | null;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private queue: PendingAppend[] = [];
  /** The running flush, or null when no flush is scheduled. */
  private flushing: Promise<void> | null = null;
  private closing = false;
  private closed: Promise<void> | null = null;
  private counters = { commits: 0, appendRequests: 0, appendedEvents: 0 };

  private readonly stmt: {
    readonly streamRevision: Statement<[string], number>;
    readonly readAll: Statement<[number, number], EventRow>;
    readonly readAllOfTenant: Statement<[string, number, number], EventRow>;
    readonly readStream: Statement<[string, number, number], EventRow>;
    readonly readBySubject: Statement<[string, string, string, string, string], EventRow>;
    readonly head: Statement<[], number>;
  };
  private readonly writer: SqliteWriter;

  private constructor(
    private readonly db: Db,
    options: SqliteEventStoreOptions,
    file: string,
  ) {
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.maxGroupEvents = options.maxGroupEvents ?? 10_000;
    this.committed.setMaxListeners(0);

    const columns =
      'position, tenant_id, stream_id, revision, event_id, type, occurred_at, recorded_at, data, hash';
    this.stmt = {
      streamRevision: db
        .prepare<[string], number>('SELECT revision FROM streams WHERE stream_id = ?')
        .pluck(),
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
      // The subject index holds only the people an event names outside their own data
      // streams (sqlite-subject-index.ts); the rest are those streams' events. Rows written
      // before that rule are in both: UNION drops the second copy.
      readBySubject: db.prepare(
        `SELECT ${columns} FROM events WHERE position IN (
           SELECT position FROM event_subjects WHERE tenant_id = ? AND subject_id = ?
           UNION SELECT position FROM events WHERE stream_id IN (?, ?) AND tenant_id = ?
         ) ORDER BY position`,
      ),
      head: db.prepare<[], number>('SELECT coalesce(max(position), 0) FROM events').pluck(),
    };

    if (file === ':memory:') this.commits = null;
    else {
      const commits = new BroadcastChannel(`authtrail.sqlite-commits:${resolve(file)}`);
      // The message is the commit's `prompt` flag.
      commits.onmessage = (m) =>
        this.committed.emit('committed', (m as MessageEvent).data === true);
      commits.unref();
      this.commits = commits;
    }

    this.writer = hasWriterThread(file, options)
      ? new ThreadSqliteWriter({ file, ...connectionSettings(options, true) })
      : new InThreadSqliteWriter(db);
  }

  /** Opens (creating and migrating if needed) the store in `file`; `':memory:'` gives a private in-memory store. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    let db: Db | undefined;
    try {
      db = new Database(file);
      configureConnection(db, connectionSettings(options, !hasWriterThread(file, options)));
      migrateSqliteEventStore(db);
      return new SqliteEventStore(db, options, file);
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
   * each deleted event's hash is kept in `pruned_hashes` in the same transaction. Exempt
   * tenants and people (legal holds) are passed as JSON and matched through the subject
   * index's primary key (tenant, subject, position).
   */
  async prune(
    typePrefix: string,
    before: Date,
    except: RetentionExemptions = NO_EXEMPTIONS,
  ): Promise<number> {
    if (this.closing) throw new EventStoreUnavailableError('event store is closed');
    const exemptTenants = JSON.stringify(except.tenants);
    const exemptSubjects = JSON.stringify(except.subjects.map((s) => [s.tenantId, s.subjectId]));
    // Held people's own data streams: their events there have no subject-index row.
    const exemptStreams = JSON.stringify(
      except.subjects.flatMap((s) => subjectDataStreams(s.tenantId, s.subjectId)),
    );
    const selectBatch = this.db
      .prepare<[number, number, string, string, string, string, number], number>(
        `SELECT position FROM events e WHERE occurred_at < ? AND substr(type, 1, ?) = ?
           AND tenant_id NOT IN (SELECT value FROM json_each(?))
           AND stream_id NOT IN (SELECT value FROM json_each(?))
           AND NOT EXISTS (SELECT 1 FROM json_each(?) h JOIN event_subjects s
             ON s.tenant_id = h.value ->> 0 AND s.subject_id = h.value ->> 1 AND s.position = e.position)
         ORDER BY position LIMIT ?`,
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
      const eventIdOf = this.db.prepare<[number], { tenant_id: string; event_id: string }>(
        'SELECT tenant_id, event_id FROM events WHERE position = ?',
      );
      const delKey = this.db.prepare('DELETE FROM event_keys WHERE key = ? AND position = ?');
      const delEvent = this.db.prepare('DELETE FROM events WHERE position = ?');
      for (const position of positions) {
        keep.run(position);
        delSubjects.run({ p: position });
        const row = eventIdOf.get(position);
        if (row) delKey.run(eventKey(row.tenant_id, row.event_id), position);
        delEvent.run(position);
      }
      this.db.prepare('DELETE FROM retention_guard').run();
    });
    let total = 0;
    for (;;) {
      const positions = selectBatch.all(
        before.getTime(),
        typePrefix.length,
        typePrefix,
        exemptTenants,
        exemptStreams,
        exemptSubjects,
        5000,
      );
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

  append(
    tenantId: string,
    streams: readonly AppendToStream[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (this.closing)
      return Promise.reject(new EventStoreUnavailableError('event store is closed'));
    const { guards, prompt = false } = options;
    const problems = validateAppend(tenantId, streams, guards);
    if (problems.length > 0)
      return Promise.reject(
        new ValidationError('invalid append request', problems, 'EVENT_STORE.INVALID_APPEND'),
      );
    const eventCount = streams.reduce((n, s) => n + s.events.length, 0);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ tenantId, streams, guards, prompt, eventCount, resolve, reject });
      if (this.flushing === null) {
        // setImmediate, not a microtask: appends issued by other I/O callbacks of this
        // loop turn join the same group and share its fsync.
        this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flushQueue());
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
    return this.read(() =>
      this.stmt.readBySubject
        .all(tenantId, subjectId, ...subjectDataStreams(tenantId, subjectId), tenantId)
        .map(toRecorded),
    );
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
    await this.flushing;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.writer.close();
    this.commits?.close();
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

  /**
   * Commits queued appends group by group, one group in flight: requests that arrive
   * meanwhile form the next group and share its fsync.
   */
  private async flushQueue(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.flushGroup();
        // More than one group waiting: let the loop run between groups.
        if (this.queue.length > 0 && !this.closing) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.flushing = null;
    }
  }

  private async flushGroup(): Promise<void> {
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

    let outcomes: JobOutcome[];
    try {
      outcomes = await this.writer.commit(
        group.map((r) => ({
          tenantId: r.tenantId,
          streams: r.streams,
          ...(r.guards !== undefined ? { guards: r.guards } : {}),
          recordedAt: this.clock.now().getTime(),
        })),
      );
    } catch (error) {
      const failure = new EventStoreUnavailableError('event store append failed', error);
      for (const request of group) request.reject(failure);
      return;
    }

    // Only now is the group durable: settle the callers.
    this.counters.commits++;
    let appended = 0;
    let prompt = false;
    group.forEach((request, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) {
        this.counters.appendRequests++;
        const stored = outcome.result.statuses.filter((s) => s === APPENDED).length;
        appended += stored;
        if (request.prompt && stored > 0) prompt = true;
        request.resolve(outcome.result);
      } else {
        request.reject(refusalError(outcome.refused));
      }
    });
    this.counters.appendedEvents += appended;
    if (appended > 0) {
      this.committed.emit('committed', prompt);
      this.commits?.postMessage(prompt);
    }
  }
}

/** Catch-up subscription: reads batches after its checkpoint, then waits for a commit signal or the poll timer. */
class SqliteSubscription implements Subscription {
  private stopped = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();
  /** When the first `prompt` commit since the last read was seen, or null. */
  private promptSince: number | null = null;
  /** Commits signalled since the last read (which may or may not have seen them). */
  private commitsSinceRead = 0;
  /** Set while pausing: a `prompt` commit shortens the pause. */
  private onPrompt: (() => void) | null = null;
  private readonly notice = (prompt: boolean): void => {
    this.commitsSinceRead++;
    if (!prompt) return;
    this.promptSince ??= performance.now();
    this.onPrompt?.();
  };

  constructor(
    private readonly readAfter: (after: number, limit: number) => RecordedEvent[],
    private readonly committed: EventEmitter,
    private readonly pollIntervalMs: number,
    private readonly options: SubscribeOptions,
    private readonly onEnd: () => void,
  ) {}

  start(): void {
    this.committed.on('committed', this.notice);
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
    const linger = Math.max(0, this.options.lingerMs ?? 0);
    // Woken from idle, the commits of this short window are read as one batch (a burst
    // of requests wakes it with its first).
    const gather = Math.min(linger, IDLE_GATHER_MS);
    // A prompt commit (an erasure) is read within that same window, whatever the wait.
    const read = (from: number): RecordedEvent[] => {
      this.promptSince = null;
      this.commitsSinceRead = 0;
      return this.readAfter(from, limit);
    };
    // When the next delivery may start: a linger after the last one began, less the share
    // of its batch that one filled (the busier the log, the sooner). Empty reads cost the
    // follower nothing downstream and do not count.
    let nextDeliveryAt = 0;
    try {
      // Yield once so the caller holds the subscription before the handler first runs.
      await Promise.resolve();
      let batch = read(after);
      while (!this.stopped) {
        if (batch.length === 0) {
          // A commit signalled since the last read (one read ahead while the handler ran
          // may have missed it) ends the wait at once; the rest wake it as they come.
          const woken = await this.idle();
          if (woken && linger > 0 && !this.stopped)
            await this.pause(Math.max(gather, nextDeliveryAt - performance.now()), gather);
          if (!this.stopped) batch = read(after);
          continue;
        }
        after = batch[batch.length - 1].position;
        const from = after;
        if (batch.length >= limit || linger === 0) {
          // Catching up. The log is append-only: reading ahead changes nothing the handler
          // sees, which still gets one batch at a time, in order.
          nextDeliveryAt = 0;
          batch = await readAhead(this.options.handler(batch), () =>
            this.stopped ? [] : read(from),
          );
          continue;
        }
        // Caught up under a steady trickle (one event per request): reading again right
        // after the handler would give it what arrived meanwhile, a few events, and each
        // downstream write (a ClickHouse insert and its part merges, a Kafka batch) has a
        // fixed cost. So the next read starts at most once per linger, less the share of
        // the batch this one filled (issue #15).
        nextDeliveryAt = performance.now() + linger * (1 - batch.length / limit);
        await this.options.handler(batch);
        const rest = nextDeliveryAt - performance.now();
        if (rest > 0 && !this.stopped) await this.pause(rest, gather);
        batch = this.stopped ? [] : read(from);
      }
    } catch (error) {
      this.stopped = true;
      this.options.onError?.(error);
    } finally {
      this.committed.off('committed', this.notice);
      this.onEnd();
    }
  }

  /**
   * Waits `ms`; less when the subscription is closed meanwhile, or when a `prompt` commit
   * not yet read is seen: then at most `promptMs` after it.
   */
  private pause(ms: number, promptMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let endsAt = performance.now() + ms;
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        this.onPrompt = null;
        resolve();
      };
      const schedule = (): void => {
        if (this.promptSince !== null) endsAt = Math.min(endsAt, this.promptSince + promptMs);
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, endsAt - performance.now()));
      };
      this.wake = done;
      this.onPrompt = schedule;
      schedule();
    });
  }

  /** Resolves true when a commit woke it, false at the poll timer (or on close). */
  private idle(): Promise<boolean> {
    if (this.commitsSinceRead > 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (woken: boolean): void => {
        clearTimeout(timer);
        this.committed.off('committed', onCommit);
        this.wake = null;
        resolve(woken);
      };
      const onCommit = (): void => done(true);
      // The poll also sees appends by other processes on the same file.
      const timer = setTimeout(() => done(false), this.pollIntervalMs);
      this.committed.on('committed', onCommit);
      this.wake = () => done(false);
    });
  }
}

/** The domain error of a request the writer refused. */
function refusalError(refused: RefusedAppend): Error {
  switch (refused.kind) {
    case 'concurrency':
      return new ConcurrencyError(refused.streamId, refused.expected, refused.actual);
    case 'idempotency':
      return new IdempotencyConflictError(refused.indexes);
    case 'guard':
      return new GuardFailedError(refused.streamIds);
    default:
      return new EventStoreUnavailableError(
        'event store append failed',
        new Error(refused.message),
      );
  }
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
