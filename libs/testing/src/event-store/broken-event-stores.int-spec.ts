import { brokenEventStores } from './broken-event-stores';
import { type EventStoreFactory, runEventStoreContract } from './event-store.contract';
import { InMemoryEventStore } from './in-memory-event-store';

const factoryOf =
  (Store: new () => InMemoryEventStore): EventStoreFactory =>
  async () => {
    const store = new Store();
    return { store, cleanup: () => store.close() };
  };

/** The case each bug must at least trip, so the suite is known to catch it for the right reason. */
const mustFail: Record<keyof typeof brokenEventStores, string[]> = {
  'ignores expectedRevision': [
    'expectedRevision no_stream creates a stream and refuses an existing one, storing nothing',
    'expectedRevision as a number appends only at exactly that revision',
    'concurrent appends expecting the same revision: exactly one wins',
  ],
  'stores duplicates': [
    'a re-sent event id with the same fingerprint is a duplicate and stores nothing new',
    'the same event id twice in one call is stored once',
    'an event id reused with other content in one call fails with its index and stores nothing',
  ],
  'loses global order': [
    'keeps one global order across streams, the order of the appends',
    'readAll pages with after and limit, and filters by tenant',
  ],
  'leaks tenants in readAll': [
    'idempotency is per tenant: one event id in two tenants is two events',
    'readAll pages with after and limit, and filters by tenant',
  ],
  'ignores append guards': [
    'a guard on a stream holding an excluded type refuses the whole call, naming each such stream, storing nothing',
    'a guarded append racing an append of the excluded type commits before it or is refused',
  ],
  'checks guards outside the write': [
    'a guarded append racing an append of the excluded type commits before it or is refused',
  ],
};

describe('the event store contract suite', () => {
  it('passes on the in-memory reference store the broken ones derive from', async () => {
    const results = await runEventStoreContract(factoryOf(InMemoryEventStore));
    expect(results.filter((r) => !r.passed).map((r) => `${r.name}: ${String(r.error)}`)).toEqual(
      [],
    );
    expect(results.length).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it.each(Object.entries(brokenEventStores))(
    'catches a store that %s',
    async (bug, Store) => {
      const results = await runEventStoreContract(factoryOf(Store));
      const failed = results.filter((r) => !r.passed).map((r) => r.name);
      expect(failed).toEqual(
        expect.arrayContaining(mustFail[bug as keyof typeof brokenEventStores]),
      );
    },
    60_000,
  );
});
