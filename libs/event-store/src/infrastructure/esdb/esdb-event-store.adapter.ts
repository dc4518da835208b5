import { createHash } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  binaryEvent,
  jsonEvent,
  type AppendExpectedRevision,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { type Clock, systemClock, ValidationError } from '@authtrail/platform';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  GuardFailedError,
  IdempotencyConflictError,
} from '../../domain/event-store.errors';
import type {
  AppendOptions,
  AppendResult,
  AppendStatus,
  AppendToStream,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamGuard,
  SubscribeOptions,
  Subscription,
} from '../../domain/event-store.port';
import { STREAM_PREFIX } from '../../domain/stream-names';
import { validateAppend } from '../../domain/append-validation';
import { isStreamNotFound, isWrongExpectedVersion, translateEsdbError } from './esdb-errors';
import { KeyedLock } from './keyed-lock';
import { EsdbSubscription, esdbPosition } from './esdb-subscription';
import {
  type PlanItem,
  type PlannedStream,
  duplicatesWithin,
  groupByStream,
  judgeIdempotency,
  placeAppend,
} from './esdb-append-plan';

const DAY_S = 86_400;

/** Options of {@link EsdbEventStore.connect}. */
export interface EsdbEventStoreOptions {
  /** Source of `recordedAt`. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * `$maxAge` (seconds) set on each data stream of a category when the stream is created:
   * the server hides older events from reads and a scavenge removes them. Categories not
   * named keep their events. Default: `mfa` 90 days, `sspr` 365 days (DESIGN.md).
   * https://developers.eventstore.com/server/v24.10/streams.html#stream-metadata
   */
  readonly maxAgeSeconds?: Readonly<Record<string, number>>;
  /**
   * Prepended to every stream this adapter writes and reads. Isolates runs that share one
   * server (tests against a real node); production leaves it empty. Also settable by
   * configuration alone, as the connection string's `authtrailNamespace` parameter.
   */
  readonly namespace?: string;
  /** Events per `$all` read page (readAll, headPosition). Default 500. */
  readonly readPageSize?: number;
  /** Attempts of one append when it races another writer or the server is briefly gone. Default 5. */
  readonly appendAttempts?: number;
  /** Pause before a subscription reconnects, doubling up to `reconnectMaxMs`. Default 100 ms. */
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  /** Concurrent index reads and writes of one append. Default 64. */
  readonly parallelism?: number;
  /** Told about each reconnect of a subscription (logging). */
  readonly onReconnect?: (error: unknown, attempt: number) => void;
}

/** What the adapter keeps in each event's custom metadata (the data bytes stay verbatim). */
interface StoredMetadata {
  readonly v: 1;
  readonly tenantId: string;
  readonly eventId: string;
  readonly fingerprint: string;
  readonly subjectIds: readonly string[];
  readonly occurredAt: number;
  readonly recordedAt: number;
  readonly hash: string;
}

/** The idempotency index entry of (tenant, eventId): where the event was (to be) written. */
interface Claim {
  readonly streamId: string;
  readonly revision: number;
  readonly fingerprint: string;
}

interface Decoded {
  readonly recorded: RecordedEvent;
  readonly subjectIds: readonly string[];
}

/** The append must start over: another writer moved a stream or took an event id meanwhile. */
class RetryAppend extends Error {}

/**
 * The production event store: an EventStoreDB (KurrentDB) cluster through
 * `@eventstore/db-client` (gRPC, protocol v1).
 *
 * EventStoreDB appends atomically to one stream only, so the port's guarantees are built
 * from single-stream appends in an order that makes every crash repairable:
 * 1. For each event, the idempotency index stream `ix-event-{tenant}/{eventId}` is read. An
 *    entry (a claim) names the stream and the exact revision the event was to take; the
 *    event counts as stored only if that revision holds an event with the event's
 *    deterministic id (a UUID derived from tenant and event id). So a claim left by a crash
 *    before the data write is recognised as an orphan and taken over.
 * 2. Expected revisions are checked against each stream's head; nothing is written unless
 *    every check and every idempotency verdict passes.
 * 3. Claims (`no_stream`, or the orphan's revision) and subject index links (`$>` events in
 *    `ix-subject-{tenant}/{subject}`) are written in parallel — they point at revisions
 *    that do not exist yet, and readers ignore links whose target does not name them.
 * 4. The data events are appended, each stream with its exact observed revision (also for
 *    `any`, so a concurrent writer is detected): streams with an expected revision first,
 *    one by one, then the others pipelined in request order.
 * A crash or outage between steps leaves a state the next attempt of the same request
 * completes (clients retry retriable errors). What stays non-atomic: two streams with an
 * expected revision in one request, when another process moves the second one between
 * the check and the write — the first is then stored and the call fails with
 * ConcurrencyError (authtrail never appends two decision streams in one request).
 *
 * Positions: the numeric position is the event's `$all` commit position (a byte offset in
 * the server's log; equal to the prepare position for non-transactional appends). It is
 * strictly increasing but neither dense nor 0-based; 0 still means "before everything".
 * Stream reads carry it on servers from 22.6 (KurrentDB PR #3459); older servers are refused.
 */
