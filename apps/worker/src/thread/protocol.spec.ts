import { Metrics, WorkerStatus } from '@authtrail/platform';
import {
  FromWorkers,
  MirroredStatusBoard,
  applyMetric,
  carry,
  mirrorMetrics,
  revive,
} from './protocol';

describe("the workers' thread protocol", () => {
  it('mirrors every metric update of the workers onto the API thread registry', async () => {
    const sent: FromWorkers[] = [];
    const workers = mirrorMetrics(new Metrics(false), (m) => sent.push(m));
    workers.workerLag.set({ worker: 'projector' }, 42);
    workers.workerErrors.inc({ worker: 'sealer', retriable: 'true' });
    workers.workerErrors.inc({ worker: 'sealer', retriable: 'true' });
    workers.alertDeliveries.inc({ destination: 'webhook', outcome: 'delivered' }, 3);

    // Still counted where they happen too.
    expect((await workers.workerLag.get()).values[0].value).toBe(42);

    const api = new Metrics(false);
    for (const m of sent) if (m.t === 'metric') applyMetric(api, m);
    expect((await api.workerLag.get()).values).toEqual([
      { labels: { worker: 'projector' }, value: 42 },
    ]);
    expect((await api.workerErrors.get()).values).toEqual([
      { labels: { worker: 'sealer', retriable: 'true' }, value: 2 },
    ]);
    expect((await api.alertDeliveries.get()).values[0].value).toBe(3);
  });

  it('ignores an update naming no metric or no mutator (nothing else is callable)', async () => {
    const api = new Metrics(false);
    applyMetric(api, { t: 'metric', name: 'registry', method: 'reset', args: [] });
    applyMetric(api, { t: 'metric', name: 'nope', method: 'inc', args: [] });
    applyMetric(api, {
      t: 'metric',
      name: 'workerLag',
      method: 'get' as 'inc',
      args: [],
    });
    expect((await api.workerLag.get()).values).toEqual([]);
  });

  it("posts each worker status set on the workers' board", () => {
    const sent: FromWorkers[] = [];
    const board = new MirroredStatusBoard((m) => sent.push(m));
    const status: WorkerStatus = {
      worker: 'projector',
      state: 'running',
      since: '2026-12-03T00:00:00.000Z',
      position: 7,
      attempts: 0,
      error: null,
      failedAt: null,
    };
    board.set(status);
    expect(board.get('projector')).toEqual(status);
    expect(sent).toEqual([{ t: 'status', status }]);
  });

  it('carries an error as its name, code and message, and revives it as such', () => {
    const error = Object.assign(new Error('no such table'), {
      name: 'ClickHouseError',
      code: '60',
    });
    const back = revive(carry(error));
    expect(back).toBeInstanceOf(Error);
    expect([back.name, (back as { code?: string }).code, back.message]).toEqual([
      'ClickHouseError',
      '60',
      'no such table',
    ]);
    expect(carry('a string')).toEqual({ name: 'Error', message: 'a string' });
    expect('code' in revive(carry(new Error('x')))).toBe(false);
  });
});
