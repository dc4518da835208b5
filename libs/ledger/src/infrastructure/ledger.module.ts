import { Inject, Injectable, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { PRUNED_CATEGORIES, configuredRetentionDays } from '@authtrail/catalog';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import {
  CHECKPOINT_STORE,
  CheckpointStore,
  EVENT_RETENTION,
  EVENT_STORE,
  EventRetention,
  EventStore,
} from '@authtrail/event-store';
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
import { LedgerService } from '../application/ledger.service';
import { SEALER_WORKER, Sealer } from '../application/sealer';
import type { SealSigningKey } from '../domain/seal-key';
import { SEAL_KEY, loadOrCreateSealKey } from './seal-key.loader';

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

/** The seal key, the ledger's reads (verify, seals, inclusion proofs) and the sealer's factory. */
@Module({
  providers: [
    {
      // Created 0600 on first start, in its own file apart from the event log.
      provide: SEAL_KEY,
      useFactory: (config: AppConfig) => loadOrCreateSealKey(config.sealKeyFile),
      inject: [APP_CONFIG],
    },
    {
      provide: LedgerService,
      // Hashes of events removed by retention keep older seals verifiable; the clock
      // tells which sealed events a store that expires them itself may have dropped.
      useFactory: (
        store: EventStore,
        key: SealSigningKey,
        retention: EventRetention | null,
        clock: Clock,
      ) =>
        new LedgerService(
          store,
          key,
          retention ? { read: (o) => retention.readPruned(o) } : undefined,
          clock,
        ),
      inject: [EVENT_STORE, SEAL_KEY, EVENT_RETENTION, CLOCK],
    },
    SealerFactory,
  ],
  exports: [SEAL_KEY, LedgerService, SealerFactory],
})
export class LedgerModule {}
