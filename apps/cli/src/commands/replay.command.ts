import { Command } from 'commander';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, loadConfig } from '@authtrail/config';
import { EventCatalog } from '@authtrail/catalog';
import { CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import {
  PROJECTOR_CHECKPOINTS,
  Projector,
  READ_MODEL_WRITER,
  ReadModelWriter,
  ReportingModule,
} from '@authtrail/reporting';
import { RuntimeModule } from '@authtrail/runtime';
import { CliError } from '../api-client';
import { runningServer } from '../server-lock';

/** One line on stderr, redrawn: `[#####.....]  52%  52000/100000 events  8200 ev/s`. */
export function progressLine(
  done: number,
  total: number,
  startedAt: number,
  now = Date.now(),
): string {
  const width = 30;
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  const rate = Math.round(done / Math.max(0.001, (now - startedAt) / 1000));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${done}/${total} events  ${rate} ev/s`;
}

/**
 * `authtrail replay`: empties every ClickHouse table and projects the whole log again from
 * position zero (projections are disposable, DESIGN.md invariant 6). It opens the stores
 * itself, so it refuses while a server holds the data dir.
 */
export async function replay(config: AppConfig): Promise<ProjectionRun> {
  const server = runningServer(config.dataDir);
  if (server !== null) {
    throw new CliError(
      `a server (pid ${server.pid}) holds ${config.dataDir}: stop it first, replay rebuilds the tables it serves`,
    );
  }
  return project(config, 'rebuild');
}

/**
 * Without a running server nobody projects new events: a CLI report on the local data
 * dir first brings the tables up to the log's head (from the checkpoint, not from zero).
 */
export async function catchUpLocally(config: AppConfig): Promise<void> {
  if (runningServer(config.dataDir) !== null) return;
  await project(config, 'catch-up');
}

/** How far a projection got, in how long, and the CPU the whole process used meanwhile. */
export interface ProjectionRun {
  readonly position: number;
  readonly seconds: number;
  /** User + system CPU of every thread of the process (the embedded ClickHouse's too), s. */
  readonly cpuSeconds: number;
}

async function project(config: AppConfig, mode: 'rebuild' | 'catch-up'): Promise<ProjectionRun> {
  @Module({
    imports: [RuntimeModule.forRoot({ config: { ...config, logLevel: 'warn' } }), ReportingModule],
  })
  class ReplayModule {}
  const app = await NestFactory.createApplicationContext(ReplayModule, { logger: false });
  const startedAt = Date.now();
  const cpuAtStart = process.cpuUsage();
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  try {
    const projector = new Projector({
      store: app.get<EventStore>(EVENT_STORE),
      writer: app.get<ReadModelWriter>(READ_MODEL_WRITER),
      checkpoints: app.get<CheckpointStore>(PROJECTOR_CHECKPOINTS),
      catalog: app.get(EventCatalog),
      reporter: {
        progress: (position, head) => {
          if (mode === 'catch-up' && head - position < 10_000) return;
          const now = Date.now();
          if (now - lastDraw < 200 && position < head) return;
          lastDraw = now;
          const line = progressLine(position, head, startedAt, now);
          process.stderr.write(tty ? `\r${line}` : `${line}\n`);
        },
      },
    });
    const position = mode === 'rebuild' ? await projector.rebuild() : await projector.catchUp();
    if (tty && lastDraw > 0) process.stderr.write('\n');
    const cpu = process.cpuUsage(cpuAtStart);
    return {
      position,
      seconds: Math.round((Date.now() - startedAt) / 100) / 10,
      cpuSeconds: Math.round((cpu.user + cpu.system) / 100_000) / 10,
    };
  } finally {
    await app.close();
  }
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'rebuild every ClickHouse table from position zero of the event log (stop the server first)',
    )
    .action(async () => {
      const result = await replay(loadConfig());
      process.stdout.write(
        `replayed the log up to position ${result.position} in ${result.seconds} s (CPU ${result.cpuSeconds} s)\n`,
      );
    });
}
