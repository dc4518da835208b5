import { Pool } from 'pg';
import { AppError } from '@authtrail/platform';
import { CoordinationUnavailableError, type Lease, type LeaseStore } from '../domain/lease.port';
import { migrateCoordination } from './pg-coordination.schema';

interface LeaseRow {
  name: string;
  holder: string;
  token: string;
  expires_at: Date;
}

const toLease = (row: LeaseRow): Lease => ({
  name: row.name,
  holder: row.holder,
  token: Number(row.token),
  expiresAt: row.expires_at,
});

/**
 * Leases in PostgreSQL: one row per lease, judged by the database's `now()`, so replicas'
 * clocks do not matter. Taking an expired lease increments its token in the same
 * statement, which makes the token a fencing token.
 */
export class PgLeaseStore implements LeaseStore {
  private ready: Promise<void> | null = null;

  constructor(
    readonly pool: Pool,
    private readonly ownsPool = false,
  ) {}

  /** Opens its own small pool on `url`. */
  static open(url: string): PgLeaseStore {
    const pool = new Pool({ connectionString: url, max: 2 });
    // A dropped idle connection must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    return new PgLeaseStore(pool, true);
  }

  /** Creates the tables if needed (idempotent; run before first use). */
  init(): Promise<void> {
    this.ready ??= migrateCoordination(this.pool).catch((error: unknown) => {
      this.ready = null;
      throw new CoordinationUnavailableError('cannot create the coordination tables', error);
    });
    return this.ready;
  }

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<Lease | null> {
    const rows = await this.query<LeaseRow>(
      `INSERT INTO authtrail_leases AS l (name, holder, token, expires_at)
       VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE
         SET holder = excluded.holder, token = l.token + 1, expires_at = excluded.expires_at
         WHERE l.expires_at <= now()
       RETURNING name, holder, token, expires_at`,
      [name, holder, ttlMs],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease | null> {
    // An expired lease nobody took yet may still be renewed: its token is still the newest.
    const rows = await this.query<LeaseRow>(
      `UPDATE authtrail_leases SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE name = $1 AND holder = $2 AND token = $3
       RETURNING name, holder, token, expires_at`,
      [lease.name, lease.holder, lease.token, ttlMs],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  async release(lease: Lease): Promise<void> {
    await this.query(
      `UPDATE authtrail_leases SET expires_at = '-infinity'
       WHERE name = $1 AND holder = $2 AND token = $3`,
      [lease.name, lease.holder, lease.token],
    );
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  private async query<R extends object>(text: string, values: unknown[]): Promise<R[]> {
    await this.init();
    try {
      return (await this.pool.query(text, values)).rows as R[];
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new CoordinationUnavailableError('coordination store query failed', error);
    }
  }
}
