import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '@authtrail/config';
import { Metrics, WorkerStatusBoard } from '@authtrail/platform';
import { ReadModelUnavailableError } from '@authtrail/reporting';
import { WorkersThread } from './workers-thread';

/**
 * The host side against real threads. The entry here speaks the protocol the real one
 * (workers.thread.ts) does, over a fake ClickHouse, so that failures can be staged;
 * the real entry runs in `authtrail serve` (test/e2e/serve-workers-thread.e2e-spec.ts).
 */
const ENTRY = `
const { parentPort, workerData } = require('node:worker_threads');
const mode = workerData.config.dataDir.split('#')[1];
const post = (m) => parentPort.postMessage(m);
if (mode === 'fail-open') post({ t: 'failed', error: { name: 'EventStoreUnavailableError', message: 'cannot open' } });
else setTimeout(() => post({ t: 'opened' }), 50);
parentPort.on('message', (m) => {
  if (m.t === 'call') {
    if (m.args[0] === 'boom') post({ t: 'reply', id: m.id, error: { name: 'ClickHouseError', message: 'syntax', code: '62' } });
    else if (m.args[0] === 'crash') process.exit(3);
    else post({ t: 'reply', id: m.id, value: m.op === 'query' ? [{ sql: m.args[0], p: m.args[1] }] : undefined });
  } else if (m.t === 'start-jobs') {
    post({ t: 'metric', name: 'workerLag', method: 'set', args: [{ worker: 'projector' }, 5] });
    post({ t: 'status', status: { worker: 'projector', state: 'running', since: 'x', position: 3, attempts: 0, error: null, failedAt: null } });
    post({ t: 'jobs-started' });
  } else if (m.t === 'stop') {
    setTimeout(() => { post({ t: 'stopped' }); parentPort.close(); }, 20);
  }
});
`;

describe("authtrail serve's workers' thread (host side)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-wt-'));
  const entry = join(dir, 'entry.js');
  writeFileSync(entry, ENTRY);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const host = (mode = 'ok') => {
    const crashes: Error[] = [];
    const metrics = new Metrics(false);
    const board = new WorkerStatusBoard();
    const thread = new WorkersThread({
      config: loadConfig({ AUTHTRAIL_DATA_DIR: `${dir}#${mode}` }),
      metrics,
      board,
      logger: pino({ level: 'silent' }),
      onCrash: (e) => crashes.push(e),
      entry,
    });
    return { thread, metrics, board, crashes };
  };

  it('answers ClickHouse calls made before the thread started, mirrors metrics and statuses, stops cleanly', async () => {
    const { thread, metrics, board, crashes } = host();
    const early = thread.clickhouse.query('SELECT {n:UInt8}', { n: 1 });
    await thread.start();
    await expect(early).resolves.toEqual([{ sql: 'SELECT {n:UInt8}', p: { n: 1 } }]);
    await expect(thread.clickhouse.command('TRUNCATE t')).resolves.toBeUndefined();
    await expect(thread.clickhouse.insert('db.t', [])).resolves.toBeUndefined();
    await thread.startJobs();
    expect((await metrics.workerLag.get()).values).toEqual([
      { labels: { worker: 'projector' }, value: 5 },
    ]);
    expect(board.get('projector')?.position).toBe(3);
    await thread.stop();
    // Stopped: no crash, and a later call fails as the read model being unavailable.
    expect(crashes).toEqual([]);
    await expect(thread.clickhouse.query('SELECT 1')).rejects.toBeInstanceOf(
      ReadModelUnavailableError,
    );
  });

  it("a failed query is the read model's (retriable) error, with the cause's name and code", async () => {
    const { thread } = host();
    await thread.start();
    const error = await thread.clickhouse.query('boom').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadModelUnavailableError);
    expect((error as { cause?: { name: string; code: string } }).cause).toMatchObject({
      name: 'ClickHouseError',
      code: '62',
    });
    await thread.stop();
  });

  it('a thread that ends unasked fails the calls in flight and is reported as a crash', async () => {
    const { thread, crashes } = host();
    await thread.start();
    await expect(thread.clickhouse.query('crash')).rejects.toBeInstanceOf(
      ReadModelUnavailableError,
    );
    expect(crashes).toHaveLength(1);
    expect(crashes[0].message).toContain('exited (3)');
  });

  it('a thread that cannot open its stores fails the start', async () => {
    const { thread, crashes } = host('fail-open');
    await expect(thread.start()).rejects.toMatchObject({ name: 'EventStoreUnavailableError' });
    expect(crashes).toHaveLength(1);
    await thread.stop();
  });
});
