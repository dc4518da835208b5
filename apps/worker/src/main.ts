import type { Logger } from 'pino';
import { loadConfig } from '@authtrail/config';
import { LOGGER, lifecycleLogger } from '@authtrail/platform';
import { startBackgroundJobs } from './background-jobs';
import { createWorkerApp } from './worker-app';
import { startWorkerHealth } from './health/worker-health.server';

/** Runs the workers alone (production scale-out); HTTP only for `/healthz` probes. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createWorkerApp({ config });
  const log = lifecycleLogger(app.get<Logger>(LOGGER));
  const jobs = await startBackgroundJobs(app);
  const health = await startWorkerHealth(app);
  log.info('authtrail workers started');
  const stop = async (): Promise<void> => {
    log.info('stopping: the sealer seals the tail, the other workers finish their batch');
    health.close();
    await jobs.stop();
    await app.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
