import {
  KeyVault,
  ResolvedSubject,
  SubjectCandidate,
  SubjectKeyRecord,
  TenantKeyRecord,
  WrappedKey,
} from '../domain/key-vault.port';
import { KeyVaultConflictError } from '../domain/key-vault.errors';
import { settle, SqliteVaultConnection } from './sqlite-vault.connection';

interface TenantRow {
  tenant_id: string;
  wrapped_key: Buffer;
  master_key_id: string;
  created_at: number;
}

interface SubjectRow {
  subject_id: string;
  wrapped_key: Buffer;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS vault_tenant_keys (
  tenant_id     TEXT    NOT NULL PRIMARY KEY,
  wrapped_key   BLOB    NOT NULL,
  master_key_id TEXT    NOT NULL,
  created_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vault_subject_keys (
  tenant_id   TEXT NOT NULL,
  subject_id  TEXT NOT NULL,
  lookup_hash BLOB NOT NULL,
  wrapped_key BLOB NOT NULL,
  PRIMARY KEY (tenant_id, subject_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS vault_subject_keys_lookup ON vault_subject_keys (tenant_id, lookup_hash);
`;

function toTenantRecord(row: TenantRow): TenantKeyRecord {
  return {
    tenantId: row.tenant_id,
    wrappedKey: new Uint8Array(row.wrapped_key),
    masterKeyId: row.master_key_id,
    createdAt: new Date(row.created_at),
  };
}

/** Key vault in its own SQLite file (never the event log's). See `KeyVault`. */
interface PendingResolve {
  readonly tenantId: string;
  readonly candidates: readonly SubjectCandidate[];
  readonly resolve: (stored: ResolvedSubject[]) => void;
  readonly reject: (error: Error) => void;
}

export class SqliteKeyVault implements KeyVault {
  private closed = false;
  private pendingResolves: PendingResolve[] = [];

  constructor(private readonly conn: SqliteVaultConnection) {
    conn.acquire();
  }

  private get db() {
    return this.conn.db;
  }

  init(): Promise<void> {
    return settle(() => {
      this.db.exec(SCHEMA);
    });
  }

  getTenantKey(tenantId: string): Promise<TenantKeyRecord | null> {
    return settle(() => {
      const row = this.conn
        .prepare('SELECT * FROM vault_tenant_keys WHERE tenant_id = ?')
        .get(tenantId) as TenantRow | undefined;
      return row ? toTenantRecord(row) : null;
    });
  }

  putTenantKey(record: TenantKeyRecord): Promise<TenantKeyRecord> {
    return settle(() => {
      const run = this.db.transaction((r: TenantKeyRecord) => {
        this.conn
          .prepare(
            'INSERT INTO vault_tenant_keys (tenant_id, wrapped_key, master_key_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
          )
          .run(r.tenantId, Buffer.from(r.wrappedKey), r.masterKeyId, r.createdAt.getTime());
        return this.conn
          .prepare('SELECT * FROM vault_tenant_keys WHERE tenant_id = ?')
          .get(r.tenantId) as TenantRow;
      });
      return toTenantRecord(run.immediate(record));
    });
  }

  listTenantKeys(): Promise<TenantKeyRecord[]> {
    return settle(() => {
      const rows = this.conn
        .prepare('SELECT * FROM vault_tenant_keys ORDER BY tenant_id')
        .all() as TenantRow[];
      return rows.map(toTenantRecord);
    });
  }

  async rewrapTenantKeys(records: readonly TenantKeyRecord[]): Promise<void> {
    const update = this.conn.prepare(
      'UPDATE vault_tenant_keys SET wrapped_key = ?, master_key_id = ? WHERE tenant_id = ?',
    );
    const run = this.db.transaction(() => {
      for (const r of records) {
        if (update.run(Buffer.from(r.wrappedKey), r.masterKeyId, r.tenantId).changes !== 1) {
          throw new KeyVaultConflictError(
            'KEY_VAULT.REWRAP_UNKNOWN_TENANT',
            `cannot rewrap: tenant ${r.tenantId} has no key`,
          );
        }
      }
    });
    run.immediate();
    // The old wrapping (under the retired master key) must not linger in the WAL.
    await this.conn.scrubWal();
  }

  async deleteTenant(tenantId: string): Promise<number> {
    const run = this.db.transaction((t: string) => {
      const subjects = this.conn
        .prepare('DELETE FROM vault_subject_keys WHERE tenant_id = ?')
        .run(t).changes;
      this.conn.prepare('DELETE FROM vault_tenant_keys WHERE tenant_id = ?').run(t);
      return subjects;
    });
    const deleted = run.immediate(tenantId);
    await this.conn.scrubWal();
    return deleted;
  }

  findSubjects(
    tenantId: string,
    lookupHashes: readonly Uint8Array[],
  ): Promise<Map<string, SubjectKeyRecord>> {
    return settle(() => {
      const select = this.conn.prepare(
        'SELECT subject_id, wrapped_key FROM vault_subject_keys WHERE tenant_id = ? AND lookup_hash = ?',
      );
      const out = new Map<string, SubjectKeyRecord>();
      for (const hash of lookupHashes) {
        const row = select.get(tenantId, Buffer.from(hash)) as SubjectRow | undefined;
        if (row)
          out.set(Buffer.from(hash).toString('hex'), {
            subjectId: row.subject_id,
            wrappedKey: new Uint8Array(row.wrapped_key),
          });
      }
      return out;
    });
  }

  /**
   * Inserts the candidates that are new and returns what is stored for each. Concurrent
   * calls made in one event-loop turn share one transaction (and its fsync), like the
   * event store's group commit: single-event requests for new people would otherwise pay
   * one durable commit each.
   */
  resolveSubjects(
    tenantId: string,
    candidates: readonly SubjectCandidate[],
  ): Promise<ResolvedSubject[]> {
    if (this.closed) return Promise.reject(new Error('key vault is closed'));
    return new Promise((resolve, reject) => {
      this.pendingResolves.push({ tenantId, candidates, resolve, reject });
      if (this.pendingResolves.length === 1) setImmediate(() => this.flushResolves());
    });
  }

  private flushResolves(): void {
    const group = this.pendingResolves;
    this.pendingResolves = [];
    if (group.length === 0) return;
    let results: ResolvedSubject[][];
    try {
      const insert = this.conn.prepare(
        'INSERT INTO vault_subject_keys (tenant_id, subject_id, lookup_hash, wrapped_key) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      );
      const select = this.conn.prepare(
        'SELECT subject_id, wrapped_key FROM vault_subject_keys WHERE tenant_id = ? AND lookup_hash = ?',
      );
      const run = this.db.transaction(() =>
        group.map(({ tenantId, candidates }) =>
          candidates.map((c): ResolvedSubject => {
            const hash = Buffer.from(c.lookupHash);
            const created =
              insert.run(tenantId, c.subjectId, hash, Buffer.from(c.wrappedKey)).changes === 1;
            const row = select.get(tenantId, hash) as SubjectRow;
            return {
              subjectId: row.subject_id,
              wrappedKey: new Uint8Array(row.wrapped_key),
              created,
            };
          }),
        ),
      );
      results = run.immediate();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const request of group) request.reject(error);
      return;
    }
    group.forEach((request, i) => request.resolve(results[i]));
  }

  getSubjectKeys(
    tenantId: string,
    subjectIds: readonly string[],
  ): Promise<Map<string, WrappedKey>> {
    return settle(() => {
      const select = this.conn.prepare(
        'SELECT wrapped_key FROM vault_subject_keys WHERE tenant_id = ? AND subject_id = ?',
      );
      const out = new Map<string, WrappedKey>();
      for (const id of subjectIds) {
        const row = select.get(tenantId, id) as { wrapped_key: Buffer } | undefined;
        if (row) out.set(id, new Uint8Array(row.wrapped_key));
      }
      return out;
    });
  }

  /**
   * Deletes the row (key and lookup hash) and truncates the WAL. If truncation is held
   * back by a reader it throws a retriable error after the delete committed: a retry
   * returns false but still scrubs.
   */
  async deleteSubject(tenantId: string, subjectId: string): Promise<boolean> {
    const deleted =
      this.conn
        .prepare('DELETE FROM vault_subject_keys WHERE tenant_id = ? AND subject_id = ?')
        .run(tenantId, subjectId).changes > 0;
    await this.conn.scrubWal();
    return deleted;
  }

  close(): Promise<void> {
    return settle(() => {
      if (this.closed) return;
      // Resolves queued in this loop turn are committed, not dropped.
      this.flushResolves();
      this.closed = true;
      this.conn.release();
    });
  }
}
