import { createHash, randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import {
  EsdbEventStore,
  EventStoreUnavailableError,
  esdbEventId,
  type NewEvent,
  type RecordedEvent,
} from '@authtrail/event-store';
import { EsdbTestDouble } from './esdb-test-double';

// What the contract cannot see: crash repair, outages, retention metadata, and the
// vendor boundary — all through the real client against the test double.
const TENANT = 'acme';

function event(overrides: Partial<NewEvent> = {}): NewEvent {
  const data = Buffer.from(JSON.stringify({ n: randomUUID() }));
  return {
    eventId: randomUUID(),
    type: 'mfa.AuthenticationAttempted',
    fingerprint: createHash('sha256').update(data).digest('hex'),
    subjectIds: ['s-kim'],
    occurredAt: new Date('2026-11-20T09:14:03.120Z'),
    data,
    ...overrides,
  };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('EsdbEventStore against the test double', () => {
  let double: EsdbTestDouble;
  let store: EsdbEventStore;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    double = await EsdbTestDouble.start();
    store = EsdbEventStore.connect(double.connectionString, {
      reconnectInitialMs: 20,
      reconnectMaxMs: 100,
    });
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await store.close();
    await double.close();
  });

  it('reports log positions as the server does: far from 0, skipping system and index records', async () => {
    const result = await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [event()] },
    ]);
    expect(result.lastPosition).toBeGreaterThan(1_000_000);
    const all = await store.readAll({ after: 0, limit: 10 });
    expect(all.map((e) => e.streamId)).toEqual(['t-acme-mfa-kim']);
    // The server's log also holds its own records, our index streams and metadata.
    expect(double.records().some((r) => r.stream.startsWith('$'))).toBe(true);
    expect(double.records().some((r) => r.stream.startsWith('ix-event-'))).toBe(true);
    expect(await store.headPosition()).toBe(result.lastPosition);
  });

  it('finishes an append cut off after its claim (orphan claim) without storing twice', async () => {
    const e = event();
    // A crashed writer claimed revision 0 of the stream but never wrote the data.
    const raw = EventStoreDBClient.connectionString(double.connectionString);
    closers.push(() => raw.dispose());
    await raw.appendToStream(
      `ix-event-${TENANT}/${e.eventId}`,
      jsonEvent({
        type: 'authtrail.EventClaimed',
        data: { streamId: 't-acme-mfa-kim', revision: 0, fingerprint: e.fingerprint },
      }),
      { expectedRevision: 'no_stream' },
    );
    const retry = await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [e] },
    ]);
    expect(retry.statuses).toEqual(['appended']);
    const again = await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [{ ...e }] },
    ]);
    expect(again.statuses).toEqual(['duplicate']);
    const stored = double.records().filter((r) => r.id === esdbEventId(TENANT, e.eventId));
    expect(stored).toHaveLength(1);
  });

  it('two stores (two processes) racing on one event id store it once', async () => {
    const other = EsdbEventStore.connect(double.connectionString);
    closers.push(() => other.close());
    const e = event();
    const outcomes = await Promise.all([
      store.append(TENANT, [{ streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [e] }]),
      other.append(TENANT, [
        { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [{ ...e }] },
      ]),
    ]);
    expect(outcomes.map((o) => o.statuses[0]).sort()).toEqual(['appended', 'duplicate']);
    expect(await store.readStream('t-acme-mfa-kim')).toHaveLength(1);
  });

  it('takes a stream namespace from the connection string: stores sharing a server stay apart', async () => {
    const other = EsdbEventStore.connect(`${double.connectionString}&authtrailNamespace=run-2.`);
    closers.push(() => other.close());
    await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [event()] },
    ]);
    const mine = event();
    await other.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [mine] },
    ]);
    expect((await other.readAll({ after: 0, limit: 10 })).map((e) => e.eventId)).toEqual([
      mine.eventId,
    ]);
    expect(await other.readStream('t-acme-mfa-kim')).toMatchObject([
      { streamId: 't-acme-mfa-kim', eventId: mine.eventId },
    ]);
    expect(double.records().some((r) => r.stream === 'run-2.t-acme-mfa-kim')).toBe(true);
    expect(() =>
      EsdbEventStore.connect(`${double.connectionString}&authtrailNamespace=$x`),
    ).toThrow(EventStoreUnavailableError);
  });

  it('sets $maxAge per category on new data streams and none on decision streams', async () => {
    await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [event()] },
      { streamId: 't-acme-sspr-kim', expectedRevision: 'any', events: [event()] },
      { streamId: 't-acme-subject-kim', expectedRevision: 'no_stream', events: [event()] },
    ]);
    expect(double.metadataOf('t-acme-mfa-kim')).toEqual({ $maxAge: 90 * 86_400 });
    expect(double.metadataOf('t-acme-sspr-kim')).toEqual({ $maxAge: 365 * 86_400 });
    expect(double.metadataOf('t-acme-subject-kim')).toBeNull();
  });

  it('hides MFA events past 90 days from stream reads, as the server does', async () => {
    let now = Date.now();
    await double.close();
    double = await EsdbTestDouble.start({ now: () => now });
    await store.close();
    store = EsdbEventStore.connect(double.connectionString);
    await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [event()] },
    ]);
    now += 91 * 86_400_000;
    expect(await store.readStream('t-acme-mfa-kim')).toEqual([]);
  });

  it("appends to a stream whose events all expired, at the stream's next revision", async () => {
    let now = Date.now();
    await double.close();
    double = await EsdbTestDouble.start({ now: () => now });
    await store.close();
    store = EsdbEventStore.connect(double.connectionString);
    const first = [event(), event()];
    await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: first },
    ]);
    // Three months without a sign-in: the person's MFA stream reads empty.
    now += 91 * 86_400_000;
    expect(await store.streamRevision('t-acme-mfa-kim')).toBe(1);
    const later = event();
    const result = await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [later] },
    ]);
    expect(result.statuses).toEqual(['appended']);
    expect(await store.readStream('t-acme-mfa-kim')).toMatchObject([
      { eventId: later.eventId, revision: 2 },
    ]);
    // And idempotency still holds for it.
    const again = await store.append(TENANT, [
      { streamId: 't-acme-mfa-kim', expectedRevision: 'any', events: [later] },
    ]);
    expect(again.statuses).toEqual(['duplicate']);
  });

  it('a subscription rides out an outage: resumes after it without gaps or repeats', async () => {
    const received: RecordedEvent[] = [];
    const reconnects: unknown[] = [];
    await store.close();
    store = EsdbEventStore.connect(double.connectionString, {
      reconnectInitialMs: 20,
      reconnectMaxMs: 100,
      onReconnect: (error) => reconnects.push(error),
    });
    const append = (n: number) =>
      store.append(TENANT, [
        {
          streamId: 't-acme-mfa-kim',
          expectedRevision: 'any',
          events: Array.from({ length: n }, () => event()),
        },
      ]);
    await append(3);
    const subscription = store.subscribe({
      after: 0,
      batchSize: 2,
      handler: async (batch) => void received.push(...batch),
    });
    closers.push(() => subscription.close());
    await waitFor('the first events', () => received.length === 3);

    await double.stop();
    const during = await append(1).catch((e: unknown) => e);
    expect(during).toBeInstanceOf(EventStoreUnavailableError);
    await double.restart();
    await append(4);
    await waitFor('the events after the outage', () => received.length >= 7);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const log = await store.readAll({ after: 0, limit: 100 });
    expect(received.map((e) => e.position)).toEqual(log.map((e) => e.position));
    expect(log).toHaveLength(7);
    expect(reconnects.length).toBeGreaterThan(0);
  });

  it('translates an unreachable server into EventStoreUnavailableError', async () => {
    await double.stop();
    const failures = await Promise.all([
      store.readStream('t-acme-mfa-kim').catch((e: unknown) => e),
      store.headPosition().catch((e: unknown) => e),
      store
        .append(TENANT, [{ streamId: 't-acme-mfa-x', expectedRevision: 'any', events: [event()] }])
        .catch((e: unknown) => e),
    ]);
    for (const f of failures) expect(f).toBeInstanceOf(EventStoreUnavailableError);
  });
});
