import { Pool, type PoolClient } from 'pg';
import { type HeldLeases, LeaseLostError } from '@authtrail/coordination';
import { AppError } from '@authtrail/platform';
import type { IdentityFingerprints } from '../../domain/identity';
import type { PublishedSubjectsStore } from '../../domain/published-subjects.port';

const TABLE = 'siem_published_subjects';

// ANALYZE would copy sample fingerprints into pg_statistic, where a deletion cannot reach
// them: no statistics for that column (the PostgreSQL key vault does the same for keys).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  worker       text NOT NULL,
  tenant_id    text NOT NULL,
  subject_id   text NOT NULL,
  fingerprints text NOT NULL,
  PRIMARY KEY (worker, tenant_id, subject_id)
);
ALTER TABLE ${TABLE} ALTER COLUMN fingerprints SET STATISTICS 0;
`;

/** Fencing of writes: the lease this replica must still hold (DESIGN.md "Scale-out"). */
export interface PublishedSubjectsFence {
  readonly leases: HeldLeases;
  /** The forwarder's lease, the one that also fences its checkpoint. */
  readonly lease: string;
}

export interface PostgresPublishedSubjectsOptions {
  /** The forwarder's checkpoint name; each forwarder keeps its own record. Default `forwarder`. */
  readonly worker?: string;
  /** Writes count only under this lease; null: unfenced (tests, one process). */
  readonly fence?: PublishedSubjectsFence | null;
}

/** The forwarder's record in PostgreSQL cannot be reached: retriable, the batch is retried from the checkpoint. */
export class PublishedSubjectsUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('SIEM.PUBLISHED_SUBJECTS_UNAVAILABLE', 'unavailable', message, {
      retriable: true,
      cause,
    });
  }
}

/**
 * The forwarder's record of published people in PostgreSQL (the key vault's database), so
 * that every worker replica shares it: the replica that takes the forwarder over after a
 * failover knows whom the previous holder published, and a tenant deletion tombstones all
 * of them.
 *
 * Writes are fenced like the checkpoints: a save takes a share lock on the forwarder's
 * lease row, holding the token this replica holds, in the same transaction as its rows. A
 * takeover (which updates that row) waits for the save to commit, and every save after it
 * is refused (`LeaseLostError`), so a paused former holder cannot bring back a person the
 * new holder has forgotten. Saves are idempotent too (upserts and deletes by key): the
 * forwarder saves after the broker's acknowledgement and before its checkpoint, so a crash
 * in between replays the batch and writes the same rows again.
 *
 * Forgotten people (erasure, tenant deletion): the rows are deleted and the table is then
 * rewritten with VACUUM FULL, as the PostgreSQL key vault does for keys — a plain DELETE
 * leaves the old row versions readable in the table's pages. The bound, honestly: the
 * rewrite leaves nothing in the database's files, but the fingerprints stay in the WAL
 * until its segments are recycled, in WAL archives, standbys and base backups (which
 * therefore must expire like vault backups, README "Backups"), in freed filesystem blocks
 * of the replaced files, and in the rewrite itself when a transaction older than the
 * deletion still runs in the database (it keeps the rows it can see; the next rewrite
 * drops them). A crash between the deletion and the rewrite leaves the rows' bytes until
 * the next rewrite: every start rewrites the table once, too. The fingerprints are HMACs
 * under the tenant's key, and a tenant deletion shreds that key.
 */
export class PostgresPublishedSubjectsStore implements PublishedSubjectsStore {
  private ready: Promise<void> | null = null;
  private closed = false;
  private readonly worker: string;
  private readonly fence: PublishedSubjectsFence | null;

  constructor(
    private readonly pool: Pool,
    options: PostgresPublishedSubjectsOptions = {},
    private readonly ownsPool = false,
  ) {
    this.worker = options.worker ?? 'forwarder';
    this.fence = options.fence ?? null;
  }

  /** Opens its own small pool on `url` (one forwarder runs one batch at a time). */
  static open(
    url: string,
    options: PostgresPublishedSubjectsOptions = {},
  ): PostgresPublishedSubjectsStore {
    const pool = new Pool({ connectionString: url, max: 2 });
    // A dropped idle connection must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    return new PostgresPublishedSubjectsStore(pool, options, true);
  }

  /** Creates the table if needed and scrubs what a crash may have left (idempotent; run lazily). */
  init(): Promise<void> {
    this.ready ??= this.migrate().catch((error: unknown) => {
      this.ready = null;
      throw unavailable('cannot create the SIEM published-subjects table', error);
    });
    return this.ready;
  }

  async get(
    tenantId: string,
    subjectIds: readonly string[],
  ): Promise<Map<string, IdentityFingerprints>> {
    const out = new Map<string, IdentityFingerprints>();
    if (subjectIds.length === 0) return out;
    const rows = await this.query<{ subject_id: string; fingerprints: string }>(
      `SELECT subject_id, fingerprints FROM ${TABLE}
        WHERE worker = $1 AND tenant_id = $2 AND subject_id = ANY($3::text[])`,
      [this.worker, tenantId, [...subjectIds]],
    );
    for (const r of rows) out.set(r.subject_id, JSON.parse(r.fingerprints) as IdentityFingerprints);
    return out;
  }

  async save(
    tenantId: string,
    changes: ReadonlyMap<string, IdentityFingerprints | null>,
  ): Promise<void> {
    if (changes.size === 0) return;
    const forgotten: string[] = [];
    const kept: [string, string][] = [];
    for (const [sid, fps] of changes) {
      if (fps === null) forgotten.push(sid);
      else kept.push([sid, JSON.stringify(fps)]);
    }
    await this.init();
    await this.transaction(async (client) => {
      await this.checkFence(client);
      if (forgotten.length > 0)
        await client.query(
          `DELETE FROM ${TABLE} WHERE worker = $1 AND tenant_id = $2 AND subject_id = ANY($3::text[])`,
          [this.worker, tenantId, forgotten],
        );
      if (kept.length > 0)
        await client.query(
          `INSERT INTO ${TABLE} (worker, tenant_id, subject_id, fingerprints)
           SELECT $1, $2, u.subject_id, u.fingerprints
             FROM unnest($3::text[], $4::text[]) AS u(subject_id, fingerprints)
           ON CONFLICT (worker, tenant_id, subject_id) DO UPDATE SET fingerprints = excluded.fingerprints`,
          [this.worker, tenantId, kept.map((k) => k[0]), kept.map((k) => k[1])],
        );
    });
    if (forgotten.length > 0) await this.scrub();
  }

  async subjectsOf(tenantId: string): Promise<string[]> {
    const rows = await this.query<{ subject_id: string }>(
      `SELECT subject_id FROM ${TABLE} WHERE worker = $1 AND tenant_id = $2 ORDER BY subject_id`,
      [this.worker, tenantId],
    );
    return rows.map((r) => r.subject_id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }

  private async migrate(): Promise<void> {
    await this.transactionRaw(async (client) => {
      // Replicas starting together would otherwise race on CREATE TABLE IF NOT EXISTS.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('authtrail.siem.schema'))");
      await client.query(SCHEMA);
    });
    await this.scrubRaw();
  }

  /**
   * Inside the save's transaction: the lease row must still carry this replica's token.
   * FOR SHARE (not FOR KEY SHARE) conflicts with the takeover's UPDATE of that row, so
   * a takeover cannot commit between this check and the save's commit.
   */
  private async checkFence(client: PoolClient): Promise<void> {
    if (this.fence === null) return;
    const lease = this.fence.leases.current(this.fence.lease);
    if (lease === null) throw new LeaseLostError(this.fence.lease);
    const held = await client.query(
      `SELECT 1 FROM authtrail_leases WHERE name = $1 AND holder = $2 AND token = $3 FOR SHARE`,
      [lease.name, lease.holder, lease.token],
    );
    if (held.rowCount === 0) throw new LeaseLostError(this.fence.lease);
  }

  /**
   * Rewrites the table so deleted rows leave no bytes in its files: VACUUM FULL writes
   * new files and drops the old ones (https://www.postgresql.org/docs/15/sql-vacuum.html).
   * It cannot run in a transaction block, hence after the save's commit.
   */
  private async scrub(): Promise<void> {
    try {
      await this.scrubRaw();
    } catch (error) {
      throw unavailable('cannot rewrite the SIEM published-subjects table', error);
    }
  }

  private async scrubRaw(): Promise<void> {
    await this.pool.query(`VACUUM (FULL) ${TABLE}`);
  }

  private async query<R extends object>(text: string, values: unknown[]): Promise<R[]> {
    await this.init();
    try {
      return (await this.pool.query(text, values)).rows as R[];
    } catch (error) {
      throw unavailable('SIEM published-subjects query failed', error);
    }
  }

  private async transaction(fn: (client: PoolClient) => Promise<void>): Promise<void> {
    try {
      await this.transactionRaw(fn);
    } catch (error) {
      throw unavailable('SIEM published-subjects save failed', error);
    }
  }

  private async transactionRaw(fn: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await fn(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Our own errors (a lost lease) pass; driver errors become a retriable AppError. */
function unavailable(message: string, error: unknown): AppError {
  return error instanceof AppError ? error : new PublishedSubjectsUnavailableError(message, error);
}
