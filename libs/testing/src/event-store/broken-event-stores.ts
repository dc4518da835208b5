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

/** Every broken variant by name, for the suite's self-test. */
export const brokenEventStores = {
  'ignores expectedRevision': IgnoresExpectedRevisionEventStore,
  'stores duplicates': StoresDuplicatesEventStore,
  'loses global order': LosesOrderEventStore,
  'leaks tenants in readAll': LeaksTenantsEventStore,
} as const;
