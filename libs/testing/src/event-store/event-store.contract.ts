import { PRIVACY_EVENT } from '@authtrail/catalog';
import { createHash, randomUUID } from 'node:crypto';
import {
  type AppendResult,
  ConcurrencyError,
  type EventStore,
  EventStoreUnavailableError,
  GuardFailedError,
  IdempotencyConflictError,
  type NewEvent,
  type RecordedEvent,
} from '@authtrail/event-store';

/** A store under test and how to dispose of it. */
export interface EventStoreHarness {
  readonly store: EventStore;
  /**
   * Closes `store` if needed and opens the same storage again (a restart). Omit for an
   * adapter without durable storage; the cases that need it then check less.
   */
  readonly reopen?: () => Promise<EventStore>;
  /**
   * False for an adapter that cannot check append guards in the write's own transaction
   * (EventStoreDB: the port documents the window); the race case then checks less.
   */
  readonly atomicGuards?: boolean;
  /** Closes every store the harness opened and removes its files. */
  cleanup(): Promise<void>;
}

export type EventStoreFactory = () => Promise<EventStoreHarness>;

/** One behaviour of the port, runnable against any adapter. */
export interface EventStoreContractCase {
  readonly name: string;
  run(harness: EventStoreHarness): Promise<void>;
}

export interface EventStoreContractResult {
  readonly name: string;
  readonly passed: boolean;
  readonly error?: unknown;
}

const TENANT = 'acme';
const OTHER_TENANT = 'globex';
const OCCURRED_AT = new Date('2026-11-20T09:14:03.120Z');

let sequence = 0;

/** A test event; the fingerprint defaults to one derived from the data. */
function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  const data = overrides.data ?? Buffer.from(JSON.stringify({ n: ++sequence, note: 'ünïcode' }));
  return {
    eventId: randomUUID(),
    type: 'test.Happened',
    fingerprint: createHash('sha256').update(data).digest('hex'),
    subjectIds: [],
    occurredAt: OCCURRED_AT,
    ...overrides,
    data,
  };
}

const stream = (name: string): string => `t-${TENANT}-mfa-${name}`;
const lifecycle = (name: string): string => `t-${TENANT}-subject-${name}`;
const ERASED = PRIVACY_EVENT.erased;
const noErasure = (...names: string[]) => ({
  guards: names.map((n) => ({ streamId: lifecycle(n), withoutTypes: [ERASED] })),
});

async function appendOne(
  store: EventStore,
  streamId: string,
  events: NewEvent[],
  expectedRevision: 'any' | 'no_stream' | 'stream_exists' | number = 'any',
): Promise<AppendResult> {
  return store.append(TENANT, [{ streamId, expectedRevision, events }]);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function readEverything(store: EventStore, tenantId?: string): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: all.at(-1)?.position ?? 0, limit: 1000, tenantId });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

function expectStrictlyIncreasing(events: readonly RecordedEvent[]): void {
  for (let i = 1; i < events.length; i++)
    expect(events[i].position).toBeGreaterThan(events[i - 1].position);
}

const ids = (events: readonly { eventId: string }[]): string[] => events.map((e) => e.eventId);
const positions = (events: readonly RecordedEvent[]): number[] => events.map((e) => e.position);

