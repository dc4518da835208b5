import type { CheckpointStore } from '@authtrail/event-store';

/** Reference checkpoint store for unit tests of workers and for the contract suite's self-test. */
export class InMemoryCheckpointStore implements CheckpointStore {
  /** Pass one map to several stores to simulate a restart on the same data. */
  constructor(readonly positions = new Map<string, number>()) {}

  /** Every save, in order (tests read what a worker saved when). */
  readonly saves: { worker: string; position: number }[] = [];

  load(worker: string): Promise<number> {
    return Promise.resolve(this.positions.get(worker) ?? 0);
  }

  save(worker: string, position: number): Promise<void> {
    this.positions.set(worker, position);
    this.saves.push({ worker, position });
    return Promise.resolve();
  }

  reset(worker: string): Promise<void> {
    this.positions.delete(worker);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
