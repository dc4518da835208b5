import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { loadConfig } from '@authtrail/config';
import { LOGGER, PinoNestLogger, lifecycleLogger } from '@authtrail/platform';
import { RuntimeModule } from '@authtrail/runtime';
import { ReportingModule } from '@authtrail/reporting';
import { EntraModule } from '@authtrail/entra';
import { Module } from '@nestjs/common';
import { startBackgroundJobs } from './background-jobs';
import { startWorkerHealth } from './health/worker-health.server';

/** Runs the workers alone (production scale-out); HTTP only for `/healthz` probes. */
async function main(): Promise<void> {
  const config = loadConfig();
  // The reporting module shares one read model between the projector and anything else.
  @Module({ imports: [RuntimeModule.forRoot({ config }), ReportingModule, EntraModule] })
  class WorkerModule {}
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  // Nest's own lines through pino too: JSON only, framework start-up at debug.
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  const log = lifecycleLogger(logger);
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
