import type { Database as Db, Statement, Transaction } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type {
  AppendResult,
  AppendStatus,
  AppendToStream,
  StreamGuard,
} from '../../domain/event-store.port';
import { revisionMatches } from '../../domain/expected-revision';
import { eventKey } from './sqlite-event-key';
import { indexedSubjects } from './sqlite-subject-index';

/** One append request of a group, as the writer receives it (possibly from another thread). */
export interface AppendJob {
  readonly tenantId: string;
  readonly streams: readonly AppendToStream[];
  /** Checked first, before anything of the request is written (see `EventStore.append`). */
  readonly guards?: readonly StreamGuard[];
  /** `recordedAt` of its events, from the store's clock (which lives with the caller). */
  readonly recordedAt: number;
}

/**
 * Why one request of a group was refused, as plain data so that it crosses a thread
 * boundary; the store turns it back into its domain error.
 */
export type RefusedAppend =
  | {
      readonly kind: 'concurrency';
      readonly streamId: string;
      readonly expected: string;
      readonly actual: number | null;
    }
  | { readonly kind: 'idempotency'; readonly indexes: readonly number[] }
  | { readonly kind: 'guard'; readonly streamIds: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string };

export type JobOutcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly refused: RefusedAppend };

const APPENDED = 'appended';

/** What `check` found, for `write`: per event its status, digest and index key. */
interface WritePlan {
  readonly statuses: readonly AppendStatus[];
  readonly digests: readonly Buffer[];
  readonly keys: readonly bigint[];
  /** Per stream of the request, its revision before this request (null: no such stream). */
  readonly currentRevisions: readonly (number | null)[];
}

type Checked =
  | { readonly ok: true; readonly plan: WritePlan }
  | { readonly ok: false; readonly refused: RefusedAppend };

/** A request refused by `check` inside a savepoint (the fallback): nothing of it stays. */
class Refusal extends Error {
  constructor(readonly refused: RefusedAppend) {
    super(refused.kind);
  }
}

/**
 * The write half of the SQLite event store: one group of append requests in one IMMEDIATE
 * transaction (one fsync), each request checked before it is written; a group in which a
 * write fails runs again with a savepoint per request. Runs on whichever thread owns
 * the connection it is given (see `SqliteWriter`).
 */
export class SqliteAppender {
  private readonly stmt: {
    readonly keyPositions: Statement<[bigint], number>;
    readonly fingerprintAt: Statement<[number, string, string], Buffer | string>;
    readonly streamRevision: Statement<[string], number>;
    readonly existingStreams: Statement<[string], string>;
    readonly streamHoldsType: Statement<[string, string], number>;
    readonly insertEvent: Statement<
      [string, string, number, string, string, number, number, Buffer, string, Buffer]
    >;
    readonly insertEventKey: Statement<[bigint, number]>;
    readonly insertSubject: Statement<[string, string, number]>;
    readonly upsertStream: Statement<[string, number]>;
  };
  private readonly groupTx: Transaction<(jobs: readonly AppendJob[]) => JobOutcome[]>;
  private readonly savepointGroupTx: Transaction<(jobs: readonly AppendJob[]) => JobOutcome[]>;
  /** Whether the last `groupTx` got past `BEGIN IMMEDIATE` (see `commit`). */
  private groupBegun = false;

