import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRIVACY_EVENT } from '@authtrail/catalog';
import { AppError } from '@authtrail/platform';
import { eventStoreContract } from '@authtrail/testing';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  IdempotencyConflictError,
  type NewEvent,
  type RecordedEvent,
} from '@authtrail/event-store';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store.adapter';
import {
  SQLITE_EVENT_STORE_SCHEMA_VERSION,
  migrateSqliteEventStore,
} from './sqlite-event-store.schema';
import { eventKey } from './sqlite-event-key';
import { newEvent } from '../../testing/new-event';

function tempFile(): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-es-'));
  return {
    file: join(dir, 'events.db'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

eventStoreContract('sqlite file', async () => {
  const { file, remove } = tempFile();
  const opened = [SqliteEventStore.open(file)];
  return {
    store: opened[0],
    reopen: async () => {
      await opened[opened.length - 1].close();
      opened.push(SqliteEventStore.open(file));
      return opened[opened.length - 1];
    },
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
      remove();
    },
  };
});

eventStoreContract('sqlite file, committing on the caller thread', async () => {
  const { file, remove } = tempFile();
  const store = SqliteEventStore.open(file, { writerThread: false });
  return {
    store,
    cleanup: async () => {
      await store.close();
      remove();
    },
  };
});

eventStoreContract('sqlite :memory:', async () => {
  const store = SqliteEventStore.open(':memory:');
  return { store, cleanup: () => store.close() };
});

const event = newEvent;

describe('SqliteEventStore', () => {
  let file: string;
  let remove: () => void;
  const stores: SqliteEventStore[] = [];
  const open = (options?: SqliteEventStoreOptions): SqliteEventStore => {
    const store = SqliteEventStore.open(file, options);
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    ({ file, remove } = tempFile());
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    remove();
  });

  it('keeps acknowledged appends across a reopen of the file', async () => {
    const first = open();
    const events = [event(), event({ data: Buffer.from([0, 1, 2, 255]) })];
    await first.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'no_stream', events },
    ]);
    await first.close();

    const second = open();
    const read = await second.readStream('t-acme-mfa-s-kim');
    expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(Buffer.from(read[1].data)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await second.streamRevision('t-acme-mfa-s-kim')).toBe(1);
    // Idempotency survives the restart too.
    const retry = await second.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [events[0]] },
    ]);
    expect(retry.statuses).toEqual(['duplicate']);
  });

  it('keeps a 32-byte digest of each fingerprint in its event row and an 8-byte key per event in the index', async () => {
    const store = open();
    const fresh = event();
    await store.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [fresh] },
    ]);
    const raw = new Database(file);
    try {
      const stored = raw
        .prepare('SELECT fingerprint FROM events WHERE event_id = ?')
        .pluck()
        .get(fresh.eventId) as Buffer;
      expect(Buffer.isBuffer(stored) && stored.length).toBe(32);
      expect(raw.prepare('SELECT key, position FROM event_keys').safeIntegers().all()).toEqual([
        { key: eventKey('acme', fresh.eventId), position: 1n },
      ]);
      // Another id whose key leads to this row too (a collision, as if crafted): the event
      // row decides, so neither is taken for the other.
      const twin = event();
      raw
        .prepare('INSERT INTO event_keys (key, position) VALUES (?, 1)')
        .run(eventKey('acme', twin.eventId));
      const stream = (e: NewEvent) => [
        { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any' as const, events: [e] },
      ];
      expect((await store.append('acme', stream(fresh))).statuses).toEqual(['duplicate']);
      expect((await store.append('acme', stream(twin))).statuses).toEqual(['appended']);
      await expect(
        store.append('acme', stream({ ...fresh, fingerprint: 'other' })),
      ).rejects.toMatchObject({ indexes: [0] });
    } finally {
      raw.close();
    }
  });

  it('migrates a file of schema 2 (event_ids) in place: the fingerprints it holds, digests or text, still decide', async () => {
    const legacy = { digest: event(), text: event() };
    const old = new Database(file);
    try {
      migrateSqliteEventStore(old, 2);
      const insert = old.prepare(
        "INSERT INTO events (tenant_id, stream_id, revision, event_id, type, occurred_at, recorded_at, data, hash) VALUES ('acme', 't-acme-mfa-s-lee', ?, ?, 'mfa.AuthenticationAttempted', 0, 0, x'00', 'h')",
      );
      const insertId = old.prepare(
        "INSERT INTO event_ids (tenant_id, event_id, fingerprint, position) SELECT 'acme', event_id, ?, position FROM events WHERE event_id = ?",
      );
      insert.run(0, legacy.digest.eventId);
      insertId.run(
        createHash('sha256').update(legacy.digest.fingerprint).digest(),
        legacy.digest.eventId,
      );
      // As releases before the digest wrote it: the fingerprint text itself.
      insert.run(1, legacy.text.eventId);
      insertId.run(legacy.text.fingerprint, legacy.text.eventId);
      old.prepare("INSERT INTO streams (stream_id, revision) VALUES ('t-acme-mfa-s-lee', 1)").run();
    } finally {
      old.close();
    }

    const store = open();
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_EVENT_STORE_SCHEMA_VERSION);
      expect(
        raw.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'event_ids'").pluck().get(),
      ).toBe(0);
      expect(raw.prepare('SELECT count(*) FROM event_keys').pluck().get()).toBe(2);
    } finally {
      raw.close();
    }
    const stream = (e: NewEvent) => [
      { streamId: 't-acme-mfa-s-lee', expectedRevision: 'any' as const, events: [e] },
    ];
    for (const e of [legacy.digest, legacy.text]) {
      expect((await store.append('acme', stream(e))).statuses).toEqual(['duplicate']);
      await expect(
        store.append('acme', stream({ ...e, fingerprint: 'other' })),
      ).rejects.toBeInstanceOf(IdempotencyConflictError);
    }
    const next = event();
    expect((await store.append('acme', stream(next))).statuses).toEqual(['appended']);
    expect(
      (await store.readStream('t-acme-mfa-s-lee')).map((e) => [e.revision, e.eventId]),
    ).toEqual([
      [0, legacy.digest.eventId],
      [1, legacy.text.eventId],
      [2, next.eventId],
    ]);
  });

  it('refuses UPDATE and DELETE issued directly in SQL, and changes nothing', async () => {
    const store = open();
    // An admin named besides the person of the stream: a subject-index row to attack too.
    const both = { subjectIds: ['s-kim', 'helpdesk'] };
    await store.append('acme', [
      {
        streamId: 't-acme-mfa-s-kim',
        expectedRevision: 'any',
        events: [event(both), event(both)],
      },
    ]);
    const before = await store.readAll({ after: 0, limit: 10 });

    const raw = new Database(file);
    try {
      const attempts = [
        "UPDATE events SET data = x'00' WHERE position = 1",
        "UPDATE events SET hash = 'forged'",
        'DELETE FROM events WHERE position = 2',
        'DELETE FROM events',
        "UPDATE events SET fingerprint = x'00'",
        'UPDATE event_keys SET key = 0',
        'DELETE FROM event_keys',
        "UPDATE event_subjects SET subject_id = 'someone-else'",
        'DELETE FROM event_subjects',
      ];
      for (const sql of attempts) expect(() => raw.exec(sql)).toThrow(/append-only/);
    } finally {
      raw.close();
    }

    const after = await store.readAll({ after: 0, limit: 10 });
    expect(after).toEqual(before);
    expect((await store.readBySubject('acme', 's-kim')).map((e) => e.position)).toEqual(
      before.map((e) => e.position),
    );
  });

  it('lets a delete through only while the retention guard is held inside its transaction', async () => {
    const store = open();
    await store.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] },
    ]);
    const raw = new Database(file);
    try {
      // The future retention job's shape: guard, delete index rows then events, unguard, all in one transaction.
      raw.transaction(() => {
        raw.exec("INSERT INTO retention_guard (reason) VALUES ('retention')");
        raw.exec('DELETE FROM event_subjects; DELETE FROM event_keys; DELETE FROM events');
        raw.exec('DELETE FROM retention_guard');
      })();
      raw.exec(
        "INSERT INTO events (tenant_id, stream_id, revision, event_id, type, occurred_at, recorded_at, data, hash) VALUES ('acme', 'x', 0, 'e', 't', 0, 0, x'00', 'h')",
      );
      expect(() => raw.exec('DELETE FROM events')).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  });

  it('commits concurrent appends in far fewer transactions than requests', async () => {
    const store = open();
    const before = store.stats();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.append('acme', [
          { streamId: `t-acme-mfa-s${i}`, expectedRevision: 'no_stream', events: [event()] },
        ]),
      ),
    );
    const after = store.stats();
    expect(results.every((r) => r.statuses[0] === 'appended')).toBe(true);
    expect(after.appendedEvents - before.appendedEvents).toBe(100);
    expect(after.appendRequests - before.appendRequests).toBe(100);
    expect(after.commits - before.commits).toBeLessThanOrEqual(5);
    expect(await store.headPosition()).toBe(100);
  });

  it('splits a long queue into groups of at most maxGroupEvents', async () => {
    const store = open({ maxGroupEvents: 10 });
    await Promise.all(
      Array.from({ length: 100 }, () =>
        store.append('acme', [
          { streamId: 't-acme-mfa-s', expectedRevision: 'any', events: [event()] },
        ]),
      ),
    );
    expect(store.stats().commits).toBe(10);
    expect((await store.readStream('t-acme-mfa-s')).map((e) => e.revision)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('fails only the offending requests of a group, and the rest commit together', async () => {
    const store = open();
    const existing = event();
    await store.append('acme', [
      { streamId: 't-acme-mfa-a', expectedRevision: 'no_stream', events: [existing] },
    ]);
    const commits = store.stats().commits;

    const ok1 = event();
    const ok2 = event();
    const outcomes = await Promise.allSettled([
      store.append('acme', [{ streamId: 't-acme-mfa-b', expectedRevision: 'any', events: [ok1] }]),
      store.append('acme', [
        { streamId: 't-acme-mfa-a', expectedRevision: 'no_stream', events: [event()] },
      ]),
      store.append('acme', [
        {
          streamId: 't-acme-mfa-c',
          expectedRevision: 'any',
          events: [event(), { ...existing, fingerprint: 'changed' }],
        },
      ]),
      store.append('acme', [{ streamId: 't-acme-mfa-b', expectedRevision: 0, events: [ok2] }]),
      store.append('acme', [
        {
          streamId: '',
          expectedRevision: 'any',
          events: [event({ occurredAt: new Date(Number.NaN) })],
        },
      ]),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    const reasons = outcomes.map((o) =>
      o.status === 'rejected' ? (o.reason as unknown) : undefined,
    );
    expect(reasons[1]).toBeInstanceOf(ConcurrencyError);
    expect(reasons[2]).toBeInstanceOf(IdempotencyConflictError);
    expect((reasons[2] as IdempotencyConflictError).indexes).toEqual([1]);
    expect(reasons[4]).toBeInstanceOf(AppError);
    expect((reasons[4] as AppError).code).toBe('EVENT_STORE.INVALID_APPEND');
    expect((reasons[4] as AppError).errors.map((e) => e.path)).toEqual([
      '/streams/0/streamId',
      '/occurredAt',
    ]);
    expect(store.stats().commits - commits).toBe(1);
    const all = await store.readAll({ after: 0, limit: 10 });
    expect(all.map((e) => e.eventId)).toEqual([existing.eventId, ok1.eventId, ok2.eventId]);
    expect(await store.streamRevision('t-acme-mfa-c')).toBeNull();
  });

  it('commits on its own thread: the event loop runs while a large group is written', async () => {
    const store = open();
    const big = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        streamId: `t-acme-mfa-s-${i}`,
        expectedRevision: 'any' as const,
        events: [event({ data: Buffer.alloc(2000, i % 251) })],
      }));
    await store.append('acme', big(10)); // the thread is up
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await store.append('acme', big(5000));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // On the caller's thread the loop would be stopped for the whole commit: no tick at all.
    expect(ticks).toBeGreaterThan(Math.min(5, elapsed / 20));
    expect(await store.headPosition()).toBe(5010);
  });

  it('fails the group when its writer thread dies, and appends again on a new thread', async () => {
    const store = open();
    await store.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] },
    ]);
    const writer = (store as unknown as { writer: { worker: { terminate(): Promise<number> } } })
      .writer;
    const pending = store.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] },
    ]);
    void writer.worker.terminate();
    await pending.then(
      () => undefined, // committed before the thread died: fine too
      (e: unknown) => expect(e).toMatchObject({ code: 'EVENT_STORE.UNAVAILABLE' }),
    );
    const after = await store.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] },
    ]);
    expect(after.statuses).toEqual(['appended']);
  });

  it('a lingering subscription woken from idle reads the commits of a short window as one batch', async () => {
    const store = open();
    const batches: number[] = [];
    const sub = store.subscribe({
      after: 0,
      lingerMs: 300,
      handler: async (events) => {
        batches.push(events.length);
      },
    });
    await new Promise((r) => setTimeout(r, 50)); // caught up (empty log) and idle
    // A burst: five commits within a few ms, the first of which wakes it.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        store.append('acme', [
          { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] },
        ]),
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
    await sub.close();
    expect(batches).toEqual([5]);
  });

  it('after a quiet spell the first commit is read at once, not a linger later; the next waits out the linger', async () => {
    const store = open();
    const delivered: number[] = [];
    let first: () => void = () => undefined;
    let second: () => void = () => undefined;
    const firstDone = new Promise<void>((r) => (first = r));
    const secondDone = new Promise<void>((r) => (second = r));
    const sub = store.subscribe({
      after: 0,
      batchSize: 1000,
      lingerMs: 2000,
      handler: async () => {
        delivered.push(performance.now());
        (delivered.length === 1 ? first : second)();
      },
    });
    // Longer idle than the poll interval: the empty polls do not count as deliveries.
    await new Promise((r) => setTimeout(r, 400));
    const appendedAt = performance.now();
    await store.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] },
    ]);
    await firstDone;
    // Read within the gathering window (100 ms), not 2 s later (an erasure must reach the
    // read model promptly).
    expect(delivered[0] - appendedAt).toBeLessThan(1000);
    await store.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] },
    ]);
    await secondDone;
    await sub.close();
    // One event of 1000 barely shortens the linger: the second waits it out.
    expect(delivered[1] - delivered[0]).toBeGreaterThanOrEqual(2000 * (1 - 1 / 1000) - 5);
  });

  it('under a steady trickle, a lingering subscription reads at most once per linger', async () => {
    const store = open();
    const reads: number[] = [];
    const sizes: number[] = [];
    const sub = store.subscribe({
      after: 0,
      lingerMs: 200,
      batchSize: 1000,
      handler: async (events) => {
        reads.push(performance.now());
        sizes.push(events.length);
        // A follower's work (opening sealed fields, building rows) holds the thread a while,
        // and the writer thread commits meanwhile; then its downstream write is awaited.
        const busyUntil = performance.now() + 20;
        while (performance.now() < busyUntil);
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    // An event every millisecond or so for 1.2 s, as single-event requests would: without
    // the rule the read made as a batch is handed over would get the next event or two,
    // and the follower would write one small batch after the other.
    const until = performance.now() + 1200;
    let appended = 0;
    while (performance.now() < until) {
      await store.append('acme', [
        { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] },
      ]);
      appended++;
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 500));
    await sub.close();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(appended);
    // ~1.2 s / 200 ms: a handful of reads, each 200 ms after the one before less the share
    // of its 1000 the last read filled (a few hundred at most; timer slack 5 ms).
    expect(reads.length).toBeLessThanOrEqual(9);
    for (let i = 1; i < reads.length; i++)
      expect(reads[i] - reads[i - 1]).toBeGreaterThanOrEqual(200 * (1 - sizes[i - 1] / 1000) - 5);
    expect(Math.min(...sizes.slice(0, -1))).toBeLessThan(1000);
  });

  it('the fuller a lingering read, the sooner the next: a busy log is not held a whole linger', async () => {
    const store = open();
    const reads: number[] = [];
    const sizes: number[] = [];
    const append = (n: number) =>
      store.append('acme', [
        {
          streamId: 't-acme-mfa-s-kim',
          expectedRevision: 'any',
          events: Array.from({ length: n }, () => event()),
        },
      ]);
    await append(90);
    let second: () => void = () => undefined;
    const done = new Promise<void>((r) => (second = r));
    const sub = store.subscribe({
      after: 0,
      batchSize: 100,
      lingerMs: 1000,
      handler: async (events) => {
        reads.push(performance.now());
        sizes.push(events.length);
        if (reads.length === 1) await append(80);
        else second();
      },
    });
    await done;
    await sub.close();
    // 90 of 100: the next read a tenth of the linger later, not a whole one.
    expect(sizes).toEqual([90, 80]);
    expect(reads[1] - reads[0]).toBeGreaterThanOrEqual(95);
    expect(reads[1] - reads[0]).toBeLessThan(600);
  });

  describe('a prompt commit (an erasure) is read within the gathering window, not a linger later', () => {
    const LINGER = 3000;
    const append = (store: SqliteEventStore, prompt: boolean) =>
      store.append(
        'acme',
        [{ streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [event()] }],
        { prompt },
      );
    /** Subscribes with a long linger; resolves the time of each delivery as it comes. */
    const follow = (store: SqliteEventStore, onDelivery?: (n: number) => Promise<void>) => {
      const deliveries: { at: number; size: number }[] = [];
      const waiters: (() => void)[] = [];
      const sub = store.subscribe({
        after: 0,
        batchSize: 1000,
        lingerMs: LINGER,
        handler: async (events) => {
          deliveries.push({ at: performance.now(), size: events.length });
          await onDelivery?.(deliveries.length);
          waiters.shift()?.();
        },
      });
      const next = () => new Promise<void>((r) => waiters.push(r));
      return { sub, deliveries, next };
    };

    it('appended while it waits out its linger', async () => {
      const store = open();
      const f = follow(store);
      await new Promise((r) => setTimeout(r, 50));
      let delivered = f.next();
      await append(store, false);
      await delivered; // the first read after idle; the next would be 3 s later
      delivered = f.next();
      await new Promise((r) => setTimeout(r, 200));
      const promptAt = performance.now();
      await append(store, true);
      await delivered;
      await f.sub.close();
      expect(f.deliveries.map((d) => d.size)).toEqual([1, 1]);
      // The gathering window is 100 ms; a linger is 3 s.
      expect(f.deliveries[1].at - promptAt).toBeLessThan(1000);
    });

    it('appended while the handler runs (between two reads)', async () => {
      const store = open();
      let promptAt = 0;
      const f = follow(store, async (n) => {
        if (n !== 1) return;
        promptAt = performance.now();
        await append(store, true);
      });
      await new Promise((r) => setTimeout(r, 50));
      const delivered = f.next().then(() => f.next());
      await append(store, false);
      await delivered;
      await f.sub.close();
      expect(f.deliveries.map((d) => d.size)).toEqual([1, 1]);
      expect(f.deliveries[1].at - promptAt).toBeLessThan(1000);
    });

    it("appended by another store on the same file (the workers' thread hears it too)", async () => {
      const follower = open();
      const writer = open();
      const f = follow(follower);
      await new Promise((r) => setTimeout(r, 50));
      let delivered = f.next();
      await append(writer, false);
      await delivered; // woken by the other store's commit (or its poll)
      delivered = f.next();
      await new Promise((r) => setTimeout(r, 200));
      const promptAt = performance.now();
      await append(writer, true);
      await delivered;
      await f.sub.close();
      expect(f.deliveries[1].at - promptAt).toBeLessThan(1000);
    });

    it('appended after the read made ahead while the handler ran (catching up), not a poll later', async () => {
      // A poll of 5 s: only the commit's own signal can explain a prompt read.
      const store = open({ pollIntervalMs: 5000 });
      await append(store, false);
      await append(store, false);
      let promptAt = 0;
      const deliveries: number[] = [];
      let delivered: () => void = () => undefined;
      const second = new Promise<void>((r) => (delivered = r));
      const sub = store.subscribe({
        after: 0,
        batchSize: 2,
        lingerMs: LINGER,
        handler: async () => {
          deliveries.push(performance.now());
          if (deliveries.length === 1) {
            // The full batch is read ahead (and found empty) while this handler runs;
            // the prompt commit lands after that read.
            await new Promise((r) => setTimeout(r, 30));
            promptAt = performance.now();
            await append(store, true);
          } else delivered();
        },
      });
      await second;
      await sub.close();
      expect(deliveries[1] - promptAt).toBeLessThan(1000);
    });

    it('an ordinary commit still waits out the linger (the test above can fail)', async () => {
      const store = open();
      const f = follow(store);
      await new Promise((r) => setTimeout(r, 50));
      let delivered = f.next();
      await append(store, false);
      await delivered;
      const firstAt = f.deliveries[0].at;
      delivered = f.next();
      await new Promise((r) => setTimeout(r, 200));
      await append(store, false);
      await delivered;
      await f.sub.close();
      expect(f.deliveries[1].at - firstAt).toBeGreaterThanOrEqual(LINGER * (1 - 1 / 1000) - 5);
    });
  });

  it('a lingering subscription catching up reads full batches back to back', async () => {
    const store = open();
    for (let i = 0; i < 5; i++)
      await store.append('acme', [
        {
          streamId: 't-acme-mfa-s-kim',
          expectedRevision: 'any',
          events: Array.from({ length: 100 }, () => event()),
        },
      ]);
    let delivered = 0;
    let caughtUp: () => void = () => undefined;
    const done = new Promise<void>((r) => (caughtUp = r));
    const t0 = performance.now();
    const sub = store.subscribe({
      after: 0,
      batchSize: 100,
      lingerMs: 1000,
      handler: async (events) => {
        delivered += events.length;
        if (delivered === 500) caughtUp();
      },
    });
    await done;
    const elapsed = performance.now() - t0;
    await sub.close();
    // Five full batches: no linger between them (one would take ≥ 1 s each).
    expect(elapsed).toBeLessThan(900);
  });

  it('indexes only the people an event names outside their own data stream, and still reads every event of a person', async () => {
    const store = open();
    const own = event({ subjectIds: ['s-kim'] });
    const byAdmin = event({ subjectIds: ['s-admin', 's-kim'] });
    const lifecycle = event({ type: PRIVACY_EVENT.legalHoldPlaced, subjectIds: ['s-kim'] });
    await store.append('acme', [
      { streamId: 't-acme-mfa-s-kim', expectedRevision: 'any', events: [own] },
      { streamId: 't-acme-sspr-s-kim', expectedRevision: 'any', events: [byAdmin] },
      { streamId: 't-acme-subject-s-kim', expectedRevision: 'any', events: [lifecycle] },
    ]);
    // Another tenant's person with the same subject id.
    await store.append('other', [
      { streamId: 't-other-mfa-s-kim', expectedRevision: 'any', events: [event()] },
    ]);
    const raw = new Database(file);
    try {
      const rows = raw
        .prepare('SELECT tenant_id, subject_id, position FROM event_subjects ORDER BY position')
        .all() as { tenant_id: string; subject_id: string; position: number }[];
      // The admin of the reset and the lifecycle event (another stream): two rows, where
      // each event used to write one per person it names.
      expect(rows.map((r) => [r.subject_id, r.position])).toEqual([
        ['s-admin', 2],
        ['s-kim', 3],
      ]);
      // A row as releases before this rule wrote it for an event in the person's own stream.
      raw.prepare("INSERT INTO event_subjects VALUES ('acme', 's-kim', 1)").run();
    } finally {
      raw.close();
    }
    const ids = (events: readonly RecordedEvent[]) => events.map((e) => e.eventId);
    expect(ids(await store.readBySubject('acme', 's-kim'))).toEqual([
      own.eventId,
      byAdmin.eventId,
      lifecycle.eventId,
    ]);
    expect(ids(await store.readBySubject('acme', 's-admin'))).toEqual([byAdmin.eventId]);
    expect(await store.readBySubject('other', 's-kim')).toHaveLength(1);
    expect(await store.readBySubject('acme', 's-nobody')).toEqual([]);
  });

  it('stamps recordedAt from the injected clock', async () => {
    const now = new Date('2026-11-21T10:00:00.456Z');
    const store = open({ clock: { now: () => now } });
    await store.append('acme', [
      { streamId: 't-acme-mfa-s', expectedRevision: 'any', events: [event()] },
    ]);
    const [read] = await store.readAll({ after: 0, limit: 1 });
    expect(read.recordedAt.toISOString()).toBe('2026-11-21T10:00:00.456Z');
    expect(read.occurredAt.toISOString()).toBe('2026-11-20T09:14:03.120Z');
  });

  it('creates a WAL file with the current schema version, and refuses a file from a newer release', async () => {
    await open().close();
    const raw = new Database(file);
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_EVENT_STORE_SCHEMA_VERSION);
      raw.pragma(`user_version = ${SQLITE_EVENT_STORE_SCHEMA_VERSION + 1}`);
    } finally {
      raw.close();
    }
    expect(() => SqliteEventStore.open(file)).toThrow(EventStoreUnavailableError);
  });

  it('a subscription sees appends made through another connection to the same file', async () => {
    const reader = open({ pollIntervalMs: 20 });
    const writer = open();
    const received: RecordedEvent[] = [];
    const subscription = reader.subscribe({
      after: 0,
      handler: async (batch) => void received.push(...batch),
    });
    try {
      const events = [event(), event(), event()];
      await writer.append('acme', [{ streamId: 't-acme-mfa-s', expectedRevision: 'any', events }]);
      const deadline = Date.now() + 3000;
      while (received.length < 3 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(received.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    } finally {
      await subscription.close();
    }
  });

  it("a commit through another store on the file wakes a subscription at once, not at its poll (serve's workers' thread)", async () => {
    // No poll within the test: only the commit signal across the stores can wake it.
    const reader = open({ pollIntervalMs: 60_000 });
    const writer = open();
    const received: number[] = [];
    const subscription = reader.subscribe({
      after: 0,
      handler: async (batch) => void received.push(performance.now(), batch.length),
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50)); // idle: waiting for a commit
      const appendedAt = performance.now();
      await writer.append('acme', [
        { streamId: 't-acme-mfa-s', expectedRevision: 'any', events: [event()] },
      ]);
      const deadline = Date.now() + 3000;
      while (received.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
      expect(received[1]).toBe(1);
      expect(received[0] - appendedAt).toBeLessThan(1000);
    } finally {
      await subscription.close();
    }
  });

  it('rejects reads and subscriptions after close', async () => {
    const store = open();
    await store.close();
    await expect(store.readAll({ after: 0, limit: 1 })).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(() => store.subscribe({ after: 0, handler: async () => undefined })).toThrow(
      EventStoreUnavailableError,
    );
  });
});
