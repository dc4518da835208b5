import type { CheckpointStore } from '@authtrail/event-store';
import type { ClickHouseExecutor } from './clickhouse-executor';
import type { ClickHouseReadModelSettings } from './clickhouse-read-model';
import { TABLES, deleteStatement } from './clickhouse-schema';

/**
 * The projector's checkpoint, kept in ClickHouse with the tables it describes: losing the
 * ClickHouse data (projections are disposable) rebuilds from zero by itself. A save adds a
 * row and a load takes the highest, so a checkpoint never moves back but by `reset`.
 */
export class ClickHouseCheckpointStore implements CheckpointStore {
  constructor(
    private readonly executor: ClickHouseExecutor,
    private readonly settings: ClickHouseReadModelSettings,
  ) {}

  async load(worker: string): Promise<number> {
    const rows = await this.executor.query<{ p: number }>(
      `SELECT max(position) AS p FROM ${this.settings.database}.${TABLES.checkpoint} WHERE worker = {worker:String}`,
      { worker },
    );
    return Number(rows[0]?.p ?? 0);
  }

  async save(worker: string, position: number): Promise<void> {
    await this.executor.insert(`${this.settings.database}.${TABLES.checkpoint}`, [
      { worker, position },
    ]);
  }

  async reset(worker: string): Promise<void> {
    await this.executor.command(
      deleteStatement(this.settings.ddl, TABLES.checkpoint, 'worker = {worker:String}'),
      { worker },
    );
  }

  /** The executor is the app's (closed with it). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