/** Every case of the contract, in a list so a test can run them against a broken adapter. */
export const eventStoreContractCases: readonly EventStoreContractCase[] = [
  {
    name: 'stores the bytes verbatim with their SHA-256, type, times and ids',
    async run({ store }) {
      const data = Buffer.from([0x7b, 0x00, 0xff, 0xc3, 0xa9, 0x7d]);
      const event = newEvent({ data, type: 'sspr.PasswordResetByAdmin', subjectIds: ['s-1'] });
      const result = await appendOne(store, stream('a'), [event]);
      expect(result.statuses).toEqual(['appended']);

      const [read] = await store.readStream(stream('a'));
      expect(Buffer.from(read.data).equals(data)).toBe(true);
      expect(read.hash).toBe(createHash('sha256').update(data).digest('hex'));
      expect(read).toMatchObject({
        tenantId: TENANT,
        streamId: stream('a'),
        revision: 0,
        eventId: event.eventId,
        type: 'sspr.PasswordResetByAdmin',
      });
      expect(read.occurredAt.getTime()).toBe(OCCURRED_AT.getTime());
      expect(Number.isNaN(read.recordedAt.getTime())).toBe(false);
      expect(read.position).toBeGreaterThan(0);
      expect(result.lastPosition).toBe(read.position);

      const [fromLog] = await store.readAll({ after: 0, limit: 10 });
      expect(fromLog.position).toBe(read.position);
      expect(Buffer.from(fromLog.data).equals(data)).toBe(true);
      expect(fromLog.hash).toBe(read.hash);
    },
  },
  {
    name: 'numbers revisions from 0 in each stream and reads a stream from a revision',
    async run({ store }) {
      expect(await store.streamRevision(stream('a'))).toBeNull();
      expect(await store.readStream(stream('a'))).toEqual([]);
      await appendOne(store, stream('a'), [newEvent(), newEvent(), newEvent()]);
      await appendOne(store, stream('b'), [newEvent(), newEvent()]);
      await appendOne(store, stream('a'), [newEvent()]);

      expect((await store.readStream(stream('a'))).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      expect((await store.readStream(stream('b'))).map((e) => e.revision)).toEqual([0, 1]);
      expect(await store.streamRevision(stream('a'))).toBe(3);
      expect(await store.streamRevision(stream('b'))).toBe(1);
      expect(
        (await store.readStream(stream('a'), { fromRevision: 2 })).map((e) => e.revision),
      ).toEqual([2, 3]);
      expect(
        (await store.readStream(stream('a'), { fromRevision: 1, limit: 2 })).map((e) => e.revision),
      ).toEqual([1, 2]);
    },
  },
  {
    name: 'expectedRevision no_stream creates a stream and refuses an existing one, storing nothing',
    async run({ store }) {
      await appendOne(store, stream('a'), [newEvent()], 'no_stream');
      const head = await store.headPosition();
      const refused = newEvent();
      const error = await rejection(appendOne(store, stream('a'), [refused], 'no_stream'));
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: stream('a'), actual: 0 });
      expect(await store.headPosition()).toBe(head);
      expect(await store.streamRevision(stream('a'))).toBe(0);
      // The refused event id was not recorded either: it can be appended now.
      expect((await appendOne(store, stream('a'), [refused], 0)).statuses).toEqual(['appended']);
    },
  },
  {
    name: 'expectedRevision stream_exists refuses a missing stream and appends to an existing one',
    async run({ store }) {
      const error = await rejection(appendOne(store, stream('a'), [newEvent()], 'stream_exists'));
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: stream('a'), actual: null });
      expect(await store.headPosition()).toBe(0);
      expect(await store.streamRevision(stream('a'))).toBeNull();

      await appendOne(store, stream('a'), [newEvent()]);
      expect((await appendOne(store, stream('a'), [newEvent()], 'stream_exists')).statuses).toEqual(
        ['appended'],
      );
      expect(await store.streamRevision(stream('a'))).toBe(1);
    },
  },
  {
    name: 'expectedRevision as a number appends only at exactly that revision',
    async run({ store }) {
      expect(await rejection(appendOne(store, stream('a'), [newEvent()], 0))).toBeInstanceOf(
        ConcurrencyError,
      );
      await appendOne(store, stream('a'), [newEvent(), newEvent()]);
      const head = await store.headPosition();
      for (const stale of [0, 2, 5]) {
        const error = await rejection(appendOne(store, stream('a'), [newEvent()], stale));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ streamId: stream('a'), actual: 1 });
      }
      expect(await store.headPosition()).toBe(head);
      expect((await appendOne(store, stream('a'), [newEvent()], 1)).statuses).toEqual(['appended']);
      expect(await store.streamRevision(stream('a'))).toBe(2);
    },
  },
  {
    name: 'expectedRevision any appends to a new and to an existing stream',
    async run({ store }) {
      await appendOne(store, stream('a'), [newEvent()], 'any');
      await appendOne(store, stream('a'), [newEvent()], 'any');
      expect(await store.streamRevision(stream('a'))).toBe(1);
    },
  },
  {
    name: 'appends to several streams atomically',
    async run({ store }) {
      const a = [newEvent(), newEvent()];
      const b = [newEvent()];
      const ok = await store.append(TENANT, [
        { streamId: stream('a'), expectedRevision: 'no_stream', events: a },
        { streamId: stream('b'), expectedRevision: 'no_stream', events: b },
      ]);
      expect(ok.statuses).toEqual(['appended', 'appended', 'appended']);
      expect(ids(await readEverything(store))).toEqual(ids([...a, ...b]));

      const head = await store.headPosition();
      const error = await rejection(
        store.append(TENANT, [
          { streamId: stream('c'), expectedRevision: 'any', events: [newEvent()] },
          { streamId: stream('a'), expectedRevision: 'any', events: [newEvent()] },
          { streamId: stream('b'), expectedRevision: 7, events: [newEvent()] },
        ]),
      );
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: stream('b') });
      expect(await store.headPosition()).toBe(head);
      expect(await store.streamRevision(stream('c'))).toBeNull();
      expect(await store.streamRevision(stream('a'))).toBe(1);
    },
  },
  {
    name: 'a re-sent event id with the same fingerprint is a duplicate and stores nothing new',
    async run({ store }) {
      const first = newEvent();
      const firstResult = await appendOne(store, stream('a'), [first]);
      const second = newEvent();
      const retry = await appendOne(store, stream('a'), [{ ...first }, second]);
      expect(retry.statuses).toEqual(['duplicate', 'appended']);
      const all = await readEverything(store);
      expect(ids(all)).toEqual([first.eventId, second.eventId]);
      expect(retry.lastPosition).toBe(all[1].position);

      const again = await appendOne(store, stream('a'), [{ ...first }, { ...second }]);
      expect(again).toEqual({ statuses: ['duplicate', 'duplicate'], lastPosition: null });
      expect(await store.headPosition()).toBe(all[1].position);
      expect(firstResult.lastPosition).toBe(all[0].position);
      expect(await store.streamRevision(stream('a'))).toBe(1);
    },
  },
  {
    name: 'the same event id twice in one call is stored once',
    async run({ store }) {
      const event = newEvent();
      const other = newEvent();
      const result = await store.append(TENANT, [
        { streamId: stream('a'), expectedRevision: 'any', events: [event, other] },
        { streamId: stream('b'), expectedRevision: 'any', events: [{ ...event }] },
      ]);
      expect(result.statuses).toEqual(['appended', 'appended', 'duplicate']);
      expect(ids(await readEverything(store))).toEqual([event.eventId, other.eventId]);
      expect(await store.streamRevision(stream('b'))).toBeNull();
    },
  },
  {
    name: 'an event id reused with other content in one call fails with its index and stores nothing',
    async run({ store }) {
      const event = newEvent();
      const error = await rejection(
        store.append(TENANT, [
          { streamId: stream('a'), expectedRevision: 'any', events: [event, newEvent()] },
          {
            streamId: stream('b'),
            expectedRevision: 'any',
            events: [newEvent(), { ...event, fingerprint: 'other content' }],
          },
        ]),
      );
      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect((error as IdempotencyConflictError).indexes).toEqual([3]);
      expect(await store.headPosition()).toBe(0);
      expect(await store.streamRevision(stream('a'))).toBeNull();
    },
  },
  {
    name: 'an event id reused with other content across calls fails naming every index and stores nothing of the request',
    async run({ store }) {
      const x = newEvent();
      const y = newEvent();
      await appendOne(store, stream('a'), [x, y]);
      const head = await store.headPosition();
      const fresh = [newEvent(), newEvent(), newEvent()];
      const error = await rejection(
        store.append(TENANT, [
          {
            streamId: stream('a'),
            expectedRevision: 'any',
            events: [fresh[0], { ...x, fingerprint: 'changed' }],
          },
          {
            streamId: stream('b'),
            expectedRevision: 'any',
            events: [fresh[1], { ...y, fingerprint: 'changed' }, fresh[2]],
          },
        ]),
      );
      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect((error as IdempotencyConflictError).indexes).toEqual([1, 3]);
      expect(await store.headPosition()).toBe(head);
      expect(await store.streamRevision(stream('b'))).toBeNull();

      const fixed = await store.append(TENANT, [
        { streamId: stream('a'), expectedRevision: 'any', events: [fresh[0], x] },
        { streamId: stream('b'), expectedRevision: 'any', events: [fresh[1], y, fresh[2]] },
      ]);
      expect(fixed.statuses).toEqual([
        'appended',
        'duplicate',
        'appended',
        'duplicate',
        'appended',
      ]);
      expect(ids(await readEverything(store))).toEqual(ids([x, y, ...fresh]));
    },
  },
  {
    name: 'idempotency is per tenant: one event id in two tenants is two events',
    async run({ store }) {
      const eventId = randomUUID();
      const mine = await store.append(TENANT, [
        { streamId: stream('a'), expectedRevision: 'any', events: [newEvent({ eventId })] },
      ]);
      const theirs = await store.append(OTHER_TENANT, [
        {
          streamId: `t-${OTHER_TENANT}-mfa-a`,
          expectedRevision: 'any',
          events: [newEvent({ eventId, fingerprint: 'their content' })],
        },
      ]);
      expect(mine.statuses).toEqual(['appended']);
      expect(theirs.statuses).toEqual(['appended']);
      expect((await readEverything(store, TENANT)).map((e) => [e.tenantId, e.eventId])).toEqual([
        [TENANT, eventId],
      ]);
      expect(
        (await readEverything(store, OTHER_TENANT)).map((e) => [e.tenantId, e.eventId]),
      ).toEqual([[OTHER_TENANT, eventId]]);
    },
  },
  {
    name: 'a retry whose events are all stored is answered as duplicates even with a stale expected revision',
    async run({ store }) {
      const created = newEvent();
      await appendOne(store, stream('a'), [created], 'no_stream');
      await appendOne(store, stream('a'), [newEvent()], 0);
      const retry = await appendOne(store, stream('a'), [{ ...created }], 'no_stream');
      expect(retry).toEqual({ statuses: ['duplicate'], lastPosition: null });
      // With one new event the revision is checked again.
      expect(
        await rejection(appendOne(store, stream('a'), [{ ...created }, newEvent()], 'no_stream')),
      ).toBeInstanceOf(ConcurrencyError);
    },
  },
  {
    name: 'keeps one global order across streams, the order of the appends',
    async run({ store }) {
      const appended: NewEvent[] = [];
      const lastPositions: (number | null)[] = [];
      for (let i = 0; i < 30; i++) {
        const events = [newEvent(), newEvent()];
        appended.push(...events);
        lastPositions.push((await appendOne(store, stream(`s${i % 3}`), events)).lastPosition);
      }
      const all = await readEverything(store);
      expect(ids(all)).toEqual(ids(appended));
      expectStrictlyIncreasing(all);
      expect(lastPositions).toEqual(all.filter((_, i) => i % 2 === 1).map((e) => e.position));
    },
  },
  {
    name: 'readAll pages with after and limit, and filters by tenant',
    async run({ store }) {
      for (let i = 0; i < 25; i++) {
        const tenantId = i % 5 === 0 ? OTHER_TENANT : TENANT;
        await store.append(tenantId, [
          {
            streamId: `t-${tenantId}-mfa-s${i % 2}`,
            expectedRevision: 'any',
            events: [newEvent()],
          },
        ]);
      }
      const all = await store.readAll({ after: 0, limit: 100 });
      expect(all).toHaveLength(25);
      const pages: RecordedEvent[][] = [];
      let after = 0;
      for (;;) {
        const page = await store.readAll({ after, limit: 10 });
        if (page.length === 0) break;
        pages.push(page);
        after = page[page.length - 1].position;
      }
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      expect(positions(pages.flat())).toEqual(positions(all));
      expect(positions(await store.readAll({ after: all[9].position, limit: 3 }))).toEqual(
        positions(all.slice(10, 13)),
      );
      expect(await store.readAll({ after: all[24].position, limit: 10 })).toEqual([]);

      const theirs = all.filter((e) => e.tenantId === OTHER_TENANT);
      expect(
        positions(await store.readAll({ after: 0, limit: 100, tenantId: OTHER_TENANT })),
      ).toEqual(positions(theirs));
      const secondPage = await store.readAll({
        after: theirs[1].position,
        limit: 2,
        tenantId: OTHER_TENANT,
      });
      expect(positions(secondPage)).toEqual(positions(theirs.slice(2, 4)));
      expect(await store.readAll({ after: 0, limit: 10, tenantId: 'nobody' })).toEqual([]);
    },
  },
  {
    name: "readBySubject returns a tenant's events naming the subject, in log order",
    async run({ store }) {
      const kim = newEvent({ subjectIds: ['kim'] });
      const both = newEvent({ subjectIds: ['helpdesk', 'kim'] });
      const twice = newEvent({ subjectIds: ['kim', 'kim'] });
      const helpdesk = newEvent({ subjectIds: ['helpdesk'] });
      await appendOne(store, stream('kim'), [kim]);
      await appendOne(store, stream('helpdesk'), [helpdesk]);
      await appendOne(store, stream('kim'), [both, twice]);
      await store.append(OTHER_TENANT, [
        {
          streamId: `t-${OTHER_TENANT}-mfa-kim`,
          expectedRevision: 'any',
          events: [newEvent({ subjectIds: ['kim'] })],
        },
      ]);

      const forKim = await store.readBySubject(TENANT, 'kim');
      expect(ids(forKim)).toEqual(ids([kim, both, twice]));
      expectStrictlyIncreasing(forKim);
      expect(ids(await store.readBySubject(TENANT, 'helpdesk'))).toEqual(ids([helpdesk, both]));
      expect(await store.readBySubject(OTHER_TENANT, 'kim')).toHaveLength(1);
      expect(await store.readBySubject(TENANT, 'nobody')).toEqual([]);
    },
  },
  {
    name: 'headPosition is 0 on an empty store, then the newest position',
    async run({ store }) {
      expect(await store.headPosition()).toBe(0);
      const first = await appendOne(store, stream('a'), [newEvent(), newEvent()]);
      expect(await store.headPosition()).toBe(first.lastPosition);
      const second = await appendOne(store, stream('b'), [newEvent()]);
      expect(await store.headPosition()).toBe(second.lastPosition);
      expect(second.lastPosition).toBeGreaterThan(first.lastPosition!);
    },
  },
  {
    name: 'subscribe catches up from a position, then follows live appends in order without gaps or duplicates',
    async run({ store }) {
      for (let i = 0; i < 10; i++) await appendOne(store, stream(`s${i % 3}`), [newEvent()]);
      const history = await readEverything(store);
      const received: RecordedEvent[] = [];
      const batchSizes: number[] = [];
      let inFlight = 0;
      let overlapped = false;
      const subscription = store.subscribe({
        after: history[3].position,
        batchSize: 4,
        handler: async (batch) => {
          // One batch at a time, even where the store reads the next one ahead.
          overlapped ||= inFlight > 0;
          inFlight++;
          batchSizes.push(batch.length);
          received.push(...batch);
          await new Promise((resolve) => setTimeout(resolve, 2));
          inFlight--;
        },
      });
      try {
        await waitFor('the catch-up', () => received.length >= 6);
        expect(ids(received)).toEqual(ids(history.slice(4)));

        // Live appends, some of them concurrent, while the subscription follows.
        for (let i = 0; i < 5; i++) await appendOne(store, stream('live'), [newEvent()]);
        await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            appendOne(store, stream(`c${i}`), [newEvent(), newEvent()]),
          ),
        );
        const expected = (await readEverything(store)).slice(4);
        await waitFor('the live events', () => received.length >= expected.length);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(positions(received)).toEqual(positions(expected));
        expect(Math.max(...batchSizes)).toBeLessThanOrEqual(4);
        expect(overlapped).toBe(false);
      } finally {
        await subscription.close();
      }
    },
  },
  {
    name: 'a subscription resumed from its checkpoint continues without gaps or duplicates',
    async run({ store }) {
      for (let i = 0; i < 8; i++) await appendOne(store, stream('a'), [newEvent()]);
      const received: RecordedEvent[] = [];
      let checkpoint = 0;
      const first = store.subscribe({
        after: checkpoint,
        batchSize: 3,
        handler: async (batch) => {
          received.push(...batch);
          checkpoint = batch[batch.length - 1].position;
        },
      });
      await waitFor('the first subscription', () => received.length >= 8);
      await first.close();

      for (let i = 0; i < 7; i++) await appendOne(store, stream('b'), [newEvent()]);
      const second = store.subscribe({
        after: checkpoint,
        batchSize: 3,
        handler: async (batch) => {
          received.push(...batch);
          checkpoint = batch[batch.length - 1].position;
        },
      });
      try {
        await waitFor('the resumed subscription', () => received.length >= 15);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(positions(received)).toEqual(positions(await readEverything(store)));
      } finally {
        await second.close();
      }
    },
  },
  {
    name: 'a failing handler stops its subscription and reaches onError',
    async run({ store }) {
      await appendOne(store, stream('a'), [newEvent(), newEvent()]);
      const failure = new Error('projection failed');
      const errors: unknown[] = [];
      let calls = 0;
      const subscription = store.subscribe({
        after: 0,
        batchSize: 1,
        handler: async () => {
          calls++;
          throw failure;
        },
        onError: (error) => errors.push(error),
      });
      try {
        await waitFor('onError', () => errors.length > 0);
        await appendOne(store, stream('a'), [newEvent()]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(errors).toEqual([failure]);
        expect(calls).toBe(1);
      } finally {
        await subscription.close();
      }
    },
  },
  {
    name: 'closing a subscription waits for its running handler',
    async run({ store }) {
      await appendOne(store, stream('a'), [newEvent()]);
      let started = false;
      let finished = false;
      let release: () => void = () => undefined;
      const subscription = store.subscribe({
        after: 0,
        handler: async () => {
          started = true;
          await new Promise<void>((resolve) => (release = resolve));
          finished = true;
        },
      });
      await waitFor('the handler to start', () => started);
      const closing = subscription.close();
      let closed = false;
      void closing.then(() => (closed = true));
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(closed).toBe(false);
      release();
      await closing;
      expect(finished).toBe(true);
    },
  },
  {
    name: '50 concurrent appends each land exactly once, in one consistent order',
    async run({ store }) {
      const requests = Array.from({ length: 50 }, (_, i) => ({
        streamId: stream(`s${i % 7}`),
        events: [newEvent(), newEvent(), newEvent()],
      }));
      const results = await Promise.all(
        requests.map((r) => appendOne(store, r.streamId, r.events)),
      );
      const all = await readEverything(store);
      expect(all).toHaveLength(150);
      expect(new Set(ids(all)).size).toBe(150);
      expect([...ids(all)].sort()).toEqual(ids(requests.flatMap((r) => r.events)).sort());
      expectStrictlyIncreasing(all);
      // Each request's events are contiguous in the log and end at its reported position.
      results.forEach((result, i) => {
        expect(result.statuses).toEqual(['appended', 'appended', 'appended']);
        const at = all.findIndex((e) => e.eventId === requests[i].events[0].eventId);
        expect(ids(all.slice(at, at + 3))).toEqual(ids(requests[i].events));
        expect(result.lastPosition).toBe(all[at + 2].position);
      });
      for (let s = 0; s < 7; s++) {
        const revisions = (await store.readStream(stream(`s${s}`))).map((e) => e.revision);
        expect(revisions).toEqual(revisions.map((_, i) => i));
      }
    },
  },
  {
    name: 'concurrent appends expecting the same revision: exactly one wins',
    async run({ store }) {
      await appendOne(store, stream('a'), [newEvent()], 'no_stream');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, () => appendOne(store, stream('a'), [newEvent()], 0)),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes)
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConcurrencyError);
      expect(await store.streamRevision(stream('a'))).toBe(1);
      expect(await store.headPosition()).toBe((await readEverything(store)).at(-1)!.position);
      expect(await readEverything(store)).toHaveLength(2);
    },
  },
  {
    name: 'a guard passes while its stream is missing or holds none of the excluded types',
    async run({ store }) {
      await appendOne(store, lifecycle('kim'), [newEvent({ type: 'test.SubjectHeld' })]);
      const result = await store.append(
        TENANT,
        [{ streamId: stream('kim'), expectedRevision: 'any', events: [newEvent(), newEvent()] }],
        noErasure('kim', 'new-person'),
      );
      expect(result.statuses).toEqual(['appended', 'appended']);
      expect(await store.streamRevision(stream('kim'))).toBe(1);
      // A guard reads; it never creates the stream it guards.
      expect(await store.streamRevision(lifecycle('new-person'))).toBeNull();
    },
  },
  {
    name: 'a guard on a stream holding an excluded type refuses the whole call, naming each such stream, storing nothing',
    async run({ store }) {
      const stored = newEvent();
      await appendOne(store, stream('kim'), [stored]);
      await appendOne(store, lifecycle('kim'), [newEvent({ type: ERASED })]);
      await appendOne(store, lifecycle('lee'), [newEvent({ type: ERASED })]);
      const head = await store.headPosition();
      const error = await rejection(
        store.append(
          TENANT,
          [
            { streamId: stream('ann'), expectedRevision: 'any', events: [newEvent()] },
            { streamId: stream('kim'), expectedRevision: 'any', events: [newEvent()] },
          ],
          noErasure('ann', 'kim', 'lee'),
        ),
      );
      expect(error).toBeInstanceOf(GuardFailedError);
      expect([...(error as GuardFailedError).streamIds].sort()).toEqual([
        lifecycle('kim'),
        lifecycle('lee'),
      ]);
      expect((error as GuardFailedError).retriable).toBe(true);
      expect(await store.headPosition()).toBe(head);
      expect(await store.streamRevision(stream('ann'))).toBeNull();
      // A re-sent stored event is refused too: the guard does not depend on duplicates.
      expect(
        await rejection(
          store.append(
            TENANT,
            [{ streamId: stream('kim'), expectedRevision: 'any', events: [{ ...stored }] }],
            noErasure('kim'),
          ),
        ),
      ).toBeInstanceOf(GuardFailedError);
      // Without the guard, the same append goes through.
      expect((await appendOne(store, stream('ann'), [newEvent()])).statuses).toEqual(['appended']);
    },
  },
  {
    name: 'a guarded append racing an append of the excluded type commits before it or is refused',
    async run({ store, atomicGuards }) {
      for (let i = 0; i < 40; i++) {
        const person = `p${i}`;
        const fact = newEvent();
        const erasure = newEvent({ type: ERASED });
        const guarded = (): Promise<unknown> =>
          store.append(
            TENANT,
            [{ streamId: stream(person), expectedRevision: 'any', events: [fact] }],
            noErasure(person),
          );
        const erase = (): Promise<unknown> =>
          appendOne(store, lifecycle(person), [erasure], 'no_stream');
        // Both orders of issue, in the same turn of the event loop.
        const [first, second] = i % 2 === 0 ? [guarded, erase] : [erase, guarded];
        const outcomes = await Promise.allSettled([first(), second()]);
        const factOutcome = outcomes[i % 2 === 0 ? 0 : 1];
        expect(outcomes[i % 2 === 0 ? 1 : 0].status).toBe('fulfilled');
        const [erased] = await store.readStream(lifecycle(person));
        const [landed] = await store.readStream(stream(person));
        if (factOutcome.status === 'rejected') {
          expect(factOutcome.reason).toBeInstanceOf(GuardFailedError);
          expect(landed).toBeUndefined();
        } else if (atomicGuards !== false) {
          expect(landed.position).toBeLessThan(erased.position);
        }
      }
    },
  },
  {
    name: 'close finishes in-flight appends; later appends fail as unavailable',
    async run({ store, reopen }) {
      const requests = Array.from({ length: 20 }, (_, i) => ({
        streamId: stream(`s${i % 4}`),
        events: [newEvent()],
      }));
      const inFlight = requests.map((r) => appendOne(store, r.streamId, r.events));
      await store.close();
      const results = await Promise.all(inFlight);
      expect(results.every((r) => r.statuses[0] === 'appended')).toBe(true);
      expect(await rejection(appendOne(store, stream('late'), [newEvent()]))).toBeInstanceOf(
        EventStoreUnavailableError,
      );
      if (reopen) {
        const reopened = await reopen();
        const all = await readEverything(reopened);
        expect([...ids(all)].sort()).toEqual(ids(requests.flatMap((r) => r.events)).sort());
      }
    },
  },
];

async function runCase(
  testCase: EventStoreContractCase,
  factory: EventStoreFactory,
): Promise<void> {
  const harness = await factory();
  try {
    await testCase.run(harness);
  } finally {
    await harness.cleanup();
  }
}

/**
 * Registers the event store contract as jest tests: every adapter runs this one suite
 * (`eventStoreContract('sqlite', async () => …)`). Each case gets a fresh store.
 */
export function eventStoreContract(name: string, factory: EventStoreFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    for (const testCase of eventStoreContractCases) {
      it(testCase.name, () => runCase(testCase, factory), 20_000);
    }
  });
}

/** Runs the contract outside `it` and reports each case, so a test can prove the suite catches a broken adapter. */
export async function runEventStoreContract(
  factory: EventStoreFactory,
  cases: readonly EventStoreContractCase[] = eventStoreContractCases,
): Promise<EventStoreContractResult[]> {
  const results: EventStoreContractResult[] = [];
  for (const testCase of cases) {
    try {
      await runCase(testCase, factory);
      results.push({ name: testCase.name, passed: true });
    } catch (error) {
      results.push({ name: testCase.name, passed: false, error });
    }
  }
  return results;
}
