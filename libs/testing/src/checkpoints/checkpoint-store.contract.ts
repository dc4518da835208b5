import { randomBytes } from 'node:crypto';
import type { CheckpointStore } from '@authtrail/event-store';
import type { ContractCase } from '../key-vault/key-vault.contract';

/**
 * Opens stores under test. Every `open()` is a store on the same data: the same worker
 * after a restart (a file reopened, a new connection pool; in memory, the same map).
 */
export interface CheckpointStoreHarness {
  open(): Promise<CheckpointStore>;
  /** Removes the store's data (temp files, test database). */
  dispose(): Promise<void>;
}

/** A worker name of its own for each case: stores may be shared between cases. */
const worker = (): string => `w_${randomBytes(5).toString('hex')}`;

async function withStore(
  h: CheckpointStoreHarness,
  fn: (s: CheckpointStore) => Promise<void>,
): Promise<void> {
  const s = await h.open();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** The cases of the checkpoint store contract, exported so a broken store can prove each one fails. */
export const checkpointStoreContractCases: readonly ContractCase<CheckpointStoreHarness>[] = [
  {
    name: 'a worker that never saved is at position 0',
    run: (h) =>
      withStore(h, async (s) => {
        expect(await s.load(worker())).toBe(0);
      }),
  },
  {
    name: 'loads the last of the growing positions a worker saved',
    run: (h) =>
      withStore(h, async (s) => {
        const w = worker();
        for (const position of [3, 17, 4096, 2 ** 40]) {
          await s.save(w, position);
          expect(await s.load(w)).toBe(position);
        }
      }),
  },
  {
    name: 'each worker has its own position',
    run: (h) =>
      withStore(h, async (s) => {
        const [a, b, c] = [worker(), worker(), worker()];
        await Promise.all([s.save(a, 10), s.save(b, 20)]);
        expect([await s.load(a), await s.load(b), await s.load(c)]).toEqual([10, 20, 0]);
        await s.save(a, 11);
        expect([await s.load(a), await s.load(b)]).toEqual([11, 20]);
      }),
  },
  {
    name: 'reset forgets one worker, back to 0, and keeps the others',
    run: (h) =>
      withStore(h, async (s) => {
        const [a, b] = [worker(), worker()];
        await s.save(a, 50);
        await s.save(b, 60);
        await s.reset(a);
        expect([await s.load(a), await s.load(b)]).toEqual([0, 60]);
        // A rebuild after a reset starts low again, and its saves count.
        await s.save(a, 5);
        expect(await s.load(a)).toBe(5);
        await s.reset(worker()); // never saved: nothing to forget, no error
      }),
  },
  {
    name: 'a saved position survives a restart of the store',
    run: async (h) => {
      const w = worker();
      await withStore(h, (s) => s.save(w, 123));
      await withStore(h, async (s) => expect(await s.load(w)).toBe(123));
    },
  },
  {
    name: 'a reset survives a restart of the store',
    run: async (h) => {
      const w = worker();
      await withStore(h, async (s) => {
        await s.save(w, 77);
        await s.reset(w);
      });
      await withStore(h, async (s) => expect(await s.load(w)).toBe(0));
    },
  },
];

/** Registers the checkpoint store contract (jest) for one store. `makeHarness` runs once per suite. */
export function checkpointStoreContract(
  name: string,
  makeHarness: () => Promise<CheckpointStoreHarness>,
): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let harness: CheckpointStoreHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.dispose();
    });
    for (const c of checkpointStoreContractCases) {
      it(c.name, () => c.run(harness));
    }
  });
}
