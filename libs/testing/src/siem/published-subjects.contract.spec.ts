import type { IdentityFingerprints } from '@authtrail/siem';
import {
  InMemoryPublishedSubjectsData,
  InMemoryPublishedSubjectsStore,
} from './in-memory-published-subjects';
import {
  PublishedSubjectsHarness,
  publishedSubjectsContract,
  publishedSubjectsContractCases,
} from './published-subjects.contract';

type Make = (data: InMemoryPublishedSubjectsData) => InMemoryPublishedSubjectsStore;

function harness(make: Make, fresh = false): PublishedSubjectsHarness {
  let data = new InMemoryPublishedSubjectsData();
  return {
    open: () => {
      if (fresh) data = new InMemoryPublishedSubjectsData();
      return Promise.resolve(make(data));
    },
    filesContaining: (needles) => Promise.resolve(data.filesContaining(needles)),
    dispose: () => Promise.resolve(),
  };
}

publishedSubjectsContract('in memory', () =>
  Promise.resolve(harness((d) => new InMemoryPublishedSubjectsStore(d))),
);

/** Ignores `null`: a forgotten person stays recorded (and their fingerprints with them). */
class NeverForgets extends InMemoryPublishedSubjectsStore {
  override save(t: string, changes: ReadonlyMap<string, IdentityFingerprints | null>) {
    return super.save(t, new Map([...changes].filter(([, fps]) => fps !== null)));
  }
}

/** Deletes rows but its "file" is an append-only log that keeps every value ever saved. */
class KeepsDeletedBytes extends InMemoryPublishedSubjectsStore {
  private readonly log: string[] = [];
  constructor(data: InMemoryPublishedSubjectsData) {
    super(data);
    data.disk = () => this.log.join('\n');
  }
  override save(t: string, changes: ReadonlyMap<string, IdentityFingerprints | null>) {
    this.log.push(JSON.stringify([...changes]));
    return super.save(t, changes);
  }
}

/** Reads across tenants: a subject id recorded in one tenant shows up in another. */
class LeaksTenants extends InMemoryPublishedSubjectsStore {
  override get(_t: string, ids: readonly string[]) {
    const out = new Map<string, IdentityFingerprints>();
    for (const rows of this.data.rows.values())
      for (const id of ids) if (rows.has(id)) out.set(id, rows.get(id)!);
    return Promise.resolve(out);
  }
}

describe('the published-subjects contract catches broken stores', () => {
  const run = (name: string, h: PublishedSubjectsHarness) =>
    publishedSubjectsContractCases.find((c) => c.name.startsWith(name))!.run(h);

  it('a store that never forgets a person', async () => {
    await expect(
      run(
        'null forgets a person',
        harness((d) => new NeverForgets(d)),
      ),
    ).rejects.toThrow();
  });

  it('a store that deletes rows but keeps their bytes', async () => {
    const h = harness((d) => new KeepsDeletedBytes(d));
    // It behaves otherwise, so only the file check can tell.
    await expect(run('null forgets a person', h)).resolves.toBeUndefined();
    await expect(run('forgotten people leave none', h)).rejects.toThrow();
  });

  it('a store that reads across tenants', async () => {
    await expect(
      run(
        'tenants are isolated',
        harness((d) => new LeaksTenants(d)),
      ),
    ).rejects.toThrow();
  });

  it('a record of its own per store, like a SQLite file per worker replica (the failover gap)', async () => {
    const h = harness((d) => new InMemoryPublishedSubjectsStore(d), true);
    await expect(run('returns what a batch recorded', h)).resolves.toBeUndefined();
    await expect(run('what one store saved, the next one', h)).rejects.toThrow();
  });
});
