import { CredentialRecord, CredentialStore, Role } from '../domain/credential-store.port';
import { KeyVaultConflictError } from '../domain/key-vault.errors';
import { TOUCH_INTERVAL_MS, TouchCoalescer } from './credential-touch';
import { PgVaultConnection, withSchemaLock } from './pg-vault.connection';

interface CredentialRow {
  id: string;
  tenant_id: string;
  name: string;
  roles: string[];
  secret_hash: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_credentials (
  id           text        NOT NULL PRIMARY KEY,
  tenant_id    text        NOT NULL,
  name         text        NOT NULL,
  roles        text[]      NOT NULL,
  secret_hash  text        NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX IF NOT EXISTS api_credentials_tenant ON api_credentials (tenant_id, created_at);
`;

function toRecord(row: CredentialRow): CredentialRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    roles: row.roles as Role[],
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/** API credentials in the key vault's PostgreSQL database. See `CredentialStore`. */
export class PgCredentialStore implements CredentialStore {
  private readonly touches = new TouchCoalescer();
  private closed = false;

  constructor(private readonly conn: PgVaultConnection) {
    conn.acquire();
  }

  async init(): Promise<void> {
    await withSchemaLock(this.conn, SCHEMA);
  }

  async insert(r: CredentialRecord): Promise<void> {
    const rows = await this.conn.query(
      `INSERT INTO api_credentials (id, tenant_id, name, roles, secret_hash, created_at, expires_at, revoked_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
      [
        r.id,
        r.tenantId,
        r.name,
        [...r.roles],
        r.secretHash,
        r.createdAt,
        r.expiresAt,
        r.revokedAt,
        r.lastUsedAt,
      ],
    );
    if (rows.length !== 1)
      throw new KeyVaultConflictError(
        'CREDENTIAL.ID_CONFLICT',
        `credential ${r.id} already exists`,
      );
  }

  async findById(id: string): Promise<CredentialRecord | null> {
    const [row] = await this.conn.query<CredentialRow>(
      'SELECT * FROM api_credentials WHERE id = $1',
      [id],
    );
    return row ? toRecord(row) : null;
  }

  async listByTenant(tenantId: string): Promise<CredentialRecord[]> {
    const rows = await this.conn.query<CredentialRow>(
      'SELECT * FROM api_credentials WHERE tenant_id = $1 ORDER BY created_at, id',
      [tenantId],
    );
    return rows.map(toRecord);
  }

  async revoke(tenantId: string, id: string, at: Date): Promise<boolean> {
    const rows = await this.conn.query(
      'UPDATE api_credentials SET revoked_at = COALESCE(revoked_at, $1) WHERE tenant_id = $2 AND id = $3 RETURNING id',
      [at, tenantId, id],
    );
    return rows.length === 1;
  }

  async touch(id: string, at: Date): Promise<void> {
    if (!this.touches.shouldWrite(id, at)) return;
    // The WHERE clause coalesces across replicas too.
    await this.conn.query(
      'UPDATE api_credentials SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)',
      [at, id, new Date(at.getTime() - TOUCH_INTERVAL_MS)],
    );
    this.touches.wrote(id, at);
  }

  async deleteTenant(tenantId: string): Promise<number> {
    const rows = await this.conn.query<{ id: string }>(
      'DELETE FROM api_credentials WHERE tenant_id = $1 RETURNING id',
      [tenantId],
    );
    this.touches.forget(rows.map((r) => r.id));
    return rows.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.release();
  }
}
