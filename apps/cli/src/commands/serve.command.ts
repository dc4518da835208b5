import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { AppConfig } from '@authtrail/config';
import {
  LOGGER,
  Metrics,
  WorkerStatusBoard,
  createLogger,
  lifecycleLogger,
} from '@authtrail/platform';
import { ErasureRecovery } from '@authtrail/privacy';
import { BootstrapService, firstStartNotice } from '@authtrail/runtime';
import { createApi } from '../../../api/src/index';
import { BackgroundJobs, WorkersThread, startBackgroundJobs } from '../../../worker/src/index';
import { lowerApiPriority } from '../api-priority';
import { announceServer } from '../server-lock';

/**
 * `authtrail serve`: API and workers in one process on the configured stores (embedded
 * default: SQLite files and in-process ClickHouse under ./data).
 *
 * Order on the way up: bootstrap, finish erasures a crash cut off (before anything is
 * served), listen, announce, start the workers. On the way down the reverse: stop
 * accepting requests (in-flight ones finish), stop the workers (the sealer seals the
 * tail), then close the stores; the announcement is removed whatever fails.
 *
 * The workers run on a thread of their own (AUTHTRAIL_WORKERS_THREAD, default on), which
 * owns the read model's ClickHouse; the API reaches it through that thread.
 *
 * Everything it says is a JSON log line on stdout, but the first start's bootstrap key,
 * which goes to stderr as text (firstStartNotice).
 */
export async function serve(config: AppConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const metrics = new Metrics();
  const workerBoard = new WorkerStatusBoard();
  const thread = config.workersThread
    ? new WorkersThread({
        config,
        metrics,
        board: workerBoard,
        logger,
        // The workers are half of the product: without them serve stops, and whatever
        // supervises it restarts it (checkpoints make that lose and repeat nothing).
        onCrash: () => process.exit(1),
      })
    : null;
  const app = await createApi({
    config,
    logger,
    metrics,
    workerBoard,
    ...(thread ? { clickhouse: thread.clickhouse } : {}),
  });
  const log = lifecycleLogger(app.get<Logger>(LOGGER));
  let jobs: BackgroundJobs | { stop(): Promise<void> } | null = null;
  let release: (() => void) | null = null;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing in-flight requests and appends');
    const timer = setTimeout(() => {
      log.error(
        { timeoutMs: config.shutdownTimeoutMs },
        'stop timed out (AUTHTRAIL_SHUTDOWN_TIMEOUT)',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    let code = 0;
    try {
      await app.getHttpAdapter().getInstance().close();
      await (jobs ?? thread)?.stop();
      await app.close();
      log.info('stopped');
    } catch (error) {
      code = 1;
      log.error({ err: error }, 'stop failed');
    } finally {
      release?.();
      clearTimeout(timer);
    }
    process.exit(code);
  };
  // Installed before anything slow, so a signal during start-up still shuts down cleanly.
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await thread?.start();
  if (thread) {
    // The workers' thread and its ClickHouse threads exist now, at the process's priority,
    // and so must libuv's pool (started at its first job): ClickHouse's queries run there,
    // and threads it starts inherit from them. From here on the API's event loop, and the
    // SQLite writer it starts, yield to them when the cores are all busy.
    await stat(config.dataDir);
    log.info({ apiPriority: lowerApiPriority(config.apiNice) }, 'API priority');
  }
  const outcome = await app.get(BootstrapService).ensure();
  await app.get(ErasureRecovery).run();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  release = announceServer(config.dataDir, { pid: process.pid, url });
  if (thread) {
    await thread.startJobs();
    jobs = thread;
  } else jobs = await startBackgroundJobs(app);
  // The key before the line that says the server is up: whoever waits for that has it.
  if (outcome.createdKey) process.stderr.write(firstStartNotice(outcome.createdKey, url));
  log.info(
    { url: `http://${config.host}:${port}`, dataDir: config.dataDir },
    `authtrail listening on http://${config.host}:${port}`,
  );
}
