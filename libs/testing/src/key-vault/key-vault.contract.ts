import { randomBytes } from 'node:crypto';
import { KeyVault, ResolvedSubject, SubjectCandidate, TenantKeyRecord } from '@authtrail/key-vault';

/** Opens connections to one store under test. Every `open()` is a new, initialised connection to the same data. */
export interface KeyVaultHarness {
  open(): Promise<KeyVault>;
  /** Removes the store (temp files, test database). */
  dispose(): Promise<void>;
}

export interface ContractCase<H> {
  readonly name: string;
  readonly run: (harness: H) => Promise<void>;
}

const tenant = (): string => `t-${randomBytes(5).toString('hex')}`;
const hash = (): Buffer => randomBytes(32);
const subjectId = (): string => `s_${randomBytes(16).toString('base64url')}`;
const wrapped = (): Buffer => randomBytes(61);
const candidate = (lookupHash: Uint8Array = hash()): SubjectCandidate => ({
  lookupHash,
  subjectId: subjectId(),
  wrappedKey: wrapped(),
});
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const tenantKey = (tenantId: string, masterKeyId = 'm0000001'): TenantKeyRecord => ({
  tenantId,
  wrappedKey: wrapped(),
  masterKeyId,
  createdAt: new Date('2025-03-01T10:00:00.000Z'),
});

async function withVault(h: KeyVaultHarness, fn: (v: KeyVault) => Promise<void>): Promise<void> {
  const v = await h.open();
  try {
    await fn(v);
  } finally {
    await v.close();
  }
}

async function withVaults(
  h: KeyVaultHarness,
  n: number,
  fn: (vs: KeyVault[]) => Promise<void>,
): Promise<void> {
  const vs = await Promise.all(Array.from({ length: n }, () => h.open()));
  try {
    await fn(vs);
  } finally {
    await Promise.all(vs.map((v) => v.close()));
  }
}

