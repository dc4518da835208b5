import { createHash } from 'node:crypto';
import { type Clock, systemClock } from '@authtrail/platform';
import {
  type AppendOptions,
  type AppendResult,
  type AppendStatus,
  type AppendToStream,
  assertExpectedRevision,
  type EventStore,
  EventStoreUnavailableError,
  type ExpectedRevision,
  GuardFailedError,
  IdempotencyConflictError,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamGuard,
  type SubscribeOptions,
  type Subscription,
} from '@authtrail/event-store';

/** What an in-memory store keeps; share one between stores to simulate reopening a file. */
export class InMemoryEventLog {
  readonly events: RecordedEvent[] = [];
  readonly streams = new Map<string, number>();
  /** `${tenantId}\u0000${eventId}` → fingerprint. */
  readonly fingerprints = new Map<string, string>();
  /** position → subject ids of that event. */
  readonly subjects = new Map<number, readonly string[]>();
}

/**
 * Reference implementation of the event store port for unit tests of other libs and for
 * the contract suite's self-test. Not durable; one process only.
 */
export class InMemoryEventStore implements EventStore {
  private closed = false;
  private readonly listeners = new Set<() => void>();
  private readonly subscriptions = new Set<{ close(): Promise<void> }>();

  constructor(
    protected readonly log: InMemoryEventLog = new InMemoryEventLog(),
    private readonly clock: Clock = systemClock,
  ) {}

  async append(
    tenantId: string,
    streams: readonly AppendToStream[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (this.closed) throw new EventStoreUnavailableError('event store is closed');
    this.checkGuards(options.guards ?? []);
    const result = this.appendNow(tenantId, streams);
    if (result.lastPosition !== null) for (const listener of [...this.listeners]) listener();
    return result;
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 0;
    const events = this.log.events.filter((e) => e.streamId === streamId && e.revision >= from);
    return this.read(() => (options.limit === undefined ? events : events.slice(0, options.limit)));
  }

  streamRevision(streamId: string): Promise<number | null> {
    return this.read(() => this.log.streams.get(streamId) ?? null);
  }

  readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.read(() => this.readAllNow(options));
  }

  readBySubject(tenantId: string, subjectId: string): Promise<RecordedEvent[]> {
    return this.read(() =>
      this.log.events.filter(
        (e) => e.tenantId === tenantId && this.subjectsOf(e).includes(subjectId),
      ),
    );
  }

  headPosition(): Promise<number> {
    return this.read(() => this.log.events.at(-1)?.position ?? 0);
  }

  subscribe(options: SubscribeOptions): Subscription {
    let stopped = false;
    let wake: (() => void) | null = null;
    const run = async (): Promise<void> => {
      let after = options.after;
      try {
        await Promise.resolve();
        while (!stopped) {
          const batch = this.readAllNow({ after, limit: options.batchSize ?? 500 });
          if (batch.length === 0) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                this.listeners.delete(done);
                wake = null;
                resolve();
              };
              this.listeners.add(done);
              wake = done;
            });
            continue;
          }
          await options.handler(batch);
          after = batch[batch.length - 1].position;
        }
      } catch (error) {
        stopped = true;
        options.onError?.(error);
      }
    };
    const running = run();
    const subscription = {
      close: async (): Promise<void> => {
        stopped = true;
        wake?.();
        await running;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }

  private subjectsOf(event: RecordedEvent): readonly string[] {
    return this.log.subjects.get(event.position) ?? [];
  }

  /** Seam for deliberately broken variants: the order readers get. */
  protected readAllNow(options: ReadAllOptions): RecordedEvent[] {
    return this.log.events
      .filter(
        (e) =>
          e.position > options.after &&
          (options.tenantId === undefined || e.tenantId === options.tenantId),
      )
      .slice(0, Math.max(0, options.limit));
  }

  /** Seam for deliberately broken variants: the expected-revision rule. */
  protected checkExpected(
    streamId: string,
    expected: ExpectedRevision,
    current: number | null,
  ): void {
    assertExpectedRevision(streamId, expected, current);
  }

  /** Seam for deliberately broken variants: the guards of an append (one synchronous turn with the append). */
  protected checkGuards(guards: readonly StreamGuard[]): void {
    const failed = guards
      .filter((g) =>
        this.log.events.some((e) => e.streamId === g.streamId && g.withoutTypes.includes(e.type)),
      )
      .map((g) => g.streamId);
    if (failed.length > 0) throw new GuardFailedError(failed);
  }

  /** Seam for deliberately broken variants: the fingerprint an event id already has. */
  protected knownFingerprint(
    tenantId: string,
    eventId: string,
    inThisCall: ReadonlyMap<string, string>,
  ): string | undefined {
    return inThisCall.get(eventId) ?? this.log.fingerprints.get(`${tenantId}\u0000${eventId}`);
  }

  private appendNow(tenantId: string, streams: readonly AppendToStream[]): AppendResult {
    const statuses: AppendStatus[] = [];
    const inThisCall = new Map<string, string>();
    const conflicts: number[] = [];
    for (const stream of streams) {
      for (const event of stream.events) {
        const earlier = this.knownFingerprint(tenantId, event.eventId, inThisCall);
        if (earlier === undefined) {
          inThisCall.set(event.eventId, event.fingerprint);
          statuses.push('appended');
        } else {
          if (earlier !== event.fingerprint) conflicts.push(statuses.length);
          statuses.push('duplicate');
        }
      }
    }
    if (conflicts.length > 0) throw new IdempotencyConflictError(conflicts);

    // Decide everything before writing anything, so a failure stores nothing.
    const revisions = new Map<string, number | null>();
    let index = 0;
    for (const stream of streams) {
      const first = index;
      index += stream.events.length;
      const current = revisions.has(stream.streamId)
        ? revisions.get(stream.streamId)!
        : (this.log.streams.get(stream.streamId) ?? null);
      const fresh = statuses.slice(first, index).filter((s) => s === 'appended').length;
      if (fresh > 0 || stream.events.length === 0)
        this.checkExpected(stream.streamId, stream.expectedRevision, current);
      revisions.set(stream.streamId, fresh > 0 ? (current ?? -1) + fresh : current);
    }

    const recordedAt = this.clock.now();
    let lastPosition: number | null = null;
    index = 0;
    for (const stream of streams) {
      for (const event of stream.events) {
        if (statuses[index++] !== 'appended') continue;
        const revision = (this.log.streams.get(stream.streamId) ?? -1) + 1;
        const position = (this.log.events.at(-1)?.position ?? 0) + 1;
        const data = Uint8Array.from(event.data);
        this.log.events.push({
          position,
          tenantId,
          streamId: stream.streamId,
          revision,
          eventId: event.eventId,
          type: event.type,
          occurredAt: new Date(event.occurredAt.getTime()),
          recordedAt,
          data,
          hash: createHash('sha256').update(data).digest('hex'),
        });
        this.log.streams.set(stream.streamId, revision);
        this.log.fingerprints.set(`${tenantId}\u0000${event.eventId}`, event.fingerprint);
        this.log.subjects.set(position, [...new Set(event.subjectIds)]);
        lastPosition = position;
      }
    }
    return { statuses, lastPosition };
  }

  private read<T>(query: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new EventStoreUnavailableError('event store is closed'));
    return Promise.resolve(query());
  }
}
