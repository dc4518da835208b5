/**
 * Stored API credentials. Keys are never stored: only a SHA-256 of the secret part,
 * looked up by the key's public id. Lives with the key vault (same database).
 */
export type Role = 'producer' | 'reader' | 'privacy-admin' | 'tenant-admin' | 'operator';
export const ROLES: readonly Role[] = [
  'producer',
  'reader',
  'privacy-admin',
  'tenant-admin',
  'operator',
];

export interface CredentialRecord {
  /** Public key id (also the key's prefix), e.g. `ak_3f9c…`. */
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  /** SHA-256 of the secret, hex. */
  readonly secretHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface CredentialStore {
  init(): Promise<void>;
  insert(record: CredentialRecord): Promise<void>;
  findById(id: string): Promise<CredentialRecord | null>;
  listByTenant(tenantId: string): Promise<CredentialRecord[]>;
  /** Marks revoked; false when no such key in this tenant. */
  revoke(tenantId: string, id: string, at: Date): Promise<boolean>;
  /** Records use; may be coalesced by the adapter (at most one write per key per minute). */
  touch(id: string, at: Date): Promise<void>;
  /** Deletes every credential of the tenant (tenant deletion). */
  deleteTenant(tenantId: string): Promise<number>;
  close(): Promise<void>;
}

export const CREDENTIAL_STORE = Symbol('CredentialStore');
