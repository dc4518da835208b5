import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { PRUNED_CATEGORIES, configuredRetentionDays } from '@authtrail/catalog';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
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
import { SEALER_WORKER, Sealer } from '../application/sealer';
import type { SealSigningKey } from '../domain/seal-key';
import { SEAL_KEY } from './seal-key.loader';

/** Builds the sealer of the configuration; the worker that holds its lease starts it. */
@Injectable()
export class SealerFactory {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(SEAL_KEY) private readonly key: SealSigningKey,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly board: WorkerStatusBoard,
  ) {}

  create(): Sealer {
    const { config, logger } = this;
    return new Sealer(
      {
        store: this.store,
        checkpoints: this.checkpoints,
        key: this.key,
        clock: this.clock,
        ids: this.ids,
        logger,
        reporter: createWorkerReporter(SEALER_WORKER, {
          logger,
          metrics: this.metrics,
          board: this.board,
        }),
      },
      {
        intervalMs: config.sealIntervalMs,
        // The windows the log is pruned or expired by, kept with each seal for verify.
        retentionWindows: Object.fromEntries(
          PRUNED_CATEGORIES.map((c) => [c, configuredRetentionDays(config.retention, c) * 86_400]),
        ),
      },
    );
  }
}
