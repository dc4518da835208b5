import type { CheckpointStore } from '@authtrail/event-store';
import { AppError } from '@authtrail/platform';
import type { WorkerLeases } from '../application/worker-leases';

/** What the store needs to know of this replica's leases. */
export type HeldLeases = Pick<WorkerLeases, 'current'>;
import { CoordinationUnavailableError, LeaseLostError } from '../domain/lease.port';
import type { PgLeaseStore } from './pg-lease-store.adapter';

/**
 * Worker checkpoints in PostgreSQL, fenced by the worker's lease (DESIGN.md "Scale-out"):
 * a save succeeds only when, in the same statement, the lease row still carries the
 * token this replica holds. A replica that lost its lease (paused, partitioned, slow)
 * therefore cannot move the checkpoint back or forward under the new holder.
 */
export class PgFencedCheckpointStore implements CheckpointStore {
  constructor(
    private readonly leases: PgLeaseStore,
    private readonly held: HeldLeases,
    /** Lease that guards a worker's checkpoint; default: the lease of the same name. */
    private readonly leaseOf: (worker: string) => string = (worker) => worker,
  ) {}

  async load(worker: string): Promise<number> {
    const rows = await this.query<{ position: string }>(
      'SELECT position FROM authtrail_checkpoints WHERE worker = $1',
      [worker],
    );
    return rows[0] ? Number(rows[0].position) : 0;
  }

  async save(worker: string, position: number): Promise<void> {
    const name = this.leaseOf(worker);
    const lease = this.held.current(name);
    if (!lease) throw new LeaseLostError(name);
    const rows = await this.query(
      `INSERT INTO authtrail_checkpoints AS c (worker, position, fence)
       SELECT $1, $2, l.token FROM authtrail_leases l
        WHERE l.name = $3 AND l.holder = $4 AND l.token = $5
       ON CONFLICT (worker) DO UPDATE SET position = excluded.position, fence = excluded.fence
        WHERE c.fence <= excluded.fence
       RETURNING worker`,
      [worker, position, name, lease.holder, lease.token],
    );
    if (rows.length === 0) throw new LeaseLostError(name);
  }

  async reset(worker: string): Promise<void> {
    await this.query('DELETE FROM authtrail_checkpoints WHERE worker = $1', [worker]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async query<R extends object>(text: string, values: unknown[]): Promise<R[]> {
    await this.leases.init();
    try {
      return (await this.leases.pool.query(text, values)).rows as R[];
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new CoordinationUnavailableError('checkpoint query failed', error);
    }
  }
}
