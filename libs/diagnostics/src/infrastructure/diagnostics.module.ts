import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, redactConfig } from '@authtrail/config';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import { CREDENTIAL_STORE, CredentialStore } from '@authtrail/key-vault';
import { CLOCK, Clock, Metrics, WorkerStatusBoard } from '@authtrail/platform';
import { PROJECTOR_CHECKPOINTS, PROJECTOR_WORKER, ReportingModule } from '@authtrail/reporting';
import { FORWARDER_WORKER } from '@authtrail/siem';
import { DiagnosticsService } from '../application/diagnostics.service';
import { RecentErrors } from '../domain/recent-errors';
import { readBuildInfo } from './build-info';

/**
 * The diagnostics bundle over the runtime's stores. Needs the runtime's global providers
 * (config, event store, credential store, checkpoints, clock, metrics).
 */
@Module({
  imports: [ReportingModule],
  providers: [
    { provide: RecentErrors, useFactory: () => new RecentErrors(200) },
    {
      provide: DiagnosticsService,
      useFactory: (
        config: AppConfig,
        store: EventStore,
        credentials: CredentialStore,
        projectorCheckpoints: CheckpointStore,
        checkpoints: CheckpointStore,
        metrics: Metrics,
        errors: RecentErrors,
        clock: Clock,
        workers: WorkerStatusBoard,
      ) =>
        new DiagnosticsService({
          build: readBuildInfo(),
          config: redactConfig(config),
          store,
          keyVaultProbe: () => credentials.findById('0000000000000000'),
          projectorCheckpoint: () => projectorCheckpoints.load(PROJECTOR_WORKER),
          checkpoints,
          checkpointWorkers: [
            {
              worker: FORWARDER_WORKER,
              enabled: config.kafkaBrokers.length > 0 || config.siemFile !== null,
            },
          ],
          metrics,
          workers,
          errors,
          clock,
          startedAt: clock.now(),
        }),
      inject: [
        APP_CONFIG,
        EVENT_STORE,
        CREDENTIAL_STORE,
        PROJECTOR_CHECKPOINTS,
        CHECKPOINT_STORE,
        Metrics,
        RecentErrors,
        CLOCK,
        WorkerStatusBoard,
      ],
    },
  ],
  exports: [DiagnosticsService, RecentErrors],
})
export class DiagnosticsModule {}
