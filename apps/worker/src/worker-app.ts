import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { LOGGER, PinoNestLogger } from '@authtrail/platform';
import { RuntimeModule, RuntimeOptions } from '@authtrail/runtime';
import { ReportingModule } from '@authtrail/reporting';
import { EntraModule } from '@authtrail/entra';

/**
 * The workers' app context (no HTTP): the runtime, the read model the projector writes
 * and the Entra sources. `apps/worker` runs it as its own process; `authtrail serve` on a
 * thread of its own beside the API (./thread).
 */
export async function createWorkerApp(options: RuntimeOptions): Promise<INestApplicationContext> {
  // The reporting module shares one read model between the projector and anything else.
  @Module({ imports: [RuntimeModule.forRoot(options), ReportingModule, EntraModule] })
  class WorkerModule {}
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  // Nest's own lines through pino too: JSON only, framework start-up at debug.
  app.useLogger(new PinoNestLogger(app.get<Logger>(LOGGER)));
  return app;
}
