import { InMemoryCheckpointStore, checkpointStoreContract } from '@authtrail/testing';
import { LeaseLostError } from '../domain/lease.port';
import { FencedLocalCheckpointStore } from './fenced-local-checkpoint-store';

describe('FencedLocalCheckpointStore', () => {
  it('saves to the fenced store first: a replica that lost its lease moves neither', async () => {
    const local = new InMemoryCheckpointStore();
    const fenced = new InMemoryCheckpointStore();
    const store = new FencedLocalCheckpointStore(local, fenced);
    await store.save('projector', 10);
    expect([await local.load('projector'), await fenced.load('projector')]).toEqual([10, 10]);
    fenced.save = () => Promise.reject(new LeaseLostError('projector'));
    await expect(store.save('projector', 20)).rejects.toBeInstanceOf(LeaseLostError);
    expect([await local.load('projector'), await fenced.load('projector')]).toEqual([10, 10]);
  });

  it('loads the lower of the two: lost read-model tables are rebuilt from zero', async () => {
    const local = new InMemoryCheckpointStore();
    const fenced = new InMemoryCheckpointStore();
    const store = new FencedLocalCheckpointStore(local, fenced);
    await store.save('projector', 42);
    await local.reset('projector'); // the ClickHouse data is gone
    expect(await store.load('projector')).toBe(0);
    await local.save('projector', 50); // a crash after the local save only cannot happen…
    await fenced.save('projector', 45); // …but a lower fenced one wins all the same
    expect(await store.load('projector')).toBe(45);
    await store.reset('projector');
    expect([await local.load('projector'), await fenced.load('projector')]).toEqual([0, 0]);
  });
});

checkpointStoreContract('fenced and kept beside the data (both in memory)', () => {
  const local = new Map<string, number>();
  const fenced = new Map<string, number>();
  return Promise.resolve({
    open: () =>
      Promise.resolve(
        new FencedLocalCheckpointStore(
          new InMemoryCheckpointStore(local),
          new InMemoryCheckpointStore(fenced),
        ),
      ),
    dispose: () => Promise.resolve(),
  });
});
