import { randomUUID } from 'node:crypto';
import { EVENT_STORE, EventStore, dataStream } from '@authtrail/event-store';
import { demoEvents } from '../../apps/cli/src/commands/demo-data';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

const metric = (text: string, name: string, labels: string): number | null => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
};

/**
 * A worker parks on what retrying cannot fix (STYLE.md): here the projector meets an event
 * whose stored bytes do not parse. It must stop at its checkpoint, say so once in the
 * metrics and the diagnostics bundle, not loop, and resume from that checkpoint when
 * started again.
 */
describe('a checkpointed worker parks on a failure it cannot retry', () => {
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let projector: RunningProjector | null = null;
  let before: number;
  let broken: number;

  const post = async (n: number, seed: number): Promise<void> => {
    const events = demoEvents({ people: 5, days: 3, now: new Date(), seed }).slice(0, n);
    const r = await server.request('POST', '/v1/events', { key: keys.producer, body: events });
    if (r.status !== 202) throw new Error(`ingest: ${r.status} ${r.text}`);
  };
  const diagnostics = async (): Promise<any> =>
    (await server.request('GET', '/v1/diagnostics')).json;
  const parkedStatus = async (): Promise<any> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = (await diagnostics()).workers.statuses.find(
        (s: { worker: string }) => s.worker === 'projector',
      );
      if (status?.state === 'parked') return status;
      if (Date.now() > deadline) throw new Error(`projector not parked: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
    await post(20, 1);
    projector = await startProjector(server.app);
    await projector.projector.waitForHead(60_000);
    before = projector.projector.position;
    // Bytes no envelope parses from, appended past ingest's validation.
    const store = server.app.get<EventStore>(EVENT_STORE);
    const eventId = randomUUID();
    const appended = await store.append('default', [
      {
        streamId: dataStream('default', 'sspr', 's_broken'),
        expectedRevision: 'any',
        events: [
          {
            eventId,
            type: 'sspr.PasswordChanged',
            fingerprint: eventId,
            subjectIds: [],
            occurredAt: new Date(),
            data: new TextEncoder().encode('{"eventId": not json'),
          },
        ],
      },
    ]);
    broken = appended.lastPosition!;
    await post(10, 2);
  }, 120_000);

  afterAll(async () => {
    await projector?.stop();
    await server?.close();
  });

  it('stops at its checkpoint, and the diagnostics and metrics say so', async () => {
    const status = await parkedStatus();
    expect(status).toMatchObject({
      worker: 'projector',
      state: 'parked',
      position: before,
      failedAt: broken,
      error: 'SyntaxError',
    });
    const bundle = await diagnostics();
    expect(bundle.workers.lags[0]).toMatchObject({
      worker: 'projector',
      state: 'parked',
      position: before,
    });
    expect(bundle.workers.lags[0].lag).toBeGreaterThan(0);
    const metrics = (await server.request('GET', '/metrics', { key: null })).text;
    expect(metric(metrics, 'authtrail_worker_parked', 'worker="projector"')).toBe(1);
    expect(
      metric(metrics, 'authtrail_worker_errors_total', 'worker="projector",retriable="false"'),
    ).toBe(1);
    expect(projector!.projector.parked).toBeInstanceOf(SyntaxError);
  });

  it('does not retry in a loop, nor move on past the event', async () => {
    await parkedStatus();
    await new Promise((r) => setTimeout(r, 1500));
    const metrics = (await server.request('GET', '/metrics', { key: null })).text;
    expect(
      metric(metrics, 'authtrail_worker_errors_total', 'worker="projector",retriable="false"'),
    ).toBe(1);
    expect(projector!.projector.position).toBe(before);
    await post(5, 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(projector!.projector.position).toBe(before);
  });

  it('resumes from its checkpoint when started again (and parks on the same event)', async () => {
    await projector!.stop();
    projector = await startProjector(server.app);
    await new Promise((r) => setTimeout(r, 100));
    const deadline = Date.now() + 30_000;
    let metrics = '';
    while (Date.now() < deadline) {
      metrics = (await server.request('GET', '/metrics', { key: null })).text;
      if (
        metric(metrics, 'authtrail_worker_errors_total', 'worker="projector",retriable="false"') ===
        2
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(
      metric(metrics, 'authtrail_worker_errors_total', 'worker="projector",retriable="false"'),
    ).toBe(2);
    expect(await parkedStatus()).toMatchObject({ position: before, failedAt: broken });
  });
});
