import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, redactConfig } from '@authtrail/config';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import { CREDENTIAL_STORE, CredentialStore } from '@authtrail/key-vault';
import { CLOCK, Clock, Metrics, WorkerStatusBoard } from '@authtrail/platform';
import { PROJECTOR_CHECKPOINTS, PROJECTOR_WORKER, ReportingModule } from '@authtrail/reporting';
import { FORWARDER_WORKER, siemForwardingOn } from '@authtrail/siem';
import { SEALER_WORKER } from '@authtrail/ledger';
import { DETECTIONS_WORKER } from '@authtrail/detections';
import { DiagnosticsService } from '../application/diagnostics.service';
import { RecentErrors } from '../domain/recent-errors';
import { readBuildInfo } from './build-info';

/**
 * Every worker `startBackgroundJobs` (apps/worker) may run, and whether this configuration
 * runs it; a new worker is a line here.
 */
function knownWorkers(config: AppConfig) {
  const siem = siemForwardingOn(config);
  const alerts =
    config.alerts.enabled && (config.kafkaBrokers.length > 0 || config.alerts.webhooks.length > 0);
  return [
    { worker: PROJECTOR_WORKER, enabled: true, followsLog: true },
    { worker: FORWARDER_WORKER, enabled: siem, followsLog: true },
    { worker: SEALER_WORKER, enabled: true, followsLog: true },
    { worker: DETECTIONS_WORKER, enabled: alerts, followsLog: true },
    // EventStoreDB expires events itself ($maxAge): authtrail's retention job runs on SQLite only.
    { worker: 'retention', enabled: config.eventStore.kind === 'sqlite', followsLog: false },
    { worker: 'tenant-deletion', enabled: true, followsLog: false },
    { worker: 'erasure-recovery', enabled: true, followsLog: false },
    { worker: 'entra-graph', enabled: config.entra.graph !== null, followsLog: false },
    { worker: 'entra-event-hubs', enabled: config.entra.kafka !== null, followsLog: false },
  ];
}

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
          knownWorkers: knownWorkers(config),
          checkpointWorkers: [
            {
              worker: FORWARDER_WORKER,
              enabled: siemForwardingOn(config),
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
