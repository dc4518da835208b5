import type { CheckpointStore } from '@authtrail/event-store';
import {
  type CheckpointStoreHarness,
  checkpointStoreContract,
  checkpointStoreContractCases,
} from './checkpoint-store.contract';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';

function harness(open: (data: Map<string, number>) => CheckpointStore): CheckpointStoreHarness {
  const data = new Map<string, number>();
  return { open: () => Promise.resolve(open(data)), dispose: () => Promise.resolve() };
}

checkpointStoreContract('in memory', () =>
  Promise.resolve(harness((d) => new InMemoryCheckpointStore(d))),
);

/** One position for everyone: the worker name is ignored. */
class SharesOneSlot extends InMemoryCheckpointStore {
  override load(): Promise<number> {
    return super.load('*');
  }
  override save(_w: string, position: number): Promise<void> {
    return super.save('*', position);
  }
  override reset(): Promise<void> {
    return super.reset('*');
  }
}

/** A reset forgets every worker, not the one named. */
class ResetsEveryone extends InMemoryCheckpointStore {
  override reset(): Promise<void> {
    this.positions.clear();
    return Promise.resolve();
  }
}

/** Keeps the first position it was given (an upsert that never updates). */
class KeepsTheFirst extends InMemoryCheckpointStore {
  override save(worker: string, position: number): Promise<void> {
    return this.positions.has(worker) ? Promise.resolve() : super.save(worker, position);
  }
}

/** Cannot forget: reset does nothing. */
class NeverResets extends InMemoryCheckpointStore {
  override reset(): Promise<void> {
    return Promise.resolve();
  }
}

describe('the checkpoint store contract catches broken stores', () => {
  const failing = async (h: CheckpointStoreHarness): Promise<string[]> => {
    const failed: string[] = [];
    for (const c of checkpointStoreContractCases) await c.run(h).catch(() => failed.push(c.name));
    return failed;
  };

  it.each([
    ['shares one position between workers', SharesOneSlot, 'each worker has its own position'],
    [
      'forgets every worker on a reset',
      ResetsEveryone,
      'reset forgets one worker, back to 0, and keeps the others',
    ],
    [
      'keeps the first position saved',
      KeepsTheFirst,
      'loads the last of the growing positions a worker saved',
    ],
    ['never forgets', NeverResets, 'reset forgets one worker, back to 0, and keeps the others'],
  ] as const)('a store that %s', async (_, Store, mustFail) => {
    expect(await failing(harness((d) => new Store(d)))).toContain(mustFail);
  });

  it('a store that keeps nothing over a restart', async () => {
    const amnesiac: CheckpointStoreHarness = {
      open: () => Promise.resolve(new InMemoryCheckpointStore()),
      dispose: () => Promise.resolve(),
    };
    expect(await failing(amnesiac)).toEqual(['a saved position survives a restart of the store']);
  });
});
