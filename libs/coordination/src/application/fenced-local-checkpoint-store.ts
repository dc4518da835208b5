import type { CheckpointStore } from '@authtrail/event-store';

/**
 * A checkpoint kept beside the data it describes and fenced like every worker's
 * (DESIGN.md "Scale-out"): the projector's lives in ClickHouse, so losing those tables
 * rebuilds them, and in the fenced store, so a replica that lost its lease moves it no
 * more. A save goes to the fenced store first (a fenced-off replica is refused before it
 * touches the local one); a load takes the lower of the two, so lost local data starts
 * over from zero and a crash between the two saves replays one batch. (The first start
 * in coordinated mode finds no fenced checkpoint and projects the log once more.)
 */
export class FencedLocalCheckpointStore implements CheckpointStore {
  constructor(
    private readonly local: CheckpointStore,
    private readonly fenced: CheckpointStore,
  ) {}

  async load(worker: string): Promise<number> {
    const [local, fenced] = await Promise.all([this.local.load(worker), this.fenced.load(worker)]);
    return Math.min(local, fenced);
  }

  async save(worker: string, position: number): Promise<void> {
    await this.fenced.save(worker, position);
    await this.local.save(worker, position);
  }

  async reset(worker: string): Promise<void> {
    await this.fenced.reset(worker);
    await this.local.reset(worker);
  }

  /** Both stores belong to their apps' modules, which close them. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