  constructor(private readonly db: Db) {
    this.stmt = {
      // The compact key finds the candidates (almost always none: a new event); the event
      // row confirms tenant and id and holds the fingerprint. Two statements, not one join:
      // SQLite re-prepared the join on every call (~4.5 µs of the writer's time per event).
      keyPositions: db
        .prepare<[bigint], number>('SELECT position FROM event_keys WHERE key = ?')
        .pluck(),
      fingerprintAt: db
        .prepare<[number, string, string], Buffer | string>(
          'SELECT fingerprint FROM events WHERE position = ? AND tenant_id = ? AND event_id = ?',
        )
        .pluck(),
      streamRevision: db
        .prepare<[string], number>('SELECT revision FROM streams WHERE stream_id = ?')
        .pluck(),
      // All of a request's guarded streams in one call: SQLite probes the `streams` key once
      // per id, without a round trip through the driver for each (~2 per event). A join,
      // not `IN (SELECT …)`: that builds a temporary B-tree with its own page cache on each
      // call, which the writer thread paid for in page faults (issue #15).
      existingStreams: db
        .prepare<[string], string>(
          'SELECT s.stream_id FROM json_each(?) j JOIN streams s ON s.stream_id = j.value',
        )
        .pluck(),
      // Only asked of a guarded stream that exists: lifecycle streams hold a handful of
      // events, so this walks a few entries of the (stream_id, revision) index.
      streamHoldsType: db
        .prepare<[string, string], number>(
          'SELECT 1 FROM events WHERE stream_id = ? AND type = ? LIMIT 1',
        )
        .pluck(),
      insertEvent: db.prepare(
        'INSERT INTO events (tenant_id, stream_id, revision, event_id, type, occurred_at, recorded_at, data, hash, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertEventKey: db.prepare('INSERT INTO event_keys (key, position) VALUES (?, ?)'),
      insertSubject: db.prepare(
        'INSERT INTO event_subjects (tenant_id, subject_id, position) VALUES (?, ?, ?)',
      ),
      upsertStream: db.prepare(
        'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
      ),
    };
    // The usual way: each request is checked (reads only) before any of it is written, so
    // a refused one has written nothing and needs no savepoint. With a savepoint per
    // request SQLite copied every page a request changed into the statement journal (~5 µs
    // of the writer's time per single event at 32 requests per commit, issue #15).
    this.groupTx = db.transaction((jobs: readonly AppendJob[]) => {
      this.groupBegun = true;
      return jobs.map((job): JobOutcome => {
        const plan = this.check(job);
        if (!plan.ok) return plan;
        // An error here (a constraint, I/O) leaves the request half-written: it rolls the
        // whole group back, and `commit` runs the group again with savepoints.
        return { ok: true, result: this.write(job, plan.plan) };
      });
    });
    const requestTx = db.transaction((job: AppendJob): AppendResult => {
      const plan = this.check(job);
      if (!plan.ok) throw new Refusal(plan.refused);
      return this.write(job, plan.plan);
    });
    this.savepointGroupTx = db.transaction((jobs: readonly AppendJob[]) =>
      jobs.map((job): JobOutcome => {
        try {
          // Nested call: better-sqlite3 wraps it in a SAVEPOINT, so a request that fails
          // while writing leaves no trace while the rest of the group still commits.
          return { ok: true, result: requestTx(job) };
        } catch (error) {
          // An error SQLite did not contain within the savepoint (I/O, disk full, busy)
          // ended the whole transaction: fail the group rather than write outside it.
          if (!db.inTransaction) throw error;
          return {
            ok: false,
            refused:
              error instanceof Refusal
                ? error.refused
                : { kind: 'failed', message: error instanceof Error ? error.message : 'failed' },
          };
        }
      }),
    );
  }

  /**
   * Commits the group. IMMEDIATE takes the write lock up front, so a concurrent writer in
   * another process waits on busy_timeout instead of failing a deferred lock upgrade.
   * Throws when the transaction as a whole failed (nothing of the group was written).
   */
  commit(jobs: readonly AppendJob[]): JobOutcome[] {
    this.groupBegun = false;
    try {
      return this.groupTx.immediate(jobs);
    } catch (error) {
      // Not begun (no write lock within busy_timeout), or not rolled back:
      // nothing to do again. Waiting a second busy_timeout would only hide the error.
      if (!this.groupBegun || this.db.inTransaction) throw error;
      // Nothing of the group was written. Once more, each request in its own savepoint: the
      // one that failed is answered `failed` alone, or the group fails as a whole again.
      return this.savepointGroupTx.immediate(jobs);
    }
  }

  /**
   * Everything that may refuse a request, before anything of it is written: the guards,
   * the idempotency of each event, each stream's expected revision. Reads only.
   */
  private check({ tenantId, streams, guards }: AppendJob): Checked {
    if (guards !== undefined && guards.length > 0) {
      const failed = this.failedGuards(guards);
      if (failed.length > 0) return { ok: false, refused: { kind: 'guard', streamIds: failed } };
    }
    const statuses: AppendStatus[] = [];
    const seen = new Map<string, Buffer>();
    const digests: Buffer[] = [];
    const keys: bigint[] = [];
    const conflicts: number[] = [];
    for (const stream of streams) {
      for (const event of stream.events) {
        const digest = fingerprintDigest(event.fingerprint);
        digests.push(digest);
        const key = eventKey(tenantId, event.eventId);
        keys.push(key);
        const earlier =
          seen.get(event.eventId) ?? this.storedFingerprint(key, tenantId, event.eventId);
        if (earlier === undefined) {
          seen.set(event.eventId, digest);
          statuses.push(APPENDED);
        } else {
          if (!sameFingerprint(earlier, event.fingerprint, digest)) conflicts.push(statuses.length);
          statuses.push('duplicate');
        }
      }
    }
    if (conflicts.length > 0)
      return { ok: false, refused: { kind: 'idempotency', indexes: conflicts } };

    // A request may name a stream twice: the second sees the revision the first will leave.
    const revisions = new Map<string, number | null>();
    const currentRevisions: (number | null)[] = [];
    let index = 0;
    for (const stream of streams) {
      const first = index;
      index += stream.events.length;
      const current = revisions.has(stream.streamId)
        ? (revisions.get(stream.streamId) ?? null)
        : (this.stmt.streamRevision.get(stream.streamId) ?? null);
      currentRevisions.push(current);
      let appended = 0;
      for (let i = first; i < index; i++) if (statuses[i] === APPENDED) appended++;
      // A retry whose events are all stored already is answered as duplicates even if
      // its expected revision is stale now: the decision it carried was already taken.
      if (appended > 0 || stream.events.length === 0) {
        if (!revisionMatches(stream.expectedRevision, current))
          return {
            ok: false,
            refused: {
              kind: 'concurrency',
              streamId: stream.streamId,
              expected: String(stream.expectedRevision),
              actual: current,
            },
          };
      }
      revisions.set(stream.streamId, appended > 0 ? (current ?? -1) + appended : current);
    }
    return { ok: true, plan: { statuses, digests, keys, currentRevisions } };
  }

  /** Writes a checked request. Refuses nothing: whatever throws here is an error. */
  private write({ tenantId, streams, recordedAt }: AppendJob, plan: WritePlan): AppendResult {
    const { statuses, digests, keys, currentRevisions } = plan;
    let index = 0;
    let lastPosition: number | null = null;
    streams.forEach((stream, s) => {
      const first = index;
      index += stream.events.length;
      let revision = currentRevisions[s] ?? -1;
      let fresh = false;
      stream.events.forEach((event, i) => {
        if (statuses[first + i] !== APPENDED) return;
        fresh = true;
        revision++;
        // Across a thread boundary a Buffer arrives as a plain Uint8Array: view, not copy.
        const data = Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength);
        const info = this.stmt.insertEvent.run(
          tenantId,
          stream.streamId,
          revision,
          event.eventId,
          event.type,
          event.occurredAt.getTime(),
          recordedAt,
          data,
          createHash('sha256').update(data).digest('hex'),
          digests[first + i],
        );
        const position = Number(info.lastInsertRowid);
        this.stmt.insertEventKey.run(keys[first + i], position);
        for (const subjectId of indexedSubjects(tenantId, stream.streamId, event.subjectIds))
          this.stmt.insertSubject.run(tenantId, subjectId, position);
        lastPosition = position;
      });
      if (fresh) this.stmt.upsertStream.run(stream.streamId, revision);
    });
    return { statuses, lastPosition };
  }

