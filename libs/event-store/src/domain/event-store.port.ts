/**
 * The event store port: an append-only log of per-stream events with one global order.
 *
 * Adapters: SQLite (embedded default), EventStoreDB (production). Every adapter must pass
 * the contract suite in `@authtrail/testing` (`eventStoreContract`).
 */

/** Where an append expects the stream to be. `any` appends facts unconditionally. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** An event handed to the store. The store never looks inside `data`. */
export interface NewEvent {
  /** Client-supplied UUID; unique per tenant (idempotency key). */
  readonly eventId: string;
  /** Stable event type name, e.g. `sspr.PasswordResetByAdmin`. */
  readonly type: string;
  /**
   * Fingerprint of the event's content, used to tell a duplicate (same id, same
   * fingerprint) from a conflict (same id, other fingerprint). Opaque to the store.
   */
  readonly fingerprint: string;
  /** Subject ids the event is about (actor, target …): indexed for export and erasure. */
  readonly subjectIds: readonly string[];
  /** `occurredAt` of the event, for retention. */
  readonly occurredAt: Date;
  /** The stored envelope bytes (UTF-8 JSON). Hashed and stored verbatim. */
  readonly data: Uint8Array;
}

export interface AppendToStream {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly NewEvent[];
}

/**
 * A condition of an append on a stream it does not write, checked in the same transaction
 * as the append (on SQLite and in memory; see `EventStore.append` for EventStoreDB). Ingest
 * guards each person's lifecycle stream against an erasure recorded meanwhile (DESIGN.md
 * "Streams and ordering"): reading a few tiny streams costs lookups, never writes.
 */
export interface StreamGuard {
  readonly streamId: string;
  /** The append is refused when this stream holds an event of one of these types. */
  readonly withoutTypes: readonly string[];
}

export interface AppendOptions {
  /** Each must hold when the call commits; one that fails refuses the whole call. */
  readonly guards?: readonly StreamGuard[];
  /**
   * Followers read this commit without waiting out their linger (`SubscribeOptions.lingerMs`):
   * within the short gathering window, whatever the last delivery was. For the records
   * that must reach the read model and the SIEM at once (an erasure, a tenant's deletion),
   * not for ingest. A store may ignore it (one without a linger has nothing to cut).
   */
  readonly prompt?: boolean;
}

export type AppendStatus = 'appended' | 'duplicate';

export interface AppendResult {
  /** One entry per event of the request, in request order (streams flattened in order). */
  readonly statuses: readonly AppendStatus[];
  /** Global position of the last event appended, or null when all were duplicates. */
  readonly lastPosition: number | null;
}

/** One stored event as readers see it. */
export interface RecordedEvent {
  /** Global log position, strictly increasing, starting at 1. */
  readonly position: number;
  readonly tenantId: string;
  readonly streamId: string;
  /** Revision within its stream, starting at 0. */
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  /** The stored envelope bytes exactly as appended. */
  readonly data: Uint8Array;
  /** SHA-256 (hex) of `data`, computed at append. */
  readonly hash: string;
}

export interface ReadAllOptions {
  /** Return events with position strictly greater than this (0 = from the start). */
  readonly after: number;
  /** Maximum number of events returned. */
  readonly limit: number;
  /** Only events of this tenant. */
  readonly tenantId?: string;
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive, forwards). Default 0. */
  readonly fromRevision?: number;
  readonly limit?: number;
}