/** The cases of the key vault contract, exported so a broken adapter can prove each one fails. */
export const keyVaultContractCases: readonly ContractCase<KeyVaultHarness>[] = [
  {
    name: 'init is idempotent and keeps data',
    run: (h) =>
      withVault(h, async (v) => {
        const t = tenant();
        await v.putTenantKey(tenantKey(t));
        await v.init();
        expect(await v.getTenantKey(t)).not.toBeNull();
      }),
  },
  {
    name: 'stores a tenant key once; a second put returns the first record',
    run: (h) =>
      withVault(h, async (v) => {
        const t = tenant();
        expect(await v.getTenantKey(t)).toBeNull();
        const first = tenantKey(t);
        const stored = await v.putTenantKey(first);
        expect(hex(stored.wrappedKey)).toBe(hex(first.wrappedKey));
        expect(stored.masterKeyId).toBe(first.masterKeyId);
        expect(stored.createdAt.getTime()).toBe(first.createdAt.getTime());
        const again = await v.putTenantKey(tenantKey(t, 'm0000002'));
        expect(hex(again.wrappedKey)).toBe(hex(first.wrappedKey));
        expect(again.masterKeyId).toBe('m0000001');
        const read = await v.getTenantKey(t);
        expect(hex(read!.wrappedKey)).toBe(hex(first.wrappedKey));
        expect((await v.listTenantKeys()).filter((r) => r.tenantId === t)).toHaveLength(1);
      }),
  },
  {
    name: 'concurrent tenant key puts from several connections agree on one key',
    run: (h) =>
      withVaults(h, 3, async (vs) => {
        const t = tenant();
        const results = await Promise.all(
          vs.flatMap((v) => [v.putTenantKey(tenantKey(t)), v.putTenantKey(tenantKey(t))]),
        );
        expect(new Set(results.map((r) => hex(r.wrappedKey))).size).toBe(1);
      }),
  },
  {
    name: 'rewraps tenant keys, all or nothing',
    run: (h) =>
      withVault(h, async (v) => {
        const [a, b] = [tenant(), tenant()];
        await v.putTenantKey(tenantKey(a));
        await v.putTenantKey(tenantKey(b));
        const newA = { ...tenantKey(a, 'm0000002') };
        const newB = { ...tenantKey(b, 'm0000002') };
        await expect(v.rewrapTenantKeys([newA, tenantKey(tenant(), 'm0000002')])).rejects.toThrow();
        expect((await v.getTenantKey(a))!.masterKeyId).toBe('m0000001');
        await v.rewrapTenantKeys([newA, newB]);
        const listed = (await v.listTenantKeys()).filter(
          (r) => r.tenantId === a || r.tenantId === b,
        );
        expect(listed.map((r) => [r.tenantId, r.masterKeyId, hex(r.wrappedKey)]).sort()).toEqual(
          [
            [a, 'm0000002', hex(newA.wrappedKey)],
            [b, 'm0000002', hex(newB.wrappedKey)],
          ].sort(),
        );
      }),
  },
  {
    name: 'insert-or-get: creates once, then returns the stored subject and key',
    run: (h) =>
      withVault(h, async (v) => {
        const t = tenant();
        const [c1, c2] = [candidate(), candidate()];
        const created = await v.resolveSubjects(t, [c1, c2]);
        expect(created.map((r) => [r.subjectId, hex(r.wrappedKey), r.created])).toEqual([
          [c1.subjectId, hex(c1.wrappedKey), true],
          [c2.subjectId, hex(c2.wrappedKey), true],
        ]);
        const c3 = candidate();
        const again = await v.resolveSubjects(t, [
          c3,
          candidate(c2.lookupHash),
          candidate(c1.lookupHash),
        ]);
        expect(again.map((r) => [r.subjectId, hex(r.wrappedKey), r.created])).toEqual([
          [c3.subjectId, hex(c3.wrappedKey), true],
          [c2.subjectId, hex(c2.wrappedKey), false],
          [c1.subjectId, hex(c1.wrappedKey), false],
        ]);
        const found = await v.findSubjects(t, [c1.lookupHash, hash()]);
        expect([...found.keys()]).toEqual([hex(c1.lookupHash)]);
        expect(found.get(hex(c1.lookupHash))!.subjectId).toBe(c1.subjectId);
        const keys = await v.getSubjectKeys(t, [c2.subjectId, subjectId()]);
        expect([...keys.entries()].map(([id, k]) => [id, hex(k)])).toEqual([
          [c2.subjectId, hex(c2.wrappedKey)],
        ]);
      }),
  },
  {
    name: 'a lookup hash repeated within one batch resolves to one subject',
    run: (h) =>
      withVault(h, async (v) => {
        const t = tenant();
        const lh = hash();
        const res = await v.resolveSubjects(t, [candidate(lh), candidate(lh)]);
        expect(res[0].subjectId).toBe(res[1].subjectId);
        expect(res.filter((r) => r.created)).toHaveLength(1);
      }),
  },
  {
    name: 'concurrent resolves of the same names from several connections create one subject per name',
    run: (h) =>
      withVaults(h, 3, async (vs) => {
        const t = tenant();
        const names = Array.from({ length: 20 }, () => hash());
        const calls: Promise<ResolvedSubject[]>[] = [];
        for (let i = 0; i < 12; i++) {
          // Each caller sees the names in another order with its own candidate ids and keys.
          const order = i % 2 === 0 ? names : [...names].reverse();
          calls.push(
            vs[i % vs.length].resolveSubjects(
              t,
              order.map((n) => candidate(n)),
            ),
          );
        }
        const results = await Promise.all(calls);
        const byName = new Map<string, Set<string>>();
        let createdCount = 0;
        results.forEach((res, i) => {
          const order = i % 2 === 0 ? names : [...names].reverse();
          res.forEach((r, j) => {
            const key = hex(order[j]);
            if (!byName.has(key)) byName.set(key, new Set());
            byName.get(key)!.add(`${r.subjectId}/${hex(r.wrappedKey)}`);
            if (r.created) createdCount++;
          });
        });
        expect(byName.size).toBe(20);
        for (const ids of byName.values()) expect(ids.size).toBe(1);
        expect(createdCount).toBe(20);
        const stored = await vs[0].findSubjects(t, names);
        expect(stored.size).toBe(20);
      }),
  },
  {
    name: 'tenants are isolated: same lookup hash, different subjects; no cross-tenant reads or deletes',
    run: (h) =>
      withVault(h, async (v) => {
        const [a, b] = [tenant(), tenant()];
        const lh = hash();
        const [sa] = await v.resolveSubjects(a, [candidate(lh)]);
        const [sb] = await v.resolveSubjects(b, [candidate(lh)]);
        expect(sb.created).toBe(true);
        expect(sb.subjectId).not.toBe(sa.subjectId);
        expect((await v.getSubjectKeys(b, [sa.subjectId])).size).toBe(0);
        expect((await v.findSubjects(b, [lh])).get(hex(lh))!.subjectId).toBe(sb.subjectId);
        expect(await v.deleteSubject(b, sa.subjectId)).toBe(false);
        expect((await v.getSubjectKeys(a, [sa.subjectId])).size).toBe(1);
      }),
  },
  {
    name: 'deleting a subject removes its key and its lookup row; the same name later gets a new subject',
    run: (h) =>
      withVault(h, async (v) => {
        const t = tenant();
        const lh = hash();
        const [other] = await v.resolveSubjects(t, [candidate()]);
        const [s] = await v.resolveSubjects(t, [candidate(lh)]);
        expect(await v.deleteSubject(t, s.subjectId)).toBe(true);
        expect((await v.getSubjectKeys(t, [s.subjectId])).size).toBe(0);
        expect((await v.findSubjects(t, [lh])).size).toBe(0);
        expect(await v.deleteSubject(t, s.subjectId)).toBe(false);
        const c = candidate(lh);
        const [again] = await v.resolveSubjects(t, [c]);
        expect(again.created).toBe(true);
        expect(again.subjectId).toBe(c.subjectId);
        expect(again.subjectId).not.toBe(s.subjectId);
        expect((await v.getSubjectKeys(t, [other.subjectId])).size).toBe(1);
      }),
  },
  {
    name: 'deleting a tenant removes its key and every subject, and only its own',
    run: (h) =>
      withVault(h, async (v) => {
        const [a, b] = [tenant(), tenant()];
        await v.putTenantKey(tenantKey(a));
        await v.putTenantKey(tenantKey(b));
        const lh = hash();
        const sa = await v.resolveSubjects(a, [candidate(lh), candidate(), candidate()]);
        const [sb] = await v.resolveSubjects(b, [candidate(lh)]);
        expect(await v.deleteTenant(a)).toBe(3);
        expect(await v.getTenantKey(a)).toBeNull();
        expect(
          (
            await v.getSubjectKeys(
              a,
              sa.map((s) => s.subjectId),
            )
          ).size,
        ).toBe(0);
        expect((await v.findSubjects(a, [lh])).size).toBe(0);
        expect((await v.listTenantKeys()).some((r) => r.tenantId === a)).toBe(false);
        expect(await v.getTenantKey(b)).not.toBeNull();
        expect((await v.getSubjectKeys(b, [sb.subjectId])).size).toBe(1);
        expect(await v.deleteTenant(a)).toBe(0);
      }),
  },
  {
    name: 'a deletion is seen by other connections at once',
    run: (h) =>
      withVaults(h, 2, async ([v1, v2]) => {
        const t = tenant();
        const [s] = await v1.resolveSubjects(t, [candidate()]);
        expect((await v2.getSubjectKeys(t, [s.subjectId])).size).toBe(1);
        await v1.deleteSubject(t, s.subjectId);
        expect((await v2.getSubjectKeys(t, [s.subjectId])).size).toBe(0);
      }),
  },
];

/** Registers the key vault contract (jest) for one adapter. `makeHarness` runs once per suite. */
export function keyVaultContract(name: string, makeHarness: () => Promise<KeyVaultHarness>): void {
  describe(`KeyVault contract: ${name}`, () => {
    let harness: KeyVaultHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.dispose();
    });
    for (const c of keyVaultContractCases) {
      it(c.name, () => c.run(harness));
    }
  });
}
