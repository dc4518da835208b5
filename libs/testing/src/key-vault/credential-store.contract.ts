import { randomBytes } from 'node:crypto';
import { CredentialRecord, CredentialStore } from '@authtrail/key-vault';
import type { ContractCase } from './key-vault.contract';

/** Opens connections to one store under test. Every `open()` is a new, initialised connection to the same data. */
export interface CredentialStoreHarness {
  open(): Promise<CredentialStore>;
  dispose(): Promise<void>;
}

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const tenant = (): string => `t-${randomBytes(5).toString('hex')}`;

function credential(tenantId: string, overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  return {
    id: `ak_${randomBytes(8).toString('hex')}`,
    tenantId,
    name: 'producer key',
    roles: ['producer', 'reader'],
    secretHash: randomBytes(32).toString('hex'),
    createdAt: T0,
    expiresAt: at(86_400_000),
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

const plain = (r: CredentialRecord | null) =>
  r && {
    ...r,
    roles: [...r.roles],
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  };

async function withStore(
  h: CredentialStoreHarness,
  fn: (s: CredentialStore) => Promise<void>,
): Promise<void> {
  const s = await h.open();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

export const credentialStoreContractCases: readonly ContractCase<CredentialStoreHarness>[] = [
  {
    name: 'inserts and finds a credential by id, every field intact',
    run: (h) =>
      withStore(h, async (s) => {
        const c = credential(tenant(), { roles: ['privacy-admin'], expiresAt: null });
        await s.insert(c);
        expect(plain(await s.findById(c.id))).toEqual(plain(c));
        expect(await s.findById('ak_unknown')).toBeNull();
      }),
  },
  {
    name: 'rejects a second credential with the same id and keeps the first',
    run: (h) =>
      withStore(h, async (s) => {
        const c = credential(tenant());
        await s.insert(c);
        await expect(
          s.insert({ ...c, tenantId: tenant(), secretHash: 'ff'.repeat(32) }),
        ).rejects.toThrow();
        expect(plain(await s.findById(c.id))).toEqual(plain(c));
      }),
  },
  {
    name: 'lists only the tenant’s own credentials, oldest first',
    run: (h) =>
      withStore(h, async (s) => {
        const [a, b] = [tenant(), tenant()];
        const later = credential(a, { createdAt: at(5000) });
        const earlier = credential(a, { createdAt: at(1000) });
        await s.insert(later);
        await s.insert(earlier);
        await s.insert(credential(b));
        expect((await s.listByTenant(a)).map((r) => r.id)).toEqual([earlier.id, later.id]);
        expect(await s.listByTenant(tenant())).toEqual([]);
      }),
  },
  {
    name: 'revokes only within the tenant; revoking twice keeps the first time',
    run: (h) =>
      withStore(h, async (s) => {
        const c = credential(tenant());
        await s.insert(c);
        expect(await s.revoke(tenant(), c.id, at(1000))).toBe(false);
        expect((await s.findById(c.id))!.revokedAt).toBeNull();
        expect(await s.revoke(c.tenantId, 'ak_unknown', at(1000))).toBe(false);
        expect(await s.revoke(c.tenantId, c.id, at(2000))).toBe(true);
        expect((await s.findById(c.id))!.revokedAt!.toISOString()).toBe(at(2000).toISOString());
        expect(await s.revoke(c.tenantId, c.id, at(3000))).toBe(true);
        expect((await s.findById(c.id))!.revokedAt!.toISOString()).toBe(at(2000).toISOString());
      }),
  },
  {
    name: 'records use, at least once a minute',
    run: (h) =>
      withStore(h, async (s) => {
        const c = credential(tenant());
        await s.insert(c);
        await s.touch(c.id, at(1000));
        expect((await s.findById(c.id))!.lastUsedAt!.toISOString()).toBe(at(1000).toISOString());
        await s.touch(c.id, at(20_000));
        const coalesced = (await s.findById(c.id))!.lastUsedAt!.getTime();
        expect(coalesced).toBeGreaterThanOrEqual(at(1000).getTime());
        expect(coalesced).toBeLessThanOrEqual(at(20_000).getTime());
        await s.touch(c.id, at(125_000));
        expect((await s.findById(c.id))!.lastUsedAt!.toISOString()).toBe(at(125_000).toISOString());
        await s.touch('ak_unknown', at(1000));
        expect(await s.findById('ak_unknown')).toBeNull();
      }),
  },
  {
    name: 'deletes every credential of a tenant and nothing else',
    run: (h) =>
      withStore(h, async (s) => {
        const [a, b] = [tenant(), tenant()];
        await s.insert(credential(a));
        await s.insert(credential(a));
        const kept = credential(b);
        await s.insert(kept);
        expect(await s.deleteTenant(a)).toBe(2);
        expect(await s.listByTenant(a)).toEqual([]);
        expect(plain(await s.findById(kept.id))).toEqual(plain(kept));
        expect(await s.deleteTenant(a)).toBe(0);
      }),
  },
  {
    name: 'a revocation is seen by another connection at once',
    run: async (h) => {
      const [s1, s2] = [await h.open(), await h.open()];
      try {
        const c = credential(tenant());
        await s1.insert(c);
        expect((await s2.findById(c.id))!.revokedAt).toBeNull();
        await s1.revoke(c.tenantId, c.id, at(1000));
        expect((await s2.findById(c.id))!.revokedAt).not.toBeNull();
      } finally {
        await s1.close();
        await s2.close();
      }
    },
  },
];

/** Registers the credential store contract (jest) for one adapter. */
export function credentialStoreContract(
  name: string,
  makeHarness: () => Promise<CredentialStoreHarness>,
): void {
  describe(`CredentialStore contract: ${name}`, () => {
    let harness: CredentialStoreHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.dispose();
    });
    for (const c of credentialStoreContractCases) {
      it(c.name, () => c.run(harness));
    }
  });
}