  /** The fingerprint stored for this tenant's event id, if it is stored. */
  private storedFingerprint(
    key: bigint,
    tenantId: string,
    eventId: string,
  ): Buffer | string | undefined {
    for (const position of this.stmt.keyPositions.all(key)) {
      const stored = this.stmt.fingerprintAt.get(position, tenantId, eventId);
      if (stored !== undefined) return stored;
    }
    return undefined;
  }

  /**
   * One primary-key probe of the `streams` table per guard, in one statement (a person's
   * lifecycle stream usually does not exist); the events index is read only for one that
   * does. Same transaction as the writes, so an excluded event committed by an earlier
   * request of this group, or by another process, is seen.
   */
  private failedGuards(guards: readonly StreamGuard[]): string[] {
    const existing = new Set(
      this.stmt.existingStreams.all(JSON.stringify(guards.map((g) => g.streamId))),
    );
    const failed: string[] = [];
    for (const guard of guards) {
      if (!existing.has(guard.streamId)) continue;
      if (
        guard.withoutTypes.some(
          (t) => this.stmt.streamHoldsType.get(guard.streamId, t) !== undefined,
        )
      )
        failed.push(guard.streamId);
    }
    return failed;
  }
}

/**
 * What an event row stores of its fingerprint: its SHA-256, 32 bytes instead of the ~200
 * characters of the keyed parts. Only equality is ever asked.
 */
function fingerprintDigest(fingerprint: string): Buffer {
  return createHash('sha256').update(fingerprint, 'utf8').digest();
}

/** Rows written by releases before the digest hold the fingerprint text itself. */
function sameFingerprint(stored: Buffer | string, fingerprint: string, digest: Buffer): boolean {
  return typeof stored === 'string' ? stored === fingerprint : digest.equals(stored);
}