export interface Subscription {
  /** Stops the subscription; resolves once the handler is no longer running. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Deliver events with position strictly greater than this. */
  readonly after: number;
  /** Largest batch handed to the handler at once. */
  readonly batchSize?: number;
  /**
   * Once the subscription has caught up, it delivers at most once per this many ms: after
   * a batch that was not full, the next one starts this long after the last began, less
   * the share of the batch that was filled (a read of 80 % of `batchSize` waits a fifth of
   * it); woken from idle by a commit, it reads after a short gathering window (at most
   * 100 ms) or once that wait is over, whichever is later. A follower of a trickle then
   * gets a few large batches instead of one per commit (each downstream write — a
   * ClickHouse insert, a Kafka batch — has a fixed cost), one of a busy log is not held
   * back behind it, and the first event after a quiet spell (an erasure) is not held a
   * whole linger. A commit appended with `prompt` ends any wait after that window. Never
   * applies while catching up (full batches). Default 0; a store may ignore it.
   */
  readonly lingerMs?: number;
  /**
   * Called with consecutive batches in log order. The next batch is read only after the
   * returned promise resolves, so a handler that saves its checkpoint after writing gets
   * at-least-once delivery. A rejected promise stops the subscription and is passed to
   * `onError`.
   */
  readonly handler: (events: readonly RecordedEvent[]) => Promise<void>;
  readonly onError?: (error: unknown) => void;
}

export interface EventStore {
  /**
   * Appends events to one or more streams of one tenant.
   *
   * Atomicity, per adapter (what callers may rely on is the weaker, EventStoreDB's):
   * - SQLite and in memory: the call is one transaction. Every non-duplicate event is
   *   stored or none is, and readers see all of it or nothing.
   * - EventStoreDB: atomic per stream only. Every check (idempotency, expected revisions,
   *   guards) runs before any data is written, so a call refused by a check stores
   *   nothing. After the checks, the streams are written one atomic append each (decision
   *   streams first, then the facts): a call cut off there (outage, crash) may have
   *   written some streams and not others, and fails retriably; the same request sent
   *   again completes it, storing nothing twice (the idempotency index). Readers may see
   *   a call that spans streams stream by stream. Two streams with an expected revision in
   *   one call are not ordered against a writer that moves the second between the check
   *   and the write: the first is then stored and the call fails with `ConcurrencyError`.
   *   (docs/scale-out.md "Atomicity")
   *
   * Idempotency per (tenantId, eventId): an event whose id is already stored (or appears
   * earlier in the same call) with the same fingerprint is a `duplicate` and is not
   * stored again; with another fingerprint the call fails with `IdempotencyConflictError`
   * listing the indexes (request order), and nothing is stored.
   * A stream whose revision does not match `expectedRevision` fails the call with
   * `ConcurrencyError`, and nothing is stored (the one rule: `revisionMatches`).
   *
   * Guards (`options.guards`) see the log as the call finds it: a guarded stream holding
   * one of the guard's types fails the call with `GuardFailedError` naming every such
   * stream, and nothing is stored (duplicates included). Against any append of such an
   * event the call is ordered: either it commits first (its positions are lower) or it is
   * refused. That holds across processes on SQLite (the check runs in the write
   * transaction) and in memory. EventStoreDB has no multi-stream transaction: there the
   * guarded streams are read while the call's index entries are written, just before its
   * data, so an excluded event appended by anyone within that last round trip goes
   * unnoticed (docs/scale-out.md "Erasure against concurrent ingest").
   */
  append(
    tenantId: string,
    streams: readonly AppendToStream[],
    options?: AppendOptions,
  ): Promise<AppendResult>;

  /** Reads a stream forwards. An unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** Current revision of a stream, or null when it does not exist. */
  streamRevision(streamId: string): Promise<number | null>;

  /** Reads the global log forwards from a position. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * Every event of a tenant that names this subject, in log order. A person's data streams
   * (`dataStream`) hold only events that name that person; a store may find those by the
   * stream instead of a per-subject index (the SQLite store does).
   */
  readBySubject(tenantId: string, subjectId: string): Promise<RecordedEvent[]>;

  /** Position of the newest event in the log (0 when empty). */
  headPosition(): Promise<number>;

  /** Catch-up subscription to the global log: reads history, then follows new appends. */
  subscribe(options: SubscribeOptions): Subscription;

  /** Finishes in-flight appends and releases the store. */
  close(): Promise<void>;
}

/** Injection token of the configured event store. */
export const EVENT_STORE = Symbol('EventStore');
