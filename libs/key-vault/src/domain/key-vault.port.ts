/**
 * The key vault port: wrapped keys and the name index, the only place that can link a
 * person's name to their subject id. Deleting a row here is what erases a person.
 *
 * Adapters: SQLite (its own file, never the event log's), PostgreSQL. Both pass
 * `keyVaultContract` in `@authtrail/testing`.
 */

/** A key wrapped (AES-256-GCM) under its parent key. Opaque bytes to the vault. */
export type WrappedKey = Uint8Array;

export interface TenantKeyRecord {
  readonly tenantId: string;
  /** Tenant key wrapped under the master key. */
  readonly wrappedKey: WrappedKey;
  /** Id of the master key that wrapped it (rotation re-wraps and changes it). */
  readonly masterKeyId: string;
  readonly createdAt: Date;
}

export interface SubjectKeyRecord {
  readonly subjectId: string;
  /** Data key wrapped under the tenant key. */
  readonly wrappedKey: WrappedKey;
}

/** A subject to create if no subject has this lookup hash yet. */
export interface SubjectCandidate {
  /** HMAC(tenant lookup key, normalised user principal name). */
  readonly lookupHash: Uint8Array;
  /** Random id to use if the subject is created now. */
  readonly subjectId: string;
  /** Fresh data key, wrapped, to use if the subject is created now. */
  readonly wrappedKey: WrappedKey;
}

export interface ResolvedSubject extends SubjectKeyRecord {
  /** True when this call created the subject (the candidate won). */
  readonly created: boolean;
}

export interface KeyVault {
  /** Creates the store's tables if missing. Idempotent. */
  init(): Promise<void>;

  getTenantKey(tenantId: string): Promise<TenantKeyRecord | null>;
  /**
   * Stores the tenant key unless one exists; returns the stored record (the existing one
   * when another caller won the race).
   */
  putTenantKey(record: TenantKeyRecord): Promise<TenantKeyRecord>;
  listTenantKeys(): Promise<TenantKeyRecord[]>;
  /** Replaces wrapped tenant keys (master key rotation), all or nothing. */
  rewrapTenantKeys(records: readonly TenantKeyRecord[]): Promise<void>;
  /**
   * Deletes the tenant key and every subject key and lookup row of the tenant, then
   * scrubs the freed bytes (see `deleteSubject`). Returns the number of subjects deleted.
   */
  deleteTenant(tenantId: string): Promise<number>;

  /** Finds subjects by lookup hash; the map is keyed by the hash in hex. */
  findSubjects(
    tenantId: string,
    lookupHashes: readonly Uint8Array[],
  ): Promise<Map<string, SubjectKeyRecord>>;
  /**
   * Insert-or-get for each candidate, atomically and safe under concurrent callers: the
   * result (same order as `candidates`) is the stored subject for each lookup hash.
   */
  resolveSubjects(
    tenantId: string,
    candidates: readonly SubjectCandidate[],
  ): Promise<ResolvedSubject[]>;
  /** Wrapped data keys by subject id; erased or unknown subjects are absent. */
  getSubjectKeys(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, WrappedKey>>;
  /**
   * Deletes the subject's key and its lookup row so that the bytes are gone from the
   * vault's files: SQLite runs with `secure_delete` and truncates its WAL afterwards;
   * PostgreSQL vacuums the tables. Returns false when no such subject exists.
   */
  deleteSubject(tenantId: string, subjectId: string): Promise<boolean>;

  close(): Promise<void>;
}

export const KEY_VAULT = Symbol('KeyVault');
