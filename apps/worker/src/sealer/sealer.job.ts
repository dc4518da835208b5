import { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import { SEAL_KEY, SEALER_WORKER, SealSigningKey, Sealer } from '@authtrail/ledger';
import {
  CLOCK,
  Clock,
  ID_SOURCE,
  IdSource,
  LOGGER,
  Metrics,
  WorkerStatusBoard,
  createWorkerReporter,
} from '@authtrail/platform';
import { PRUNED_CATEGORIES, RetentionService } from '@authtrail/runtime';

export interface SealerJob {
  readonly sealer: Sealer;
  /** Stops the interval, then seals the tail so a clean shutdown leaves nothing unsealed. */
  stop(): Promise<void>;
}

/** Seals every tenant's new events each AUTHTRAIL_SEAL_INTERVAL_MS (DESIGN.md invariant 5). */
export function startSealer(app: INestApplicationContext): SealerJob {
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get<Logger>(LOGGER);
  const metrics = app.get(Metrics);
  const retention = app.get(RetentionService);
  const sealer = new Sealer(
    {
      store: app.get<EventStore>(EVENT_STORE),
      checkpoints: app.get<CheckpointStore>(CHECKPOINT_STORE),
      key: app.get<SealSigningKey>(SEAL_KEY),
      clock: app.get<Clock>(CLOCK),
      ids: app.get<IdSource>(ID_SOURCE),
      logger,
      reporter: createWorkerReporter(SEALER_WORKER, {
        logger,
        metrics,
        board: app.get(WorkerStatusBoard),
      }),
    },
    {
      intervalMs: config.sealIntervalMs,
      // The windows the log is pruned or expired by, kept with each seal for verify.
      retentionWindows: Object.fromEntries(
        PRUNED_CATEGORIES.map((c) => [c, retention.days(c) * 86_400]),
      ),
    },
  );
  sealer.start();
  logger.info(
    { intervalMs: config.sealIntervalMs, keyId: app.get<SealSigningKey>(SEAL_KEY).keyId },
    'sealer started',
  );
  return {
    sealer,
    stop: async () => {
      await sealer.stop();
      try {
        const tail = await sealer.sealOnce();
        if (tail.length > 0) logger.info({ seals: tail.length }, 'sealed the tail at shutdown');
      } catch (error) {
        metrics.workerErrors.inc({ worker: SEALER_WORKER, retriable: 'true' });
        logger.error(
          { err: { message: (error as Error)?.message } },
          'sealing the tail at shutdown failed; the next start seals it',
        );
      }
    },
  };
}
