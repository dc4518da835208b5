import { INestApplicationContext } from '@nestjs/common';
import { parentPort, workerData } from 'node:worker_threads';
import type { AppConfig } from '@authtrail/config';
import { Metrics } from '@authtrail/platform';
import { CLICKHOUSE_EXECUTOR, type ClickHouseExecutor } from '@authtrail/reporting';
import { BackgroundJobs, startBackgroundJobs } from '../background-jobs';
import { createWorkerApp } from '../worker-app';
import { FromWorkers, MirroredStatusBoard, ToWorkers, carry, mirrorMetrics } from './protocol';

/**
 * Entry of the workers' thread of `authtrail serve` (workers-thread.ts starts it): the
 * workers' own app on its own event loop, with its own connections to the stores, owning
 * the read model's ClickHouse. The API thread reaches that ClickHouse through `call`s;
 * the workers' metrics and statuses are mirrored back to it.
 */
export interface WorkersThreadData {
  readonly config: AppConfig;
}

function run(): void {
  const port = parentPort;
  if (!port) throw new Error('workers.thread runs as a worker thread');
  const { config } = workerData as WorkersThreadData;
  const post = (m: FromWorkers): void => port.postMessage(m);
  // No default metrics here: the API thread's registry has them, for the whole process.
  const metrics = mirrorMetrics(new Metrics(false), post);
  const workerBoard = new MirroredStatusBoard(post);
  let jobs: BackgroundJobs | null = null;
  const opening: Promise<INestApplicationContext> = createWorkerApp({
    config,
    metrics,
    workerBoard,
  });
  opening.then(
    () => post({ t: 'opened' }),
    (error: unknown) => {
      post({ t: 'failed', error: carry(error) });
      port.close();
    },
  );
  const clickhouse = opening.then((app) => app.get<ClickHouseExecutor>(CLICKHOUSE_EXECUTOR));

  const call = async (m: Extract<ToWorkers, { t: 'call' }>): Promise<unknown> => {
    const executor = await clickhouse;
    switch (m.op) {
      case 'query':
        return executor.query(m.args[0] as string, m.args[1] as Record<string, unknown>);
      case 'insert':
        return executor.insert(m.args[0] as string, m.args[1] as Record<string, unknown>[]);
      case 'command':
        return executor.command(m.args[0] as string, m.args[1] as Record<string, unknown>);
    }
  };

  port.on('message', (m: ToWorkers) => {
    switch (m.t) {
      case 'call':
        call(m).then(
          (value) => post({ t: 'reply', id: m.id, value }),
          (error: unknown) => post({ t: 'reply', id: m.id, error: carry(error) }),
        );
        return;
      case 'start-jobs':
        opening
          .then(async (app) => {
            jobs = await startBackgroundJobs(app);
            post({ t: 'jobs-started' });
          })
          .catch((error: unknown) => post({ t: 'failed', error: carry(error) }));
        return;
      case 'stop':
        // The sealer seals the tail, the others finish their batch; then the stores close.
        opening
          .then(async (app) => {
            await jobs?.stop();
            await app.close();
          })
          .then(
            () => post({ t: 'stopped' }),
            (error: unknown) => post({ t: 'stopped', error: carry(error) }),
          )
          .finally(() => port.close());
        return;
    }
  });
}

run();
