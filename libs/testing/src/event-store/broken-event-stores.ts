import type { ExpectedRevision, ReadAllOptions, RecordedEvent } from '@authtrail/event-store';
import { InMemoryEventStore } from './in-memory-event-store';

/*
 * Deliberately broken event stores. Each has one bug a real adapter could plausibly have;
 * the contract suite must fail on every one of them (see broken-event-stores.int-spec.ts).
 */

/** Treats every append as `any`: optimistic concurrency silently off. */
export class IgnoresExpectedRevisionEventStore extends InMemoryEventStore {
  protected override checkExpected(
    _streamId: string,
    _expected: ExpectedRevision,
    _current: number | null,
  ): void {}
}

/** Never finds an earlier event id, so re-sent events are stored again. */
export class StoresDuplicatesEventStore extends InMemoryEventStore {
  protected override knownFingerprint(): string | undefined {
    return undefined;
  }
}

/** Reads the log grouped by stream instead of in global order (an `ORDER BY stream_id, revision` bug). */
export class LosesOrderEventStore extends InMemoryEventStore {
  protected override readAllNow(options: ReadAllOptions): RecordedEvent[] {
    const matching = this.log.events.filter(
      (e) =>
        e.position > options.after &&
        (options.tenantId === undefined || e.tenantId === options.tenantId),
    );
    return [...matching]
      .sort((a, b) => a.streamId.localeCompare(b.streamId) || a.revision - b.revision)
      .slice(0, Math.max(0, options.limit));
  }
}

/** Ignores the tenant filter of readAll: one tenant reads another's events. */
export class LeaksTenantsEventStore extends InMemoryEventStore {
  protected override readAllNow(options: ReadAllOptions): RecordedEvent[] {
    return super.readAllNow({ after: options.after, limit: options.limit });
  }
}

/** Never checks append guards: an erasure recorded meanwhile goes unnoticed. */
export class IgnoresGuardsEventStore extends InMemoryEventStore {
  protected override checkGuards(): void {}
}

/**
 * Checks guards before waiting for its turn to write, like an adapter that reads the
 * guarded streams outside the write transaction: what commits in between goes unnoticed.
 */
export class ChecksGuardsOutsideTransactionEventStore extends InMemoryEventStore {
  override async append(
    ...args: Parameters<InMemoryEventStore['append']>
  ): ReturnType<InMemoryEventStore['append']> {
    const [tenantId, streams, options] = args;
    this.checkGuards(options?.guards ?? []);
    await new Promise((resolve) => setImmediate(resolve));
    return super.append(tenantId, streams);
  }
}

/** Every broken variant by name, for the suite's self-test. */
export const brokenEventStores = {
  'ignores expectedRevision': IgnoresExpectedRevisionEventStore,
  'stores duplicates': StoresDuplicatesEventStore,
  'loses global order': LosesOrderEventStore,
  'leaks tenants in readAll': LeaksTenantsEventStore,
  'ignores append guards': IgnoresGuardsEventStore,
  'checks guards outside the write': ChecksGuardsOutsideTransactionEventStore,
} as const;
