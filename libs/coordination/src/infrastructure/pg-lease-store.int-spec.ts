import { checkpointStoreContract, createTestDatabase, type TestDatabase } from '@authtrail/testing';
import { LeaseLostError, type Lease } from '../domain/lease.port';
import { WorkerLeases } from '../application/worker-leases';
import { PgFencedCheckpointStore } from './pg-fenced-checkpoint-store.adapter';
import { PgLeaseStore } from './pg-lease-store.adapter';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('PostgreSQL leases and fenced checkpoints', () => {
  let db: TestDatabase;
  const stores: PgLeaseStore[] = [];
  const open = (): PgLeaseStore => {
    const store = PgLeaseStore.open(db.url);
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    db = await createTestDatabase('authtrail_lease');
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
    await db.drop();
  });

  it('one holder at a time; an expired lease goes to the next holder with a larger token', async () => {
    const a = open();
    const b = open();
    const first = (await a.tryAcquire('forwarder', 'replica-a', 300))!;
    expect(first).toMatchObject({ name: 'forwarder', holder: 'replica-a', token: 1 });
    expect(await b.tryAcquire('forwarder', 'replica-b', 300)).toBeNull();
    const renewed = (await a.renew(first, 300))!;
    expect(renewed.token).toBe(1);
    expect(renewed.expiresAt.getTime()).toBeGreaterThanOrEqual(first.expiresAt.getTime());

    await sleep(400);
    const second = (await b.tryAcquire('forwarder', 'replica-b', 300))!;
    expect(second).toMatchObject({ holder: 'replica-b', token: 2 });
    // The old holder learns it lost the lease at its next renewal.
    expect(await a.renew(first, 300)).toBeNull();
    await b.release(second);
    const third = (await a.tryAcquire('forwarder', 'replica-a', 300))!;
    expect(third.token).toBe(3);
    // Leases are independent by name.
    expect((await b.tryAcquire('projector', 'replica-b', 300))!.token).toBe(1);
  });

  it('saves a checkpoint only with the current token', async () => {
    const a = open();
    const b = open();
    let heldByA: Lease | null = await a.tryAcquire('forwarder', 'replica-a', 200);
    let heldByB: Lease | null = null;
    const checkpointsA = new PgFencedCheckpointStore(a, { current: () => heldByA });
    const checkpointsB = new PgFencedCheckpointStore(b, { current: () => heldByB });

    await checkpointsA.save('forwarder', 1_000_500);
    expect(await checkpointsB.load('forwarder')).toBe(1_000_500);
    await expect(checkpointsB.save('forwarder', 1_000_900)).rejects.toBeInstanceOf(LeaseLostError);

    await sleep(300);
    heldByB = await b.tryAcquire('forwarder', 'replica-b', 5000);
    await checkpointsB.save('forwarder', 1_001_000);
    // A still believes it holds token 1 (it was paused): its write is fenced off.
    await expect(checkpointsA.save('forwarder', 1_000_700)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await checkpointsA.load('forwarder')).toBe(1_001_000);
    heldByA = null;
    await expect(checkpointsA.save('forwarder', 1)).rejects.toBeInstanceOf(LeaseLostError);
    await checkpointsB.reset('forwarder');
    expect(await checkpointsB.load('forwarder')).toBe(0);
  });

  it('WorkerLeases runs the job on one replica and hands over within the TTL when it dies', async () => {
    const running: string[] = [];
    const options = { ttlMs: 600, renewEveryMs: 150, acquireEveryMs: 100 };
    const storeA = open();
    const a = new WorkerLeases(storeA, 'replica-a', options);
    const b = new WorkerLeases(open(), 'replica-b', options);
    const job = (who: string) => async () => {
      running.push(who);
      return { stop: async () => void running.splice(running.indexOf(who), 1) };
    };
    const handleA = a.hold('forwarder', job('a'));
    await waitFor('a to run', () => running.includes('a'));
    const handleB = b.hold('forwarder', job('b'));
    await sleep(400);
    expect(running).toEqual(['a']);
    expect(b.current('forwarder')).toBeNull();

    // Replica a loses its database connection for good (a dead or partitioned replica).
    await storeA.pool.end();
    const died = Date.now();
    await waitFor('b to take over', () => running.includes('b'));
    expect(Date.now() - died).toBeLessThan(3000);
    await waitFor('a to stop its job', () => !running.includes('a'));
    expect(b.current('forwarder')!.token).toBe(2);
    await handleB.stop();
    expect(running).toEqual([]);
    await handleA.stop();
  });

  it('without a store (embedded mode) runs the job at once and fences nothing', async () => {
    const leases = new WorkerLeases(null, 'only');
    let started = 0;
    const handle = leases.hold('forwarder', async () => {
      started++;
      return { stop: async () => undefined };
    });
    await waitFor('the job', () => handle.active);
    expect(started).toBe(1);
    expect(leases.current('forwarder')).toBeNull();
    await handle.stop();
  });
});

checkpointStoreContract('PostgreSQL, fenced by a lease this replica holds', async () => {
  const db = await createTestDatabase('authtrail_cp');
  const leases = PgLeaseStore.open(db.url);
  const lease = (await leases.tryAcquire('contract', 'replica-a', 600_000))!;
  const opened: PgLeaseStore[] = [leases];
  return {
    // Each open is a new pool on the same database; every worker is guarded by one lease.
    open: () => {
      const store = PgLeaseStore.open(db.url);
      opened.push(store);
      return Promise.resolve(
        new PgFencedCheckpointStore(store, { current: () => lease }, () => 'contract'),
      );
    },
    dispose: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await db.drop();
    },
  };
});
