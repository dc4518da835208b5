import { Pool, PoolClient, QueryResultRow } from 'pg';
import { AppError } from '@authtrail/platform';
import { KeyVaultUnavailableError } from '../domain/key-vault.errors';

export interface PgVaultOptions {
  /** Pool size; default 5. */
  readonly max?: number;
}

function isUnavailable(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string')
    return e instanceof Error && /Connection terminated|timeout/i.test(e.message);
  // Connection exceptions (08), operator intervention (57: shutdown, cancel), insufficient
  // resources (53), and Node socket errors.
  return /^(08|57|53)/.test(code) || /^E[A-Z]+$/.test(code);
}

/** Deadlock and serialization failures: safe to run the statement again. */
export function isRetriableConflict(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/** A `pg` pool shared by the key vault and the credential store, ended when both released it. */
export class PgVaultConnection {
  readonly pool: Pool;
  private users = 0;
  private ended: Promise<void> | null = null;

  constructor(connectionString: string, options: PgVaultOptions = {}) {
    this.pool = new Pool({ connectionString, max: options.max ?? 5 });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  acquire(): this {
    this.users += 1;
    return this;
  }

  async release(): Promise<void> {
    this.users -= 1;
    if (this.users <= 0) await this.end();
  }

  end(): Promise<void> {
    this.ended ??= this.pool.end();
    return this.ended;
  }

  async query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (e) {
      throw translate(e);
    }
  }

  /** Runs `fn` in a transaction (READ COMMITTED), rolled back on any error. */
  async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw translate(e);
    }
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw translate(e);
    } finally {
      client.release();
    }
  }
}

function translate(e: unknown): unknown {
  if (e instanceof AppError || !isUnavailable(e)) return e;
  return new KeyVaultUnavailableError(`key vault database unavailable: ${(e as Error).message}`, e);
}

/** Creates tables once even when several replicas start at the same moment. */
export async function withSchemaLock(conn: PgVaultConnection, ddl: string): Promise<void> {
  await conn.transaction(async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('authtrail.key-vault.schema'))");
    await client.query(ddl);
  });
}
