import { ON_ESDB } from '../support/event-store-under-test';
import { freePort } from '@authtrail/testing';
import { BackgroundJobs, startBackgroundJobs } from '../../apps/worker/src/background-jobs';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

jest.setTimeout(120_000);

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 40_000) {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Overview {
  worker: string;
  enabled: boolean;
  state: string;
  since: string | null;
  position: number | null;
  lag: number | null;
  lastError: string | null;
  errors: number;
}

/**
 * The diagnostics bundle lists every worker of the deployment, on or off, with its state,
 * lag and failure, as `authtrail serve` runs them: here with Kafka configured but out of
 * reach, so the forwarder fails while the rest run.
 */
describe('diagnostics: every worker (whole app over HTTP)', () => {
  let server: TestServer;
  let jobs: BackgroundJobs;
  const all = async (): Promise<Overview[]> =>
    (await server.request('GET', '/v1/diagnostics')).json.workers.all as Overview[];
  const byName = async () => new Map((await all()).map((w) => [w.worker, w]));

  beforeAll(async () => {
    server = await startTestServer({
      AUTHTRAIL_KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      AUTHTRAIL_ALERTS: 'off',
    });
    await prepareTenant(server);
    jobs = await startBackgroundJobs(server.app);
  });

  afterAll(async () => {
    await jobs?.stop();
    await server?.close();
  });

  it("names each one, says which are off, and shows state, lag and the failing one's error", async () => {
    await waitFor('the forwarder failing and the others reporting', async () => {
      const w = await byName();
      return (
        w.get('forwarder')?.state === 'retrying' &&
        [
          'projector',
          'sealer',
          ...(ON_ESDB ? [] : ['retention']),
          'tenant-deletion',
          'erasure-recovery',
        ].every((n) => w.get(n)?.state === 'running')
      );
    });
    const list = await all();
    expect(list.map((w) => w.worker)).toEqual([
      'projector',
      'forwarder',
      'sealer',
      'detections',
      'retention',
      'tenant-deletion',
      'erasure-recovery',
      'entra-graph',
      'entra-event-hubs',
    ]);
    const w = new Map(list.map((x) => [x.worker, x]));
    for (const off of ['detections', 'entra-graph', 'entra-event-hubs'])
      expect(w.get(off)).toMatchObject({ enabled: false, state: 'off', position: null });
    expect(w.get('projector')).toMatchObject({ enabled: true, lastError: null });
    expect(typeof w.get('projector')!.lag).toBe('number');
    expect(w.get('forwarder')).toMatchObject({ enabled: true, state: 'retrying' });
    expect(w.get('forwarder')!.lastError).toMatch(/^[A-Za-z]+Error/);
    expect(w.get('forwarder')!.errors).toBeGreaterThan(0);
    expect(w.get('forwarder')!.lag).toBeGreaterThan(0);
    expect(w.get('retention')).toMatchObject({ position: null, lag: null, lastError: null });
    // On EventStoreDB the server expires events ($maxAge): the retention job is off there.
    expect(w.get('retention')).toMatchObject(
      ON_ESDB ? { enabled: false, state: 'off' } : { enabled: true, state: 'running' },
    );
    for (const x of list.filter((y) => y.enabled))
      expect([x.worker, Number.isNaN(Date.parse(x.since ?? ''))]).toEqual([x.worker, false]);
  });
});
