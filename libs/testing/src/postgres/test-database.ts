import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * URL of the integration tier's PostgreSQL server (started by the int project's global
 * setup, or given as AUTHTRAIL_TEST_PG_URL). Throws when there is none: PostgreSQL tests
 * never skip silently.
 */
export function pgTestUrl(): string {
  const url = process.env.AUTHTRAIL_TEST_PG_URL;
  if (!url) {
    throw new Error(
      'AUTHTRAIL_TEST_PG_URL is not set: run PostgreSQL tests in the int project (`npx jest --selectProjects int …`), ' +
        'whose global setup starts a server, or point AUTHTRAIL_TEST_PG_URL at one.',
    );
  }
  return url;
}

/** Data directory of the test server when the global setup started it itself, else null. */
export function pgTestDataDir(): string | null {
  return process.env.AUTHTRAIL_TEST_PG_DATA || null;
}

export interface TestDatabase {
  readonly name: string;
  /** Connection string of the new database. */
  readonly url: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: pgTestUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty database on the test server, so suites never see each other's rows. */
export async function createTestDatabase(prefix = 'authtrail_t'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad test database prefix: ${prefix}`);
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(pgTestUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdmin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}
