import {
  KeyVault,
  ResolvedSubject,
  SubjectCandidate,
  SubjectKeyRecord,
  TenantKeyRecord,
  WrappedKey,
} from '../domain/key-vault.port';
import { KeyVaultConflictError } from '../domain/key-vault.errors';
import { isRetriableConflict, PgVaultConnection, withSchemaLock } from './pg-vault.connection';

interface TenantRow {
  tenant_id: string;
  wrapped_key: Buffer;
  master_key_id: string;
  created_at: Date;
}

interface SubjectRow {
  subject_id: string;
  lookup_hash: Buffer;
  wrapped_key: Buffer;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS vault_tenant_keys (
  tenant_id     text        NOT NULL PRIMARY KEY,
  wrapped_key   bytea       NOT NULL,
  master_key_id text        NOT NULL,
  created_at    timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS vault_subject_keys (
  tenant_id   text  NOT NULL,
  subject_id  text  NOT NULL,
  lookup_hash bytea NOT NULL,
  wrapped_key bytea NOT NULL,
  PRIMARY KEY (tenant_id, subject_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS vault_subject_keys_lookup ON vault_subject_keys (tenant_id, lookup_hash);
-- ANALYZE would copy sample values (histogram bounds) of these columns into pg_statistic,
-- where an erasure could not reach them.
ALTER TABLE vault_subject_keys ALTER COLUMN lookup_hash SET STATISTICS 0, ALTER COLUMN wrapped_key SET STATISTICS 0;
ALTER TABLE vault_tenant_keys ALTER COLUMN wrapped_key SET STATISTICS 0;
`;

const RESOLVE_ATTEMPTS = 5;

function toTenantRecord(row: TenantRow): TenantKeyRecord {
  return {
    tenantId: row.tenant_id,
    wrappedKey: new Uint8Array(row.wrapped_key),
    masterKeyId: row.master_key_id,
    createdAt: row.created_at,
  };
}

/** Key vault in PostgreSQL. See `KeyVault`. */
export class PgKeyVault implements KeyVault {
  private closed = false;

  constructor(private readonly conn: PgVaultConnection) {
    conn.acquire();
  }

  async init(): Promise<void> {
    await withSchemaLock(this.conn, SCHEMA);
  }

  async getTenantKey(tenantId: string): Promise<TenantKeyRecord | null> {
    const [row] = await this.conn.query<TenantRow>(
      'SELECT * FROM vault_tenant_keys WHERE tenant_id = $1',
      [tenantId],
    );
    return row ? toTenantRecord(row) : null;
  }

  async putTenantKey(r: TenantKeyRecord): Promise<TenantKeyRecord> {
    await this.conn.query(
      'INSERT INTO vault_tenant_keys (tenant_id, wrapped_key, master_key_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [r.tenantId, Buffer.from(r.wrappedKey), r.masterKeyId, r.createdAt],
    );
    const stored = await this.getTenantKey(r.tenantId);
    if (!stored)
      throw new KeyVaultConflictError(
        'KEY_VAULT.TENANT_DELETED',
        `tenant ${r.tenantId} was deleted while its key was stored`,
      );
    return stored;
  }

  async listTenantKeys(): Promise<TenantKeyRecord[]> {
    return (
      await this.conn.query<TenantRow>('SELECT * FROM vault_tenant_keys ORDER BY tenant_id')
    ).map(toTenantRecord);
  }

  async rewrapTenantKeys(records: readonly TenantKeyRecord[]): Promise<void> {
    await this.conn.transaction(async (client) => {
      for (const r of records) {
        const res = await client.query(
          'UPDATE vault_tenant_keys SET wrapped_key = $1, master_key_id = $2 WHERE tenant_id = $3',
          [Buffer.from(r.wrappedKey), r.masterKeyId, r.tenantId],
        );
        if (res.rowCount !== 1) {
          throw new KeyVaultConflictError(
            'KEY_VAULT.REWRAP_UNKNOWN_TENANT',
            `cannot rewrap: tenant ${r.tenantId} has no key`,
          );
        }
      }
    });
    await this.scrub('vault_tenant_keys');
  }

  async deleteTenant(tenantId: string): Promise<number> {
    const deleted = await this.conn.transaction(async (client) => {
      const res = await client.query('DELETE FROM vault_subject_keys WHERE tenant_id = $1', [
        tenantId,
      ]);
      await client.query('DELETE FROM vault_tenant_keys WHERE tenant_id = $1', [tenantId]);
      return res.rowCount ?? 0;
    });
    await this.scrub('vault_subject_keys', 'vault_tenant_keys');
    return deleted;
  }

  async findSubjects(
    tenantId: string,
    lookupHashes: readonly Uint8Array[],
  ): Promise<Map<string, SubjectKeyRecord>> {
    const out = new Map<string, SubjectKeyRecord>();
    if (lookupHashes.length === 0) return out;
    for (const row of await this.selectByHashes(
      tenantId,
      lookupHashes.map((h) => Buffer.from(h)),
    )) {
      out.set(row.lookup_hash.toString('hex'), {
        subjectId: row.subject_id,
        wrappedKey: new Uint8Array(row.wrapped_key),
      });
    }
    return out;
  }

  async resolveSubjects(
    tenantId: string,
    candidates: readonly SubjectCandidate[],
  ): Promise<ResolvedSubject[]> {
    if (candidates.length === 0) return [];
    const hashes = candidates.map((c) => Buffer.from(c.lookupHash));
    for (let attempt = 1; ; attempt++) {
      try {
        // Inserting in lookup-hash order makes concurrent batches wait on each other in one
        // order, so overlapping batches cannot deadlock.
        const inserted = await this.conn.query<{ subject_id: string }>(
          `INSERT INTO vault_subject_keys (tenant_id, subject_id, lookup_hash, wrapped_key)
           SELECT $1, c.subject_id, c.lookup_hash, c.wrapped_key
             FROM unnest($2::text[], $3::bytea[], $4::bytea[]) AS c(subject_id, lookup_hash, wrapped_key)
            ORDER BY c.lookup_hash
           ON CONFLICT DO NOTHING
           RETURNING subject_id`,
          [
            tenantId,
            candidates.map((c) => c.subjectId),
            hashes,
            candidates.map((c) => Buffer.from(c.wrappedKey)),
          ],
        );
        const created = new Set(inserted.map((r) => r.subject_id));
        const stored = new Map(
          (await this.selectByHashes(tenantId, hashes)).map((r) => [
            r.lookup_hash.toString('hex'),
            r,
          ]),
        );
        const seen = new Set<string>();
        const result = candidates.map((c, i): ResolvedSubject | null => {
          const row = stored.get(hashes[i].toString('hex'));
          if (!row) return null;
          // A duplicate hash within the batch: only its first occurrence reports the creation.
          const first = !seen.has(row.subject_id);
          seen.add(row.subject_id);
          return {
            subjectId: row.subject_id,
            wrappedKey: new Uint8Array(row.wrapped_key),
            created: first && created.has(row.subject_id),
          };
        });
        // A row erased between our insert and the re-select: insert again.
        if (result.every((r) => r !== null)) return result;
      } catch (e) {
        if (!isRetriableConflict(e) || attempt >= RESOLVE_ATTEMPTS) throw e;
      }
      if (attempt >= RESOLVE_ATTEMPTS) {
        throw new KeyVaultConflictError(
          'KEY_VAULT.RESOLVE_UNSETTLED',
          'subjects kept disappearing while being resolved',
        );
      }
    }
  }

  async getSubjectKeys(
    tenantId: string,
    subjectIds: readonly string[],
  ): Promise<Map<string, WrappedKey>> {
    const out = new Map<string, WrappedKey>();
    if (subjectIds.length === 0) return out;
    const rows = await this.conn.query<{ subject_id: string; wrapped_key: Buffer }>(
      'SELECT subject_id, wrapped_key FROM vault_subject_keys WHERE tenant_id = $1 AND subject_id = ANY($2::text[])',
      [tenantId, [...subjectIds]],
    );
    for (const r of rows) out.set(r.subject_id, new Uint8Array(r.wrapped_key));
    return out;
  }

  async deleteSubject(tenantId: string, subjectId: string): Promise<boolean> {
    const rows = await this.conn.query(
      'DELETE FROM vault_subject_keys WHERE tenant_id = $1 AND subject_id = $2 RETURNING subject_id',
      [tenantId, subjectId],
    );
    await this.scrub('vault_subject_keys');
    return rows.length > 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.release();
  }

  private selectByHashes(tenantId: string, hashes: Buffer[]): Promise<SubjectRow[]> {
    return this.conn.query<SubjectRow>(
      'SELECT subject_id, lookup_hash, wrapped_key FROM vault_subject_keys WHERE tenant_id = $1 AND lookup_hash = ANY($2::bytea[])',
      [tenantId, hashes],
    );
  }

  /**
   * Rewrites the tables so deleted keys leave no bytes in their files. Plain VACUUM is not
   * enough: it compacts pages without zeroing the gaps, and in tests a few percent of
   * deleted keys and lookup hashes stayed readable in the heap and both indexes. VACUUM
   * FULL writes new files and drops the old ones, at the cost of an exclusive lock on the
   * table for the rewrite (https://www.postgresql.org/docs/15/sql-vacuum.html). It cannot
   * run in a transaction block, hence one statement per table.
   */
  private async scrub(...tables: ('vault_subject_keys' | 'vault_tenant_keys')[]): Promise<void> {
    for (const table of tables) await this.conn.query(`VACUUM (FULL) ${table}`);
  }
}
