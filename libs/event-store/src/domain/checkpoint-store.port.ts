/**
 * Where a worker (projector, forwarder, sealer) keeps its place in the global log. A
 * worker saves a checkpoint only after its own write succeeded, so a crash replays at
 * most the last batch (at-least-once; consumers are idempotent). Between resets a worker
 * saves growing positions only; a store may ignore a lower one (ClickHouse keeps the
 * highest). Every adapter passes `checkpointStoreContract` (`@authtrail/testing`).
 */
export interface CheckpointStore {
  /** Last processed global position of this worker (0 = nothing yet). */
  load(worker: string): Promise<number>;
  save(worker: string, position: number): Promise<void>;
  /** Forget a worker's position (replay from zero). */
  reset(worker: string): Promise<void>;
  close(): Promise<void>;
}

export const CHECKPOINT_STORE = Symbol('CheckpointStore');
