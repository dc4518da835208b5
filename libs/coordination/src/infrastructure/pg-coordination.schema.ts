import type { Pool } from 'pg';

/**
 * Tables of the coordination store. Created under an advisory lock: several replicas
 * starting together would otherwise race on CREATE TABLE IF NOT EXISTS.
 */
export async function migrateCoordination(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('authtrail.coordination'))");
    await client.query(`CREATE TABLE IF NOT EXISTS authtrail_leases (
      name text PRIMARY KEY,
      holder text NOT NULL,
      token bigint NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
    await client.query(`CREATE TABLE IF NOT EXISTS authtrail_checkpoints (
      worker text PRIMARY KEY,
      position bigint NOT NULL,
      fence bigint NOT NULL
    )`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
