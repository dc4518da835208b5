import { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { SEAL_KEY, SEALER_WORKER, SealSigningKey, Sealer, SealerFactory } from '@authtrail/ledger';
import { LOGGER, Metrics } from '@authtrail/platform';

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
  const sealer = app.get(SealerFactory).create();
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
