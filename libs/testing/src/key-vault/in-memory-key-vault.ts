import {
  KeyVault,
  KeyVaultConflictError,
  ResolvedSubject,
  SubjectCandidate,
  SubjectKeyRecord,
  TenantKeyRecord,
  WrappedKey,
} from '@authtrail/key-vault';

interface SubjectRow {
  subjectId: string;
  lookupHash: string;
  wrappedKey: Uint8Array;
}

/** The data behind `InMemoryKeyVault`s; share one between several vaults to model several connections. */
export class InMemoryKeyVaultData {
  readonly tenants = new Map<string, TenantKeyRecord>();
  /** tenant → subject id → row */
  readonly subjects = new Map<string, Map<string, SubjectRow>>();

  tenantSubjects(tenantId: string): Map<string, SubjectRow> {
    let m = this.subjects.get(tenantId);
    if (!m) {
      m = new Map();
      this.subjects.set(tenantId, m);
    }
    return m;
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/** A `KeyVault` in memory, for unit tests of code that uses a vault. Passes `keyVaultContract`. */
export class InMemoryKeyVault implements KeyVault {
  constructor(readonly data: InMemoryKeyVaultData = new InMemoryKeyVaultData()) {}

  async init(): Promise<void> {}

  async getTenantKey(tenantId: string): Promise<TenantKeyRecord | null> {
    return this.data.tenants.get(tenantId) ?? null;
  }

  async putTenantKey(record: TenantKeyRecord): Promise<TenantKeyRecord> {
    if (!this.data.tenants.has(record.tenantId))
      this.data.tenants.set(record.tenantId, { ...record, wrappedKey: copy(record.wrappedKey) });
    return this.data.tenants.get(record.tenantId)!;
  }

  async listTenantKeys(): Promise<TenantKeyRecord[]> {
    return [...this.data.tenants.values()].sort((a, b) => (a.tenantId < b.tenantId ? -1 : 1));
  }

  async rewrapTenantKeys(records: readonly TenantKeyRecord[]): Promise<void> {
    const missing = records.find((r) => !this.data.tenants.has(r.tenantId));
    if (missing)
      throw new KeyVaultConflictError(
        'KEY_VAULT.REWRAP_UNKNOWN_TENANT',
        `cannot rewrap: tenant ${missing.tenantId} has no key`,
      );
    for (const r of records) {
      const old = this.data.tenants.get(r.tenantId)!;
      this.data.tenants.set(r.tenantId, {
        ...old,
        wrappedKey: copy(r.wrappedKey),
        masterKeyId: r.masterKeyId,
      });
    }
  }

  async deleteTenant(tenantId: string): Promise<number> {
    const n = this.data.subjects.get(tenantId)?.size ?? 0;
    this.data.subjects.delete(tenantId);
    this.data.tenants.delete(tenantId);
    return n;
  }

  async findSubjects(
    tenantId: string,
    lookupHashes: readonly Uint8Array[],
  ): Promise<Map<string, SubjectKeyRecord>> {
    const wanted = new Set(lookupHashes.map(hex));
    const out = new Map<string, SubjectKeyRecord>();
    for (const row of this.data.subjects.get(tenantId)?.values() ?? []) {
      if (wanted.has(row.lookupHash))
        out.set(row.lookupHash, { subjectId: row.subjectId, wrappedKey: copy(row.wrappedKey) });
    }
    return out;
  }

  async resolveSubjects(
    tenantId: string,
    candidates: readonly SubjectCandidate[],
  ): Promise<ResolvedSubject[]> {
    const rows = this.data.tenantSubjects(tenantId);
    return candidates.map((c) => {
      const lh = hex(c.lookupHash);
      const existing = [...rows.values()].find((r) => r.lookupHash === lh);
      if (existing)
        return {
          subjectId: existing.subjectId,
          wrappedKey: copy(existing.wrappedKey),
          created: false,
        };
      rows.set(c.subjectId, {
        subjectId: c.subjectId,
        lookupHash: lh,
        wrappedKey: copy(c.wrappedKey),
      });
      return { subjectId: c.subjectId, wrappedKey: copy(c.wrappedKey), created: true };
    });
  }

  async getSubjectKeys(
    tenantId: string,
    subjectIds: readonly string[],
  ): Promise<Map<string, WrappedKey>> {
    const rows = this.data.subjects.get(tenantId);
    const out = new Map<string, WrappedKey>();
    for (const id of subjectIds) {
      const row = rows?.get(id);
      if (row) out.set(id, copy(row.wrappedKey));
    }
    return out;
  }

  async deleteSubject(tenantId: string, subjectId: string): Promise<boolean> {
    return this.data.subjects.get(tenantId)?.delete(subjectId) ?? false;
  }

  async close(): Promise<void> {}
}
