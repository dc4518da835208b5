import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@authtrail/config';
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
  const jobs = await startBackgroundJobs(app);
  const health = await startWorkerHealth(app);
  const stop = async (): Promise<void> => {
    health.close();
    await jobs.stop();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
