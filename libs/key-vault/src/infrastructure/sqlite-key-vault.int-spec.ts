import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock } from '@authtrail/platform';
import { credentialStoreContract, findBytesInFiles, keyVaultContract } from '@authtrail/testing';
import { Keyring } from '../application/keyring.service';
import { masterKeyFromBytes } from '../domain/keys';
import { openSqliteVault } from './open-sqlite-vault';
import { SqliteKeyVault } from './sqlite-key-vault.adapter';
import { SqliteVaultConnection } from './sqlite-vault.connection';

// Thousands of subjects, file scans and table rewrites: far beyond the 5 s default on a loaded 2-core machine.
jest.setTimeout(60_000);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'authtrail-kv-'));
}

function sqliteHarness<T>(pick: (v: ReturnType<typeof openSqliteVault>) => T) {
  return async () => {
    const dir = tempDir();
    const opened: ReturnType<typeof openSqliteVault>[] = [];
    return {
      open: async () => {
        const v = openSqliteVault(join(dir, 'vault.db'));
        await v.init();
        opened.push(v);
        return pick(v);
      },
      dispose: async () => {
        for (const v of opened) await v.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

keyVaultContract(
  'SQLite file',
  sqliteHarness((v) => v.keyVault),
);
credentialStoreContract(
  'SQLite file',
  sqliteHarness((v) => v.credentials),
);

describe('SQLite key vault files', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function populate(vault: SqliteKeyVault, n: number) {
    const keyring = new Keyring(vault, masterKeyFromBytes(randomBytes(32)), systemClock);
    await keyring.ensureTenant('contoso');
    const names = Array.from({ length: n }, (_, i) => `user${i}@contoso.com`);
    // Several batches, so B-tree pages split and rows move between pages.
    for (let i = 0; i < n; i += 500)
      await keyring.resolveSubjects('contoso', names.slice(i, i + 500));
    // Every 25th subject: with fewer, a scrub that misses some bytes could pass by luck.
    const victims = names.filter((_, i) => i % 25 === 0 || i === n - 1);
    const needles: Record<string, Uint8Array> = {};
    const subjectIds: string[] = [];
    for (const name of victims) {
      const lookupHash = await keyring.lookupHash('contoso', name);
      const found = await vault.findSubjects('contoso', [lookupHash]);
      const row = found.get(lookupHash.toString('hex'))!;
      needles[`${name} wrapped key`] = row.wrappedKey;
      needles[`${name} lookup hash`] = lookupHash;
      subjectIds.push(row.subjectId);
    }
    return { keyring, subjectIds, needles };
  }

  it('after erasure, neither the wrapped key nor the lookup hash is in any file of the vault', async () => {
    const vault = openSqliteVault(join(dir, 'vault.db'));
    await vault.init();
    const { keyring, subjectIds, needles } = await populate(vault.keyVault, 3000);
    // The scan does see them before.
    expect(new Set(findBytesInFiles(dir, needles).map((h) => h.needle)).size).toBe(
      Object.keys(needles).length,
    );

    for (const id of subjectIds) expect(await keyring.eraseSubject('contoso', id)).toBe(true);
    expect(findBytesInFiles(dir, needles)).toEqual([]);
    await vault.close();
    expect(findBytesInFiles(dir, needles)).toEqual([]);
  });

  it('without secure_delete the same scan finds the erased bytes (the scan can fail)', async () => {
    const conn = new SqliteVaultConnection(join(dir, 'vault.db'));
    conn.db.pragma('secure_delete = OFF');
    const vault = new SqliteKeyVault(conn);
    await vault.init();
    const { subjectIds, needles } = await populate(vault, 3000);
    for (const id of subjectIds) await vault.deleteSubject('contoso', id);
    expect(findBytesInFiles(dir, needles).length).toBeGreaterThan(0);
    await vault.close();
  });

  it('without truncating the WAL the erased bytes stay in the -wal file', async () => {
    const conn = new SqliteVaultConnection(join(dir, 'vault.db'));
    const vault = new SqliteKeyVault(conn);
    await vault.init();
    const { subjectIds, needles } = await populate(vault, 200);
    for (const id of subjectIds)
      conn.db.prepare('DELETE FROM vault_subject_keys WHERE subject_id = ?').run(id);
    expect(findBytesInFiles(dir, needles).some((h) => h.file.endsWith('-wal'))).toBe(true);
    await vault.close();
  });

  it('deleting a tenant leaves none of its keys in the files', async () => {
    const vault = openSqliteVault(join(dir, 'vault.db'));
    await vault.init();
    const { needles } = await populate(vault.keyVault, 600);
    needles['tenant key'] = (await vault.keyVault.getTenantKey('contoso'))!.wrappedKey;
    expect(await vault.keyVault.deleteTenant('contoso')).toBe(600);
    expect(findBytesInFiles(dir, needles)).toEqual([]);
    await vault.close();
  });

  it('master key rotation leaves no tenant key wrapped under the old master in the files', async () => {
    const vault = openSqliteVault(join(dir, 'vault.db'));
    await vault.init();
    const { keyring } = await populate(vault.keyVault, 10);
    const old = (await vault.keyVault.getTenantKey('contoso'))!.wrappedKey;
    expect(await keyring.rotateMasterKey(masterKeyFromBytes(randomBytes(32)))).toBe(1);
    expect(findBytesInFiles(dir, { old })).toEqual([]);
    await vault.close();
  });

  it('runs with secure_delete, WAL and synchronous=FULL', async () => {
    const vault = openSqliteVault(join(dir, 'vault.db'));
    const conn = new SqliteVaultConnection(join(dir, 'vault.db'));
    expect(conn.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(conn.db.pragma('secure_delete', { simple: true })).toBe(1);
    expect(conn.db.pragma('synchronous', { simple: true })).toBe(2);
    conn.close();
    await vault.close();
  });

  it('concurrent subject creations share one durable transaction; each caller gets its own answer', async () => {
    const conn = new SqliteVaultConnection(join(dir, 'vault.db'));
    const vault = new SqliteKeyVault(conn);
    await vault.init();
    const transactions = jest.spyOn(conn.db, 'transaction');
    const candidate = (i: number) => ({
      lookupHash: Buffer.from(`hash-${i < 40 ? i % 30 : i}`),
      subjectId: `s_${i}`,
      wrappedKey: randomBytes(40),
    });
    // 40 callers in one loop turn, ten of them racing for names another caller creates.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => vault.resolveSubjects('contoso', [candidate(i)])),
    );
    expect(transactions).toHaveBeenCalledTimes(1);
    results.forEach(([r], i) => {
      expect(r.subjectId).toBe(`s_${i % 30}`);
      expect(r.created).toBe(i < 30);
    });
    // A resolve queued right before close is committed, not dropped.
    const last = vault.resolveSubjects('contoso', [candidate(99)]);
    await vault.close();
    await expect(last).resolves.toEqual([
      expect.objectContaining({ subjectId: 's_99', created: true }),
    ]);
  });

  it('works in memory for fast tests', async () => {
    const vault = openSqliteVault(':memory:');
    await vault.init();
    const keyring = new Keyring(vault.keyVault, masterKeyFromBytes(randomBytes(32)), systemClock);
    await keyring.ensureTenant('contoso');
    const kim = (await keyring.resolveSubjects('contoso', ['kim@contoso.com'])).get(
      'kim@contoso.com',
    )!;
    expect(await keyring.eraseSubject('contoso', kim.subjectId)).toBe(true);
    await vault.close();
  });
});