export class EsdbEventStore implements EventStore {
  private readonly clock: Clock;
  private readonly ns: string;
  private readonly dataPrefix: string;
  private readonly maxAge: Readonly<Record<string, number>>;
  private readonly pageSize: number;
  private readonly attempts: number;
  private readonly parallelism: number;
  private readonly lock = new KeyedLock();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closing = false;
  private disposed = false;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EsdbEventStoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.ns = options.namespace ?? '';
    this.dataPrefix = `${this.ns}${STREAM_PREFIX}`;
    this.maxAge = options.maxAgeSeconds ?? { mfa: 90 * DAY_S, sspr: 365 * DAY_S };
    this.pageSize = Math.max(2, options.readPageSize ?? 500);
    this.attempts = Math.max(1, options.appendAttempts ?? 5);
    this.parallelism = Math.max(1, options.parallelism ?? 64);
  }

  /**
   * Connects lazily (the first call opens the channel) with an `esdb://` or
   * `esdb+discover://` connection string; cluster discovery, leader preference and TLS
   * come from the string. https://developers.eventstore.com/clients/grpc/#connection-string
   */
  static connect(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    const { clientString, namespace } = splitNamespace(connectionString);
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(clientString);
    } catch (error) {
      throw new EventStoreUnavailableError('invalid EventStoreDB connection string', error);
    }
    return new EsdbEventStore(client, { ...options, namespace: options.namespace ?? namespace });
  }

  append(
    tenantId: string,
    streams: readonly AppendToStream[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (this.closing)
      return Promise.reject(new EventStoreUnavailableError('event store is closed'));
    const guards = options.guards ?? [];
    const problems = validateAppend(tenantId, streams, guards);
    if (problems.length > 0)
      return Promise.reject(
        new ValidationError('invalid append request', problems, 'EVENT_STORE.INVALID_APPEND'),
      );
    return this.track(this.appendWithRetries(tenantId, streams, guards));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    if (limit <= 0) return [];
    const events = await this.readEsdbStream(this.name(streamId), {
      fromRevision: BigInt(options.fromRevision ?? 0),
      maxCount: limit,
      direction: FORWARDS,
    });
    return events.flatMap((e) => this.decode(e.event)?.recorded ?? []);
  }

  async streamRevision(streamId: string): Promise<number | null> {
    return this.headRevision(this.name(streamId));
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const found: RecordedEvent[] = [];
    if (options.limit <= 0) return found;
    let last = options.after;
    // $all is shared with system and index records: page until enough of ours are found.
    for (;;) {
      const page = await this.guard('read', async () => {
        const out: ResolvedEvent[] = [];
        for await (const e of this.client.readAll({
          fromPosition: last === 0 ? START : esdbPosition(last),
          maxCount: this.pageSize,
          direction: FORWARDS,
        }))
          out.push(e);
        return out;
      });
      let advanced = false;
      for (const e of page) {
        const at = e.event?.position ? Number(e.event.position.commit) : null;
        if (at === null || at <= last) continue;
        advanced = true;
        last = at;
        const decoded = this.decode(e.event);
        if (!decoded || decoded.recorded.position <= options.after) continue;
        if (options.tenantId !== undefined && decoded.recorded.tenantId !== options.tenantId)
          continue;
        found.push(decoded.recorded);
        if (found.length >= options.limit) return found;
      }
      if (!advanced) return found;
    }
  }

  async readBySubject(tenantId: string, subjectId: string): Promise<RecordedEvent[]> {
    const links = await this.readEsdbStream(subjectIndexStream(this.ns, tenantId, subjectId), {
      fromRevision: START,
      direction: FORWARDS,
      resolveLinkTos: true,
    });
    const byPosition = new Map<number, RecordedEvent>();
    for (const link of links) {
      // A link written before a data append that then failed points at nothing, or at
      // someone else's event: only an event that names this subject counts.
      const decoded = this.decode(link.event);
      if (!decoded || decoded.recorded.tenantId !== tenantId) continue;
      if (!decoded.subjectIds.includes(subjectId)) continue;
      byPosition.set(decoded.recorded.position, decoded.recorded);
    }
    return [...byPosition.values()].sort((a, b) => a.position - b.position);
  }

  async headPosition(): Promise<number> {
    let from: Position | typeof END = END;
    for (;;) {
      const page = await this.guard('read', async () => {
        const out: ResolvedEvent[] = [];
        for await (const e of this.client.readAll({
          fromPosition: from,
          maxCount: this.pageSize,
          direction: BACKWARDS,
        }))
          out.push(e);
        return out;
      });
      for (const e of page) {
        const decoded = this.decode(e.event);
        if (decoded) return decoded.recorded.position;
      }
      const oldest = page.at(-1)?.event?.position;
      if (page.length < this.pageSize || !oldest) return 0;
      from = oldest;
    }
  }

  subscribe(options: SubscribeOptions): Subscription {
    if (this.closing) throw new EventStoreUnavailableError('event store is closed');
    const subscription = new EsdbSubscription(
      this.client,
      this.dataPrefix,
      (e) => this.decode(e)?.recorded ?? null,
      options,
      {
        initialMs: this.options.reconnectInitialMs ?? 100,
        maxMs: this.options.reconnectMaxMs ?? 5000,
        onReconnect: this.options.onReconnect,
      },
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
    await Promise.allSettled([...this.inFlight]);
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.disposed = true;
    await this.client.dispose();
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const done = (): void => void this.inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  private async appendWithRetries(
    tenantId: string,
    streams: readonly AppendToStream[],
    guards: readonly StreamGuard[],
  ): Promise<AppendResult> {
    const items: PlanItem[] = [];
    streams.forEach((s, stream) =>
      s.events.forEach((event) =>
        items.push({
          event,
          stream,
          index: items.length,
          esdbId: esdbEventId(tenantId, event.eventId),
        }),
      ),
    );
    const release = await this.lock.acquire([
      ...streams.map((s) => `s:${s.streamId}`),
      ...items.map((i) => `e:${tenantId}/${i.event.eventId}`),
    ]);
    // Events this call stored in an earlier attempt: reported as appended, not duplicate.
    const written = new Map<string, number>();
    let lastError: unknown = null;
    try {
      for (let attempt = 1; attempt <= this.attempts; attempt++) {
        try {
          return await this.appendOnce(tenantId, streams, guards, items, written);
        } catch (error) {
          const retry = error instanceof RetryAppend || error instanceof EventStoreUnavailableError;
          if (!retry) throw error;
          lastError = error;
          if (attempt < this.attempts)
            await sleep(Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random()));
        }
      }
    } finally {
      release();
    }
    if (lastError instanceof EventStoreUnavailableError) throw lastError;
    throw new EventStoreUnavailableError('append kept racing concurrent writers', lastError);
  }

  private async appendOnce(
    tenantId: string,
    streams: readonly AppendToStream[],
    guards: readonly StreamGuard[],
    items: readonly PlanItem[],
    written: Map<string, number>,
  ): Promise<AppendResult> {
    // 1. Idempotency: the request's own repeats, then the index, verified against the data.
    const within = duplicatesWithin(items);
    const verdicts = await this.mapLimit(within.firsts, async (item) => {
      const claim = await this.readClaim(tenantId, item.event.eventId);
      if (!claim) return { item, claim: null, stored: null };
      return { item, claim, stored: await this.storedAt(claim, item.esdbId) };
    });
    const judged = judgeIdempotency(within, verdicts, written);
    if (judged.conflicts.length > 0) throw new IdempotencyConflictError([...judged.conflicts]);
    const statuses = [...judged.statuses];
    let lastPosition = judged.lastPosition;

    // 2. Expected revisions against the heads, before anything is written.
    const groups = groupByStream(streams, items, statuses);
    const heads = await this.mapLimit(groups, (g) => this.headRevision(this.name(g.streamId)));
    const plan = placeAppend(streams, groups, heads);
    const fresh = plan.streams.flatMap((g) => g.fresh).sort((x, y) => x.index - y.index);

    // 3. Claims, subject links and retention metadata, all pointing at the revisions the
    // data will take.
    const prewrites: (() => Promise<unknown>)[] = [];
    for (const item of fresh) {
      const { streamId } = streams[item.stream];
      const revision = plan.revisions.get(item.index)!;
      const orphan = judged.orphans.get(item.index);
      prewrites.push(() =>
        this.client.appendToStream(
          eventIndexStream(this.ns, tenantId, item.event.eventId),
          jsonEvent({
            type: 'authtrail.EventClaimed',
            data: { streamId, revision, fingerprint: item.event.fingerprint },
          }),
          { expectedRevision: orphan === undefined ? 'no_stream' : BigInt(orphan) },
        ),
      );
      for (const subjectId of new Set(item.event.subjectIds)) {
        prewrites.push(() =>
          this.client.appendToStream(
            subjectIndexStream(this.ns, tenantId, subjectId),
            binaryEvent({
              type: '$>',
              data: Buffer.from(`${revision}@${this.name(streamId)}`, 'utf8'),
            }),
          ),
        );
      }
    }
    for (const group of plan.streams) {
      const maxAge = this.maxAgeOf(tenantId, group.streamId);
      if (group.fresh.length > 0 && group.head === null && maxAge !== undefined)
        prewrites.push(() => this.client.setStreamMetadata(this.name(group.streamId), { maxAge }));
    }
    // Guards are read alongside the index writes, as late as the plan allows without a
    // round trip of their own: what is appended after this read goes unnoticed (see the port).
    const guardsRead = this.failedGuards(guards).then(
      (failed) => ({ failed, error: null }),
      (error: unknown) => ({ failed: [], error }),
    );
    const outcomes = await this.mapLimit(prewrites, (write) =>
      write().then(
        () => null,
        (error: unknown) => error,
      ),
    );
    const guarded = await guardsRead;
    if (guarded.error !== null)
      throw guarded.error instanceof Error
        ? guarded.error
        : new EventStoreUnavailableError('reading the guarded streams failed', guarded.error);
    // The claims just written point at revisions that will not exist: orphans, which the
    // next append of those ids takes over (as after a crash), and links readers ignore.
    if (guarded.failed.length > 0) throw new GuardFailedError(guarded.failed);
    for (const error of outcomes) {
      if (error === null) continue;
      // Another writer claimed one of our event ids meanwhile: its verdict decides.
      if (isWrongExpectedVersion(error)) throw new RetryAppend();
      throw translateEsdbError(error, 'append');
    }

    // 4. The data, one atomic append per stream at its exact head: decision streams first,
    // one by one, then the facts pipelined (the client multiplexes them on one BatchAppend
    // call when the server offers it).
    const now = this.clock.now().getTime();
    const pending = plan.streams.filter((g) => g.fresh.length > 0);
    const writeStream = async (group: PlannedStream): Promise<void> => {
      const { streamId } = group;
      const events = group.fresh.map((item) =>
        binaryEvent({
          id: item.esdbId,
          type: item.event.type,
          data: item.event.data,
          metadata: storedMetadata(tenantId, item.event, now),
        }),
      );
      const expectedRevision: AppendExpectedRevision =
        group.head === null ? 'no_stream' : BigInt(group.head);
      try {
        const result = await this.client.appendToStream(this.name(streamId), events, {
          expectedRevision,
        });
        const at = result.position ? Number(result.position.commit) : NaN;
        if (!Number.isSafeInteger(at))
          throw new EventStoreUnavailableError('the server reported no position for an append');
        for (const item of group.fresh) written.set(item.esdbId, at);
        lastPosition = Math.max(lastPosition ?? 0, at);
      } catch (error) {
        if (!isWrongExpectedVersion(error)) throw translateEsdbError(error, 'append');
        const first = group.entries.find((i) => streams[i].expectedRevision !== 'any');
        if (first === undefined) throw new RetryAppend();
        const actual = error.actualVersion;
        throw new ConcurrencyError(
          streamId,
          String(streams[first].expectedRevision),
          typeof actual === 'bigint' ? Number(actual) : null,
        );
      }
    };
    for (const group of pending.filter((g) => g.decision)) await writeStream(group);
    const results = await Promise.allSettled(
      pending.filter((g) => !g.decision).map((g) => writeStream(g)),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    for (const item of fresh) statuses[item.index] = 'appended';
    return { statuses: statuses as AppendStatus[], lastPosition };
  }

  /** Guarded streams that hold an excluded type (small streams: read whole). */
  private async failedGuards(guards: readonly StreamGuard[]): Promise<string[]> {
    const holds = await this.mapLimit(guards, async (guard) => {
      const events = await this.readEsdbStream(this.name(guard.streamId), {
        fromRevision: START,
        direction: FORWARDS,
      });
      return events.some((e) => e.event !== undefined && guard.withoutTypes.includes(e.event.type));
    });
    return guards.filter((_, i) => holds[i]).map((g) => g.streamId);
  }

  /** The newest claim of (tenant, eventId), with the index stream's revision (for a takeover). */
  private async readClaim(
    tenantId: string,
    eventId: string,
  ): Promise<(Claim & { idemRevision: number }) | null> {
    const [last] = await this.readEsdbStream(eventIndexStream(this.ns, tenantId, eventId), {
      fromRevision: END,
      maxCount: 1,
      direction: BACKWARDS,
    });
    const event = last?.event;
    if (!event || !event.isJson) return null;
    const claim = event.data as unknown as Claim;
    return { ...claim, idemRevision: Number(event.revision) };
  }

  /** Position of the event with this id at the claimed revision, or null (an orphan claim). */
  private async storedAt(claim: Claim, esdbId: string): Promise<number | null> {
    const [at] = await this.readEsdbStream(this.name(claim.streamId), {
      fromRevision: BigInt(claim.revision),
      maxCount: 1,
      direction: FORWARDS,
    });
    if (!at?.event || at.event.id !== esdbId || Number(at.event.revision) !== claim.revision)
      return null;
    return this.decode(at.event)?.recorded.position ?? null;
  }

  /**
   * The stream's last revision, or null when it does not exist. A stream whose events all
   * passed its `$maxAge` reads empty yet keeps its revisions (a new event takes the next
   * one), and reads do not tell its last revision: the server does, refusing an empty
   * `no_stream` append with the actual one.
   */
  private async headRevision(esdbStream: string): Promise<number | null> {
    const read = await this.readExisting(esdbStream, {
      fromRevision: END,
      maxCount: 1,
      direction: BACKWARDS,
    });
    if (read === null) return null;
    if (read[0]?.event) return Number(read[0].event.revision);
    return this.guard('read', async () => {
      try {
        await this.client.appendToStream(esdbStream, [], { expectedRevision: 'no_stream' });
        return null;
      } catch (error) {
        if (isWrongExpectedVersion(error) && typeof error.actualVersion === 'bigint')
          return Number(error.actualVersion);
        throw error;
      }
    });
  }

  /** A stream's events; empty when it does not exist. */
  private async readEsdbStream(
    esdbStream: string,
    options: Parameters<EventStoreDBClient['readStream']>[1],
  ): Promise<ResolvedEvent[]> {
    return (await this.readExisting(esdbStream, options)) ?? [];
  }

  /** A stream's events, or null when it does not exist. */
  private async readExisting(
    esdbStream: string,
    options: Parameters<EventStoreDBClient['readStream']>[1],
  ): Promise<ResolvedEvent[] | null> {
    return this.guard('read', async () => {
      const out: ResolvedEvent[] = [];
      try {
        for await (const e of this.client.readStream(esdbStream, options)) out.push(e);
      } catch (error) {
        if (isStreamNotFound(error)) return null;
        throw error;
      }
      return out;
    });
  }

  private async guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.disposed) throw new EventStoreUnavailableError('event store is closed');
    try {
      return await run();
    } catch (error) {
      throw translateEsdbError(error, what);
    }
  }

  private async mapLimit<T, R>(
    items: readonly T[],
    fn: (item: T, index: number) => Promise<R>,
  ): Promise<R[]> {
    const out = new Array<R>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.parallelism, items.length) }, worker));
    return out;
  }

  private name(streamId: string): string {
    return `${this.ns}${streamId}`;
  }

  private maxAgeOf(tenantId: string, streamId: string): number | undefined {
    for (const [category, seconds] of Object.entries(this.maxAge))
      if (streamId.startsWith(`${STREAM_PREFIX}${tenantId}-${category}-`)) return seconds;
    return undefined;
  }

  /** One of our events as the port shows it; null for system, index and foreign records. */
  private decode(event: ResolvedEvent['event']): Decoded | null {
    if (!event || event.isJson || !event.streamId.startsWith(this.dataPrefix)) return null;
    const meta = event.metadata as Partial<StoredMetadata> | undefined;
    if (!meta || meta instanceof Uint8Array || meta.v !== 1) return null;
    const at = event.position ? Number(event.position.commit) : NaN;
    if (!Number.isSafeInteger(at) || at <= 0) {
      throw new EventStoreUnavailableError(
        'the server gives no $all position on stream reads (EventStoreDB 22.6 or later needed)',
      );
    }
    return {
      subjectIds: meta.subjectIds ?? [],
      recorded: {
        position: at,
        tenantId: meta.tenantId!,
        streamId: event.streamId.slice(this.ns.length),
        revision: Number(event.revision),
        eventId: meta.eventId!,
        type: event.type,
        occurredAt: new Date(meta.occurredAt!),
        recordedAt: new Date(meta.recordedAt!),
        data: event.data,
        hash: meta.hash!,
      },
    };
  }
}

