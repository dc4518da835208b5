import { SubjectCandidate } from '@authtrail/key-vault';
import { InMemoryKeyVault, InMemoryKeyVaultData } from './in-memory-key-vault';
import { KeyVaultHarness, keyVaultContract, keyVaultContractCases } from './key-vault.contract';

function harness(make: (data: InMemoryKeyVaultData) => InMemoryKeyVault): KeyVaultHarness {
  const data = new InMemoryKeyVaultData();
  return { open: async () => make(data), dispose: async () => undefined };
}

keyVaultContract('in memory', async () => harness((d) => new InMemoryKeyVault(d)));

/** Forgets the name index row on deletion: the erased person stays linkable to a later event. */
class KeepsLookupVault extends InMemoryKeyVault {
  override async deleteSubject(tenantId: string, subjectId: string): Promise<boolean> {
    const row = this.data.subjects.get(tenantId)?.get(subjectId);
    if (!row) return false;
    row.wrappedKey = new Uint8Array(0);
    return true;
  }
}

/** Not atomic: every caller inserts its own candidate (a check-then-insert race). */
class RacyVault extends InMemoryKeyVault {
  override async resolveSubjects(tenantId: string, candidates: readonly SubjectCandidate[]) {
    const found = await this.findSubjects(
      tenantId,
      candidates.map((c) => c.lookupHash),
    );
    await new Promise((r) => setImmediate(r));
    return candidates.map((c) => {
      const hit = found.get(Buffer.from(c.lookupHash).toString('hex'));
      if (hit) return { ...hit, created: false };
      this.data.tenantSubjects(tenantId).set(c.subjectId, {
        subjectId: c.subjectId,
        lookupHash: Buffer.from(c.lookupHash).toString('hex'),
        wrappedKey: c.wrappedKey,
      });
      return { subjectId: c.subjectId, wrappedKey: c.wrappedKey, created: true };
    });
  }
}

/** Ignores the tenant on reads. */
class LeakyVault extends InMemoryKeyVault {
  override async getSubjectKeys(_tenantId: string, subjectIds: readonly string[]) {
    const out = new Map<string, Uint8Array>();
    for (const rows of this.data.subjects.values())
      for (const id of subjectIds) if (rows.has(id)) out.set(id, rows.get(id)!.wrappedKey);
    return out;
  }
}

describe('the key vault contract catches broken adapters', () => {
  const run = (name: string, h: KeyVaultHarness) =>
    keyVaultContractCases.find((c) => c.name.startsWith(name))!.run(h);

  it('a vault that keeps the lookup row at erasure', async () => {
    await expect(
      run(
        'deleting a subject removes',
        harness((d) => new KeepsLookupVault(d)),
      ),
    ).rejects.toThrow();
  });

  it('a vault whose insert-or-get is not atomic', async () => {
    await expect(
      run(
        'concurrent resolves',
        harness((d) => new RacyVault(d)),
      ),
    ).rejects.toThrow();
  });

  it('a vault that reads across tenants', async () => {
    await expect(
      run(
        'tenants are isolated',
        harness((d) => new LeakyVault(d)),
      ),
    ).rejects.toThrow();
  });
});
