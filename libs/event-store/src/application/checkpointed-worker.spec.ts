import { randomUUID } from 'node:crypto';
import { AppError, type WorkerFailure, type WorkerReporter } from '@authtrail/platform';
import { InMemoryCheckpointStore, InMemoryEventStore } from '@authtrail/testing';
import type { NewEvent, RecordedEvent } from '../domain/event-store.port';
import { CheckpointedWorker, type CheckpointedWorkerOptions } from './checkpointed-worker';

const until = async (what: string, ok: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fact(): NewEvent {
  const eventId = randomUUID();
  return {
    eventId,
    type: 'test.Happened',
    fingerprint: eventId,
    subjectIds: [],
    occurredAt: new Date(),
    data: new TextEncoder().encode(JSON.stringify({ eventId })),
  };
}

async function appendFacts(store: InMemoryEventStore, n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await store.append('acme', [{ streamId: 's', expectedRevision: 'any', events: [fact()] }]);
}

/** A reporter that keeps what it was told. */
function recorder() {
  const seen = {
    retrying: [] as (WorkerFailure & { delayMs: number })[],
    parked: [] as WorkerFailure[],
    running: [] as number[],
    lags: [] as number[],
    batches: [] as { events: number; seconds: number }[],
  };
  const reporter: WorkerReporter = {
    batch: (events, seconds) => seen.batches.push({ events, seconds }),
    retrying: (f) => seen.retrying.push(f),
    parked: (f) => seen.parked.push(f),
    running: (p) => seen.running.push(p),
    lag: (l) => seen.lags.push(l),
  };
  return { seen, reporter };
}

class Unavailable extends AppError {
  constructor() {
    super('TEST.DOWN', 'unavailable', 'downstream is down', { retriable: true });
  }
}

class Corrupt extends AppError {
  constructor() {
    super('TEST.CORRUPT', 'internal', 'this batch can never be handled');
  }
}

describe('CheckpointedWorker', () => {
  let store: InMemoryEventStore;
  let checkpoints: InMemoryCheckpointStore;
  let handled: number[];
  const workers: CheckpointedWorker[] = [];

  const worker = (
    handle: (events: readonly RecordedEvent[]) => Promise<void>,
    options: Partial<CheckpointedWorkerOptions> = {},
  ): CheckpointedWorker => {
    const w = new CheckpointedWorker({
      name: 'test-worker',
      store,
      checkpoints,
      handler: { handle },
      trigger: { follow: true },
      batchSize: 3,
      retryInitialMs: 5,
      retryMaxMs: 20,
      ...options,
    });
    workers.push(w);
    return w;
  };
  const record = (events: readonly RecordedEvent[]) => {
    handled.push(...events.map((e) => e.position));
    return Promise.resolve();
  };

  beforeEach(() => {
    store = new InMemoryEventStore();
    checkpoints = new InMemoryCheckpointStore();
    handled = [];
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });

  it('reports each checkpointed batch with its size and duration, following or catching up', async () => {
    await appendFacts(store, 7);
    const { seen, reporter } = recorder();
    const slow = async (events: readonly RecordedEvent[]) => {
      await pause(20);
      await record(events);
    };
    await worker(slow, { trigger: { everyMs: 60_000 }, reporter }).runOnce();
    expect(seen.batches.map((b) => b.events)).toEqual([3, 3, 1]);
    for (const b of seen.batches) expect(b.seconds).toBeGreaterThanOrEqual(0.015);
    seen.batches.length = 0;
    const w = worker(slow, { reporter, name: 'follower' });
    w.start();
    await until('the head', () => w.position === 7);
    expect(seen.batches.map((b) => b.events)).toEqual([3, 3, 1]);
    // A failed batch is not reported as handled.
    const failing = worker(() => Promise.reject(new Corrupt()), { reporter, name: 'broken' });
    seen.batches.length = 0;
    await expect(failing.runOnce()).rejects.toThrow(Corrupt);
    expect(seen.batches).toEqual([]);
  });

  it('follows the log from its checkpoint and saves it after each batch', async () => {
    await appendFacts(store, 7);
    const w = worker(record);
    w.start();
    await until('the head', () => w.position === 7);
    expect(handled).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Batches of three: the checkpoint moved after each, never ahead of what was handled.
    expect(checkpoints.saves.map((s) => s.position)).toEqual([3, 6, 7]);
    await appendFacts(store, 2);
    await until('the new events', () => w.position === 9);
    expect(handled).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('resumes from the checkpoint after a restart: nothing handled twice, nothing skipped', async () => {
    await appendFacts(store, 4);
    const first = worker(record);
    first.start();
    await until('the head', () => first.position === 4);
    await first.stop();
    await appendFacts(store, 3);
    const second = worker(record);
    second.start();
    await until('the head', () => second.position === 7);
    expect(handled).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('retries a retriable failure with backoff from the checkpoint, then goes on', async () => {
    await appendFacts(store, 5);
    const { seen, reporter } = recorder();
    let failures = 0;
    const w = worker(
      async (events) => {
        if (events[0].position === 4 && failures < 3) {
          failures += 1;
          throw new Unavailable();
        }
        await record(events);
      },
      { reporter },
    );
    w.start();
    await until('the head', () => w.position === 5);
    expect(failures).toBe(3);
    // The failed batch was handled again from the checkpoint: nothing lost, nothing out of order.
    expect(handled).toEqual([1, 2, 3, 4, 5]);
    expect(seen.retrying.map((f) => [f.attempt, f.position, f.failedAt])).toEqual([
      [1, 3, 4],
      [2, 3, 4],
      [3, 3, 4],
    ]);
    // Backoff doubles up to its maximum.
    expect(seen.retrying.map((f) => f.delayMs)).toEqual([5, 10, 20]);
    expect(seen.parked).toEqual([]);
    expect(seen.running).toEqual([0, 5]);
    expect(w.running).toBe(true);
  });

  it.each([
    ['an AppError that is not retriable', () => new Corrupt()],
    [
      'a plain Error (a bug)',
      () => new TypeError("Cannot read properties of undefined (reading 'x')"),
    ],
  ])('parks on %s: stops at its checkpoint, reports it once, and never loops', async (_, error) => {
    await appendFacts(store, 5);
    const { seen, reporter } = recorder();
    let calls = 0;
    const w = worker(
      async (events) => {
        calls += 1;
        if (events.some((e) => e.position === 4)) throw error();
        await record(events);
      },
      { reporter },
    );
    w.start();
    await until('parking', () => w.parked !== null);
    await pause(200); // forty backoffs' worth at 5 ms: a hot loop would call again
    expect(calls).toBe(2);
    expect(handled).toEqual([1, 2, 3]);
    expect(w.position).toBe(3);
    expect(w.running).toBe(false);
    expect(checkpoints.positions.get('test-worker')).toBe(3);
    expect(seen.parked).toHaveLength(1);
    expect(seen.parked[0]).toMatchObject({ position: 3, failedAt: 4 });
    expect(seen.parked[0].error).toBeInstanceOf(Error);
    expect(seen.retrying).toEqual([]);
    // More events do not wake a parked worker.
    await appendFacts(store, 2);
    await pause(50);
    expect(calls).toBe(2);
  });

  it('starts a parked worker again from its checkpoint when asked', async () => {
    await appendFacts(store, 4);
    let broken = true;
    const w = worker(async (events) => {
      if (broken && events.some((e) => e.position === 4)) throw new Corrupt();
      await record(events);
    });
    w.start();
    await until('parking', () => w.parked !== null);
    broken = false; // the fix is deployed
    w.start();
    await until('the head', () => w.position === 4);
    expect(handled).toEqual([1, 2, 3, 4]);
    expect(w.parked).toBeNull();
  });

  it('retries a failing log read or checkpoint store, which are I/O, unless they say otherwise', async () => {
    await appendFacts(store, 2);
    const { seen, reporter } = recorder();
    let loads = 0;
    const flaky = new InMemoryCheckpointStore();
    const load = flaky.load.bind(flaky);
    flaky.load = (name) => {
      loads += 1;
      return loads < 3 ? Promise.reject(new Error('SQLITE_IOERR: disk I/O error')) : load(name);
    };
    const w = worker(record, { checkpoints: flaky, reporter });
    w.start();
    await until('the head', () => w.position === 2);
    expect(seen.retrying.map((f) => [f.attempt, f.failedAt])).toEqual([
      [1, null],
      [2, null],
    ]);
  });

  it('a pass gathers to the head and saves once after flushing, when asked to', async () => {
    await appendFacts(store, 7);
    const flushed: number[] = [];
    let gathered: number[] = [];
    const w = new CheckpointedWorker({
      name: 'pass-worker',
      store,
      checkpoints,
      batchSize: 3,
      trigger: { everyMs: 60_000 },
      saveAfter: 'pass',
      handler: {
        handle: (events) => {
          gathered.push(...events.map((e) => e.position));
          return Promise.resolve();
        },
        flush: () => {
          flushed.push(...gathered);
          return Promise.resolve();
        },
        reset: () => {
          gathered = [];
        },
      },
    });
    expect(await w.runOnce()).toBe(7);
    expect(flushed).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(checkpoints.saves).toEqual([{ worker: 'pass-worker', position: 7 }]);
    // Nothing new: nothing flushed, nothing saved.
    flushed.length = 0;
    expect(await w.runOnce()).toBe(7);
    expect(flushed).toEqual([]);
    expect(checkpoints.saves).toHaveLength(1);
  });

  it('a failed pass leaves the checkpoint and rethrows the handler’s own error', async () => {
    await appendFacts(store, 4);
    const w = worker(async (events) => {
      if (events.some((e) => e.position === 4)) throw new Corrupt();
      await record(events);
    });
    await expect(w.runOnce()).rejects.toBeInstanceOf(Corrupt);
    expect(checkpoints.positions.get('test-worker')).toBe(3);
  });

  it('on an interval, retries a retriable pass and parks on the rest', async () => {
    await appendFacts(store, 3);
    const { seen, reporter } = recorder();
    let attempts = 0;
    const w = worker(
      async (events) => {
        attempts += 1;
        if (attempts <= 2) throw new Unavailable();
        if (attempts === 3) return record(events);
        throw new Corrupt();
      },
      { trigger: { everyMs: 10 }, reporter },
    );
    w.start();
    await until('the head', () => w.position === 3);
    await appendFacts(store, 1);
    await until('parking', () => w.parked !== null);
    expect(seen.retrying.map((f) => f.attempt)).toEqual([1, 2]);
    expect(seen.parked.map((f) => [f.position, f.failedAt])).toEqual([[3, 4]]);
    const calls = attempts;
    await pause(100);
    expect(attempts).toBe(calls);
  });
});
