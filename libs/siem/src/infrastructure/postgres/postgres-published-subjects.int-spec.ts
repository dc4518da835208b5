import { Pool } from 'pg';
import { LeaseLostError, PgLeaseStore, type Lease } from '@authtrail/coordination';
import {
  createTestDatabase,
  databaseFilesContaining,
  publishedSubjectsContract,
  type TestDatabase,
} from '@authtrail/testing';
import { PostgresPublishedSubjectsStore } from './postgres-published-subjects.adapter';

// Thousands of rows, table rewrites and file scans on a loaded 2-core machine.
jest.setTimeout(60_000);

publishedSubjectsContract('PostgreSQL', async () => {
  const db = await createTestDatabase('authtrail_siem');
  const opened: PostgresPublishedSubjectsStore[] = [];
  return {
    open: async () => {
      const store = PostgresPublishedSubjectsStore.open(db.url);
      await store.init();
      opened.push(store);
      return store;
    },
    filesContaining: (needles) => databaseFilesContaining(db.url, needles),
    dispose: async () => {
      for (const s of opened) await s.close();
      await db.drop();
    },
  };
});

describe('PostgreSQL published-subjects store', () => {
  let db: TestDatabase;
  let leases: PgLeaseStore;
  const stores: PostgresPublishedSubjectsStore[] = [];
  const open = (options: ConstructorParameters<typeof PostgresPublishedSubjectsStore>[1]) => {
    const store = PostgresPublishedSubjectsStore.open(db.url, options);
    stores.push(store);
    return store;
  };
  const fps = (v: string) => ({ userPrincipalName: v.padEnd(64, '0') });

  beforeAll(async () => {
    db = await createTestDatabase('authtrail_siem_pg');
    leases = PgLeaseStore.open(db.url);
    await leases.init();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await leases?.close();
    await db?.drop();
  });

  it('keeps one record per forwarder name, like one SQLite file per name', async () => {
    const main = open({ worker: 'forwarder' });
    const other = open({ worker: 'forwarder-audit' });
    await main.save('acme', new Map([['s1', fps('a')]]));
    expect(await other.subjectsOf('acme')).toEqual([]);
    await other.save('acme', new Map([['s2', fps('b')]]));
    expect(await main.subjectsOf('acme')).toEqual(['s1']);
    expect(await open({ worker: 'forwarder' }).subjectsOf('acme')).toEqual(['s1']);
  });

  it('fences writes by the forwarder lease: a former holder cannot write after a takeover', async () => {
    const held = new Map<string, Lease>();
    const a = await leases.tryAcquire('forwarder-fenced', 'replica-a', 200);
    held.set('a', a!);
    const storeA = open({
      worker: 'fenced',
      fence: { leases: { current: () => held.get('a') ?? null }, lease: 'forwarder-fenced' },
    });
    await storeA.save('acme', new Map([['s1', fps('a1')]]));

    // A pauses past its TTL; B takes the lease with a larger token and forgets s1.
    await new Promise((r) => setTimeout(r, 300));
    const b = await leases.tryAcquire('forwarder-fenced', 'replica-b', 60_000);
    expect(b!.token).toBeGreaterThan(a!.token);
    const storeB = open({
      worker: 'fenced',
      fence: { leases: { current: () => b }, lease: 'forwarder-fenced' },
    });
    await storeB.save('acme', new Map([['s1', null]]));

    // A wakes up and saves the batch it had in flight: refused, nothing written.
    await expect(storeA.save('acme', new Map([['s1', fps('a2')]]))).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(await storeB.subjectsOf('acme')).toEqual([]);
    // A replica that knows it lost the lease does not even try.
    held.delete('a');
    await expect(storeA.save('acme', new Map([['s2', fps('x')]]))).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(await storeB.subjectsOf('acme')).toEqual([]);
  });

  it('a takeover waits for a save in flight, so the new holder reads what it wrote', async () => {
    const a = (await leases.tryAcquire('forwarder-wait', 'replica-a', 300))!;
    const storeA = open({
      worker: 'wait',
      fence: { leases: { current: () => a }, lease: 'forwarder-wait' },
    });
    await storeA.init();
    const admin = new Pool({ connectionString: db.url, max: 2 });
    /** Resolves once a statement starting with `prefix` waits for a lock (within 10 s). */
    const blockedOn = async (prefix: string): Promise<void> => {
      for (const until = Date.now() + 10_000; Date.now() < until;) {
        const { rowCount } = await admin.query(
          `SELECT 1 FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
          [`${prefix}%`],
        );
        if (rowCount) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no statement ${prefix}… waited for a lock`);
    };
    // Hold A's save open inside its transaction (after its fence check): its upsert waits
    // behind another transaction's uncommitted row with the same key.
    const client = await admin.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO siem_published_subjects VALUES ('wait', 'acme', 's1', '{}')`);
      const saving = storeA.save('acme', new Map([['s1', fps('a')]]));
      await blockedOn('INSERT INTO siem_published_subjects (worker');
      // A's lease expires while its save is open; B's takeover must wait for that save.
      await new Promise((r) => setTimeout(r, 400));
      const takeover = leases.tryAcquire('forwarder-wait', 'replica-b', 60_000);
      await Promise.race([
        blockedOn('INSERT INTO authtrail_leases'),
        takeover.then(() => {
          throw new Error('the takeover did not wait for the save in flight');
        }),
      ]);
      await client.query('ROLLBACK');
      await saving;
      const b = await takeover;
      expect(b!.token).toBeGreaterThan(a.token);
      const storeB = open({ worker: 'wait' });
      expect((await storeB.get('acme', ['s1'])).get('s1')).toEqual(fps('a'));
    } finally {
      client.release();
      await admin.end();
    }
  });
});
