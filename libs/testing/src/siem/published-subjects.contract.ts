import { randomBytes } from 'node:crypto';
import type { IdentityFingerprints, PublishedSubjectsStore } from '@authtrail/siem';
import type { ContractCase } from '../key-vault/key-vault.contract';

/**
 * Opens stores under test. Every `open()` is a new, ready store on the same data: another
 * worker replica, or the same one after a restart.
 */
export interface PublishedSubjectsHarness {
  open(): Promise<PublishedSubjectsStore>;
  /**
   * Names of the needles found anywhere in the files the store keeps its data in (database
   * files, WAL): after a person is forgotten, their fingerprints must be in none.
   */
  filesContaining(needles: Readonly<Record<string, Uint8Array>>): Promise<string[]>;
  /** Removes the store (temp files, test database). */
  dispose(): Promise<void>;
}

const tenant = (): string => `t-${randomBytes(5).toString('hex')}`;
const subjectId = (): string => `s_${randomBytes(16).toString('base64url')}`;
/** HMAC-SHA256 hex, as the keyring makes them. */
const fp = (): string => randomBytes(32).toString('hex');
const fingerprints = (): IdentityFingerprints => ({
  userPrincipalName: fp(),
  displayName: fp(),
  emailAddress: fp(),
});
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

async function withStore(
  h: PublishedSubjectsHarness,
  fn: (s: PublishedSubjectsStore) => Promise<void>,
): Promise<void> {
  const s = await h.open();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** The cases of the published-subjects contract, exported so a broken store can prove each one fails. */
export const publishedSubjectsContractCases: readonly ContractCase<PublishedSubjectsHarness>[] = [
  {
    name: 'returns what a batch recorded, only for the people asked and known',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const [a, b, unknown] = [subjectId(), subjectId(), subjectId()];
        const fa = fingerprints();
        const fb = { userPrincipalName: fp() };
        expect((await s.get(t, [a, b])).size).toBe(0);
        await s.save(
          t,
          new Map([
            [a, fa],
            [b, fb],
          ]),
        );
        const got = await s.get(t, [a, unknown]);
        expect([...got.keys()]).toEqual([a]);
        expect(got.get(a)).toEqual(fa);
        expect((await s.get(t, [b])).get(b)).toEqual(fb);
        expect((await s.get(t, [])).size).toBe(0);
      }),
  },
  {
    name: 'a changed identity replaces the recorded fingerprints; people not in the batch keep theirs',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const [a, b] = [subjectId(), subjectId()];
        const fb = fingerprints();
        await s.save(
          t,
          new Map([
            [a, fingerprints()],
            [b, fb],
          ]),
        );
        const changed = { ...fingerprints(), firstName: fp() };
        await s.save(t, new Map([[a, changed]]));
        const got = await s.get(t, [a, b]);
        expect(got.get(a)).toEqual(changed);
        expect(got.get(b)).toEqual(fb);
      }),
  },
  {
    name: 'null forgets a person: gone from get and subjectsOf; forgetting an unknown person is no error',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const [a, b] = [subjectId(), subjectId()];
        await s.save(
          t,
          new Map([
            [a, fingerprints()],
            [b, fingerprints()],
          ]),
        );
        await s.save(
          t,
          new Map([
            [a, null],
            [subjectId(), null],
          ]),
        );
        expect([...(await s.get(t, [a, b])).keys()]).toEqual([b]);
        expect(await s.subjectsOf(t)).toEqual([b]);
      }),
  },
  {
    name: 'one batch may record some people and forget others',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const [a, b, c] = [subjectId(), subjectId(), subjectId()];
        await s.save(
          t,
          new Map([
            [a, fingerprints()],
            [b, fingerprints()],
          ]),
        );
        const fc = fingerprints();
        await s.save(
          t,
          new Map<string, IdentityFingerprints | null>([
            [a, null],
            [c, fc],
          ]),
        );
        expect(sorted(await s.subjectsOf(t))).toEqual(sorted([b, c]));
        expect((await s.get(t, [c])).get(c)).toEqual(fc);
      }),
  },
  {
    name: 'saving the same batch again (a replay after a crash) leaves the same record',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const [a, b, c] = [subjectId(), subjectId(), subjectId()];
        await s.save(t, new Map([[c, fingerprints()]]));
        const fa = fingerprints();
        const batch = new Map<string, IdentityFingerprints | null>([
          [a, fa],
          [b, fingerprints()],
          [c, null],
        ]);
        await s.save(t, batch);
        const before = await s.get(t, [a, b, c]);
        await s.save(t, batch);
        expect(await s.get(t, [a, b, c])).toEqual(before);
        expect(sorted(await s.subjectsOf(t))).toEqual(sorted([a, b]));
        expect(before.get(a)).toEqual(fa);
      }),
  },
  {
    name: 'subjectsOf lists everyone published for the tenant, each once',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const people = Array.from({ length: 30 }, subjectId);
        for (let i = 0; i < people.length; i += 7)
          await s.save(t, new Map(people.slice(i, i + 7).map((p) => [p, fingerprints()])));
        await s.save(t, new Map([[people[0], fingerprints()]]));
        expect(sorted(await s.subjectsOf(t))).toEqual(sorted(people));
        expect(await s.subjectsOf(tenant())).toEqual([]);
      }),
  },
  {
    name: 'tenants are isolated: one subject id in two tenants is two records',
    run: (h) =>
      withStore(h, async (s) => {
        const [t1, t2] = [tenant(), tenant()];
        const shared = subjectId();
        const [f1, f2] = [fingerprints(), fingerprints()];
        await s.save(t1, new Map([[shared, f1]]));
        await s.save(t2, new Map([[shared, f2]]));
        expect((await s.get(t1, [shared])).get(shared)).toEqual(f1);
        expect((await s.get(t2, [shared])).get(shared)).toEqual(f2);
        await s.save(t1, new Map([[shared, null]]));
        expect((await s.get(t1, [shared])).size).toBe(0);
        expect((await s.get(t2, [shared])).get(shared)).toEqual(f2);
        expect(await s.subjectsOf(t1)).toEqual([]);
        expect(await s.subjectsOf(t2)).toEqual([shared]);
      }),
  },
  {
    name: 'what one store saved, the next one opened on the same data reads (a restart or a takeover)',
    run: async (h) => {
      const t = tenant();
      const [a, b] = [subjectId(), subjectId()];
      const fa = fingerprints();
      await withStore(h, (first) =>
        first.save(
          t,
          new Map([
            [a, fa],
            [b, fingerprints()],
          ]),
        ),
      );
      await withStore(h, async (next) => {
        expect((await next.get(t, [a])).get(a)).toEqual(fa);
        expect(sorted(await next.subjectsOf(t))).toEqual(sorted([a, b]));
        await next.save(t, new Map([[b, null]]));
      });
      await withStore(h, async (third) => expect(await third.subjectsOf(t)).toEqual([a]));
    },
  },
  {
    name: 'forgotten people leave none of their fingerprints in the store’s files',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const people = Array.from({ length: 200 }, () => ({
          sid: subjectId(),
          fps: fingerprints(),
        }));
        for (let i = 0; i < people.length; i += 50)
          await s.save(t, new Map(people.slice(i, i + 50).map((p) => [p.sid, p.fps])));
        const needles = (which: typeof people): Record<string, Uint8Array> =>
          Object.fromEntries(
            which.flatMap((p) =>
              Object.entries(p.fps).map(([field, v]) => [
                `${p.sid} ${field}`,
                Buffer.from(v, 'utf8'),
              ]),
            ),
          );
        // Every 10th person: with fewer, a store that misses some rows could pass by luck.
        const forgotten = people.filter((_, i) => i % 10 === 0);
        const kept = people.filter((_, i) => i % 10 !== 0).slice(0, 20);
        // The scan finds what is there, so an empty result below means something.
        expect((await h.filesContaining(needles(forgotten))).length).toBeGreaterThan(0);
        await s.save(t, new Map(forgotten.map((p) => [p.sid, null])));
        expect(await h.filesContaining(needles(forgotten))).toEqual([]);
        expect((await h.filesContaining(needles(kept))).length).toBe(
          Object.keys(needles(kept)).length,
        );
      }),
  },
];

/** Registers the published-subjects contract (jest) for one store. `makeHarness` runs once per suite. */
export function publishedSubjectsContract(
  name: string,
  makeHarness: () => Promise<PublishedSubjectsHarness>,
): void {
  describe(`PublishedSubjectsStore contract: ${name}`, () => {
    let harness: PublishedSubjectsHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.dispose();
    });
    for (const c of publishedSubjectsContractCases) {
      it(c.name, () => c.run(harness));
    }
  });
}
