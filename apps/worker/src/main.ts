import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@authtrail/config';
import { RuntimeModule } from '@authtrail/runtime';
import { startBackgroundJobs } from './background-jobs';

/** Runs the workers alone, without HTTP (production scale-out). */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(RuntimeModule.forRoot({ config }), {
    bufferLogs: true,
  });
  const jobs = await startBackgroundJobs(app);
  const stop = async (): Promise<void> => {
    await jobs.stop();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
