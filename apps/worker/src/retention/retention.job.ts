import { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER, Metrics, WorkerStatusBoard } from '@authtrail/platform';
import { RetentionService } from '@authtrail/runtime';
import { PeriodicJob } from '../jobs/periodic-job';

/** Prunes events past their retention window at start and then every hour. */
export function startRetention(app: INestApplicationContext): { stop(): Promise<void> } {
  const service = app.get(RetentionService);
  if (!service.enabled) return { stop: () => Promise.resolve() };
  const metrics = app.get(Metrics);
  const job = new PeriodicJob(
    'retention',
    3_600_000,
    async () => {
      await service.run();
    },
    app.get<Logger>(LOGGER),
    () => metrics.workerErrors.inc({ worker: 'retention', retriable: 'true' }),
    app.get(WorkerStatusBoard),
  ).start();
  return { stop: () => job.stop() };
}