/** The connection string's parameter naming a stream namespace (ours, not the client's). */
export const NAMESPACE_PARAMETER = 'authtrailNamespace';
// Stream-name safe, never a system (`$`) prefix.
const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Takes `authtrailNamespace=…` out of the connection string: the client warns about and
 * ignores keys it does not know, so it gets the rest only.
 */
function splitNamespace(connectionString: string): { clientString: string; namespace?: string } {
  const q = connectionString.indexOf('?');
  if (q < 0) return { clientString: connectionString };
  let namespace: string | undefined;
  const rest = connectionString
    .slice(q + 1)
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      if (key.toLowerCase() !== NAMESPACE_PARAMETER.toLowerCase()) return true;
      namespace = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1));
      return false;
    });
  if (namespace !== undefined && !NAMESPACE_PATTERN.test(namespace))
    throw new EventStoreUnavailableError(
      `invalid EventStoreDB connection string: ${NAMESPACE_PARAMETER} must match ${String(NAMESPACE_PATTERN)}`,
    );
  const base = connectionString.slice(0, q);
  return { clientString: rest.length > 0 ? `${base}?${rest.join('&')}` : base, namespace };
}

function storedMetadata(tenantId: string, event: NewEvent, recordedAt: number): StoredMetadata {
  return {
    v: 1,
    tenantId,
    eventId: event.eventId,
    fingerprint: event.fingerprint,
    subjectIds: [...new Set(event.subjectIds)],
    occurredAt: event.occurredAt.getTime(),
    recordedAt,
    hash: createHash('sha256').update(event.data).digest('hex'),
  };
}

/**
 * The server-side id of an event: derived from (tenant, eventId), so a re-sent event has
 * the id of the stored one (what makes orphan claims decidable), and two tenants' equal
 * event ids stay distinct.
 */
export function esdbEventId(tenantId: string, eventId: string): string {
  const h = createHash('sha256').update(`${tenantId}\u0000${eventId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Index streams sit outside the `t-` prefix, so subscriptions never see them. Ids are
// URI-encoded and joined by '/', so no two (tenant, id) pairs share a name.
function eventIndexStream(ns: string, tenantId: string, eventId: string): string {
  return `${ns}ix-event-${encodeURIComponent(tenantId)}/${encodeURIComponent(eventId)}`;
}

function subjectIndexStream(ns: string, tenantId: string, subjectId: string): string {
  return `${ns}ix-subject-${encodeURIComponent(tenantId)}/${encodeURIComponent(subjectId)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
