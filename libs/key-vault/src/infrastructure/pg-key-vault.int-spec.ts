import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { systemClock } from '@authtrail/platform';
import {
  ByteScanner,
  createTestDatabase,
  credentialStoreContract,
  keyVaultContract,
  TestDatabase,
} from '@authtrail/testing';
import { Keyring } from '../application/keyring.service';
import { masterKeyFromBytes } from '../domain/keys';
import { openPgVault } from './open-pg-vault';

// Thousands of subjects, file scans and table rewrites: far beyond the 5 s default on a loaded 2-core machine.
jest.setTimeout(60_000);

function pgHarness<T>(pick: (v: ReturnType<typeof openPgVault>) => T) {
  return async () => {
    const db = await createTestDatabase('authtrail_kv');
    const opened: ReturnType<typeof openPgVault>[] = [];
    return {
      open: async () => {
        const v = openPgVault(db.url, { max: 3 });
        await v.init();
        opened.push(v);
        return pick(v);
      },
      dispose: async () => {
        for (const v of opened) await v.close();
        await db.drop();
      },
    };
  };
}

keyVaultContract(
  'PostgreSQL',
  pgHarness((v) => v.keyVault),
);
credentialStoreContract(
  'PostgreSQL',
  pgHarness((v) => v.credentials),
);

/**
 * Reads every file of the test database's directory through the server (superuser
 * functions), so it works for a server started by the test setup and for an external one.
 */
async function scanDatabaseFiles(
  client: Client,
  needles: Record<string, Uint8Array>,
): Promise<string[]> {
  await client.query('CHECKPOINT');
  const scanner = new ByteScanner(needles);
  const { rows: dbRows } = await client.query<{ oid: string }>(
    'SELECT oid FROM pg_database WHERE datname = current_database()',
  );
  const dir = `base/${dbRows[0].oid}`;
  const { rows: files } = await client.query<{ name: string }>('SELECT pg_ls_dir($1) AS name', [
    dir,
  ]);
  const hits: string[] = [];
  for (const { name } of files) {
    const path = `${dir}/${name}`;
    const { rows } = await client.query<{ content: Buffer | null }>(
      'SELECT pg_read_binary_file($1, 0, (pg_stat_file($1, true)).size, true) AS content',
      [path],
    );
    for (const hit of rows[0].content ? scanner.scan(rows[0].content) : [])
      hits.push(`${name}: ${hit.needle}`);
  }
  return hits;
}

describe('PostgreSQL key vault files', () => {
  let db: TestDatabase;
  let client: Client;
  beforeEach(async () => {
    db = await createTestDatabase('authtrail_kvscan');
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterEach(async () => {
    await client.end();
    await db.drop();
  });

  async function populate(n: number) {
    const vault = openPgVault(db.url);
    await vault.init();
    const keyring = new Keyring(vault.keyVault, masterKeyFromBytes(randomBytes(32)), systemClock);
    await keyring.ensureTenant('contoso');
    const names = Array.from({ length: n }, (_, i) => `user${i}@contoso.com`);
    for (let i = 0; i < n; i += 500)
      await keyring.resolveSubjects('contoso', names.slice(i, i + 500));
    const needles: Record<string, Uint8Array> = {};
    const subjectIds: string[] = [];
    // Every 25th subject: with fewer, a scrub that misses some bytes (plain VACUUM) can pass by luck.
    for (let i = 0; i < n; i += 25) {
      const lookupHash = await keyring.lookupHash('contoso', names[i]);
      const row = (await vault.keyVault.findSubjects('contoso', [lookupHash])).get(
        lookupHash.toString('hex'),
      )!;
      needles[`${names[i]} wrapped key`] = row.wrappedKey;
      needles[`${names[i]} lookup hash`] = lookupHash;
      subjectIds.push(row.subjectId);
    }
    return { vault, keyring, needles, subjectIds };
  }

  it('after erasure, neither the wrapped key nor the lookup hash is in any file of the database', async () => {
    const { vault, keyring, needles, subjectIds } = await populate(3000);
    await client.query('ANALYZE');
    expect(
      new Set((await scanDatabaseFiles(client, needles)).map((h) => h.split(': ')[1])).size,
    ).toBe(Object.keys(needles).length);
    for (const id of subjectIds) expect(await keyring.eraseSubject('contoso', id)).toBe(true);
    expect(await scanDatabaseFiles(client, needles)).toEqual([]);
    await vault.close();
  });

  it('a DELETE without the rewrite leaves the bytes in the table files (the scan can fail)', async () => {
    const { vault, needles, subjectIds } = await populate(300);
    await client.query('DELETE FROM vault_subject_keys WHERE subject_id = ANY($1::text[])', [
      subjectIds,
    ]);
    expect((await scanDatabaseFiles(client, needles)).length).toBeGreaterThan(0);
    await vault.close();
  });

  it('keeps no statistics samples of keys or lookup hashes', async () => {
    const { vault } = await populate(300);
    await client.query('ANALYZE');
    const { rows } = await client.query(
      `SELECT a.attname FROM pg_statistic s JOIN pg_attribute a ON a.attrelid = s.starelid AND a.attnum = s.staattnum
        WHERE s.starelid IN ('vault_subject_keys'::regclass, 'vault_tenant_keys'::regclass)`,
    );
    expect(rows.map((r) => r.attname).sort()).toEqual([
      'created_at',
      'master_key_id',
      'subject_id',
      'tenant_id',
      'tenant_id',
    ]);
    await vault.close();
  });

  it('deleting a tenant leaves none of its keys in the files', async () => {
    const { vault, needles } = await populate(600);
    needles['tenant key'] = (await vault.keyVault.getTenantKey('contoso'))!.wrappedKey;
    expect(await vault.keyVault.deleteTenant('contoso')).toBe(600);
    expect(await scanDatabaseFiles(client, needles)).toEqual([]);
    await vault.close();
  });
});
