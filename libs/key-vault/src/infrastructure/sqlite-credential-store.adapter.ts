import { CredentialRecord, CredentialStore, Role } from '../domain/credential-store.port';
import { KeyVaultConflictError } from '../domain/key-vault.errors';
import { TOUCH_INTERVAL_MS, TouchCoalescer } from './credential-touch';
import { settle, SqliteVaultConnection } from './sqlite-vault.connection';

interface CredentialRow {
  id: string;
  tenant_id: string;
  name: string;
  roles: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_credentials (
  id           TEXT    NOT NULL PRIMARY KEY,
  tenant_id    TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  roles        TEXT    NOT NULL,
  secret_hash  TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,
  revoked_at   INTEGER,
  last_used_at INTEGER
);
CREATE INDEX IF NOT EXISTS api_credentials_tenant ON api_credentials (tenant_id, created_at);
`;

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

function toRecord(row: CredentialRow): CredentialRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    roles: JSON.parse(row.roles) as Role[],
    secretHash: row.secret_hash,
    createdAt: new Date(row.created_at),
    expiresAt: date(row.expires_at),
    revokedAt: date(row.revoked_at),
    lastUsedAt: date(row.last_used_at),
  };
}

/** API credentials in the key vault's SQLite file. See `CredentialStore`. */
export class SqliteCredentialStore implements CredentialStore {
  private readonly touches = new TouchCoalescer();
  private closed = false;

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

  insert(r: CredentialRecord): Promise<void> {
    return settle(() => {
      const info = this.conn
        .prepare(
          `INSERT INTO api_credentials (id, tenant_id, name, roles, secret_hash, created_at, expires_at, revoked_at, last_used_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .run(
          r.id,
          r.tenantId,
          r.name,
          JSON.stringify(r.roles),
          r.secretHash,
          r.createdAt.getTime(),
          r.expiresAt?.getTime() ?? null,
          r.revokedAt?.getTime() ?? null,
          r.lastUsedAt?.getTime() ?? null,
        );
      if (info.changes !== 1)
        throw new KeyVaultConflictError(
          'CREDENTIAL.ID_CONFLICT',
          `credential ${r.id} already exists`,
        );
    });
  }

  findById(id: string): Promise<CredentialRecord | null> {
    return settle(() => {
      const row = this.conn.prepare('SELECT * FROM api_credentials WHERE id = ?').get(id) as
        CredentialRow | undefined;
      return row ? toRecord(row) : null;
    });
  }

  listByTenant(tenantId: string): Promise<CredentialRecord[]> {
    return settle(() => {
      const rows = this.conn
        .prepare('SELECT * FROM api_credentials WHERE tenant_id = ? ORDER BY created_at, id')
        .all(tenantId) as CredentialRow[];
      return rows.map(toRecord);
    });
  }

  revoke(tenantId: string, id: string, at: Date): Promise<boolean> {
    return settle(() => {
      const info = this.conn
        .prepare(
          'UPDATE api_credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE tenant_id = ? AND id = ?',
        )
        .run(at.getTime(), tenantId, id);
      return info.changes === 1;
    });
  }

  touch(id: string, at: Date): Promise<void> {
    return settle(() => {
      if (!this.touches.shouldWrite(id, at)) return;
      this.conn
        .prepare(
          'UPDATE api_credentials SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)',
        )
        .run(at.getTime(), id, at.getTime() - TOUCH_INTERVAL_MS);
      this.touches.wrote(id, at);
    });
  }

  deleteTenant(tenantId: string): Promise<number> {
    return settle(() => {
      const ids = (
        this.conn.prepare('SELECT id FROM api_credentials WHERE tenant_id = ?').all(tenantId) as {
          id: string;
        }[]
      ).map((r) => r.id);
      const deleted = this.conn
        .prepare('DELETE FROM api_credentials WHERE tenant_id = ?')
        .run(tenantId).changes;
      this.touches.forget(ids);
      return deleted;
    });
  }

  close(): Promise<void> {
    return settle(() => {
      if (this.closed) return;
      this.closed = true;
      this.conn.release();
    });
  }
}
