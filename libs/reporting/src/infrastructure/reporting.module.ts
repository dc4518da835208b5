import { BeforeApplicationShutdown, Inject, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { EventCatalog } from '@authtrail/catalog';
import { FencedLocalCheckpointStore, WorkerLeases } from '@authtrail/coordination';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import {
  CLOCK,
  Clock,
  LOGGER,
  Metrics,
  WorkerStatusBoard,
  createWorkerReporter,
} from '@authtrail/platform';
import { PROJECTOR_WORKER, Projector } from '../application/projector';
import {
  READ_MODEL_WRITER,
  REPORT_READER,
  ReadModelWriter,
  ReportReader,
  SqlReportReader,
} from '../application/read-model.port';
import { ReportSql } from '../application/reports/report-sql';
import { ReportsService } from '../application/reports.service';
import { RunReportHandler } from '../application/run-report.query-handler';
import { AuditEventsHandler } from '../application/audit-events.query-handler';
import { PersonShownAsHandler } from '../application/person-shown-as.query-handler';
import type { ClickHouseExecutor } from './clickhouse/clickhouse-executor';
import {
  ClickHouseReadModelOptions,
  ClickHouseReadModelSettings,
  lazyClickHouseReadModel,
  readModelSettings,
} from './clickhouse/clickhouse-read-model';
import { ClickHouseProjectionWriter } from './clickhouse/clickhouse-projection-writer.adapter';
import { ClickHouseCheckpointStore } from './clickhouse/clickhouse-checkpoint-store.adapter';

/**
 * The app's one ClickHouse executor, opened on first use (`LazyClickHouseExecutor`): the
 * projection writer and the report queries share it, and it closes at shutdown.
 */
export const CLICKHOUSE_EXECUTOR = Symbol('ClickHouseExecutor');
/**
 * The executor of a ClickHouse another thread owns, or null (RuntimeModule provides it):
 * when set, this app opens no ClickHouse of its own, and closing is that thread's business.
 */
export const CLICKHOUSE_ELSEWHERE = Symbol('ClickHouseElsewhere');
const CLICKHOUSE_SETTINGS = Symbol('ClickHouseReadModelSettings');
/** The projector's checkpoint store (`ClickHouseCheckpointStore`, fenced when coordinated). */
export const PROJECTOR_CHECKPOINTS = Symbol('ProjectorCheckpoints');

/**
 * ClickHouse of the configuration: a server when `AUTHTRAIL_CLICKHOUSE_URL` is set, else
 * chdb under the data dir; plain or replicated tables, `ON CLUSTER` when a cluster is named.
 * Every app that creates the tables (API, worker, `authtrail replay`) comes through here.
 */
export function readModelOptions(config: AppConfig): ClickHouseReadModelOptions {
  return {
    url: config.clickhouseUrl,
    path: config.clickhousePath,
    engine: config.clickhouseEngine,
    cluster: config.clickhouseCluster,
    retentionDays: { sspr: config.retention.ssprDays, mfa: config.retention.mfaDays },
  };
}

/**
 * Reports and the projector over ClickHouse. Needs the runtime's global providers
 * (event store, keyring, catalog, clock, logger, metrics, config).
 */
/**
 * Batch of the projector that follows the log beside the API, as replay's. Each pass
 * writes a ClickHouse part per table it touches, whatever its size, so a busy log is
 * cheaper in big batches: in two alternating pairs of the bench (issue #15, 2026-12-08)
 * 5000 against 2000 cut the engine's CPU per batch event from 52–73 to 35–49 µs and the
 * projection lag p95 from 1.8–1.9 to 1.1–1.4 s, and peak RSS moved within the noise
 * (956/970 against 996/976 MiB; a batch is held whole: events, rows, the insert's JSON).
 */
export const LIVE_PROJECTOR_BATCH = 5000;

@Module({
  providers: [
    {
      provide: CLICKHOUSE_EXECUTOR,
      useFactory: (config: AppConfig, elsewhere: ClickHouseExecutor | null) =>
        elsewhere ?? lazyClickHouseReadModel(readModelOptions(config)),
      inject: [APP_CONFIG, { token: CLICKHOUSE_ELSEWHERE, optional: true }],
    },
    {
      provide: CLICKHOUSE_SETTINGS,
      useFactory: (config: AppConfig) => readModelSettings(readModelOptions(config)),
      inject: [APP_CONFIG],
    },
    {
      provide: READ_MODEL_WRITER,
      useFactory: (executor: ClickHouseExecutor, settings: ClickHouseReadModelSettings) =>
        new ClickHouseProjectionWriter(executor, settings),
      inject: [CLICKHOUSE_EXECUTOR, CLICKHOUSE_SETTINGS],
    },
    {
      provide: REPORT_READER,
      useFactory: (executor: ClickHouseExecutor, settings: ClickHouseReadModelSettings) =>
        new SqlReportReader(
          new ReportSql(executor, { database: settings.database, dedupe: settings.dedupe }),
        ),
      inject: [CLICKHOUSE_EXECUTOR, CLICKHOUSE_SETTINGS],
    },
    RunReportHandler,
    AuditEventsHandler,
    PersonShownAsHandler,
    {
      provide: ReportsService,
      useFactory: (
        model: ReportReader,
        keyring: Keyring,
        catalog: EventCatalog,
        clock: Clock,
        config: AppConfig,
      ) =>
        new ReportsService(model, keyring, catalog, clock, {
          retentionDays: { sspr: config.retention.ssprDays, mfa: config.retention.mfaDays },
        }),
      inject: [REPORT_READER, Keyring, EventCatalog, CLOCK, APP_CONFIG],
    },
    {
      // Beside the tables it describes; fenced by the projector's lease when coordinated.
      provide: PROJECTOR_CHECKPOINTS,
      useFactory: (
        executor: ClickHouseExecutor,
        settings: ClickHouseReadModelSettings,
        leases: WorkerLeases,
        checkpoints: CheckpointStore,
      ): CheckpointStore => {
        const local = new ClickHouseCheckpointStore(executor, settings);
        return leases.coordinated ? new FencedLocalCheckpointStore(local, checkpoints) : local;
      },
      inject: [CLICKHOUSE_EXECUTOR, CLICKHOUSE_SETTINGS, WorkerLeases, CHECKPOINT_STORE],
    },
    {
      provide: Projector,
      useFactory: (
        store: EventStore,
        writer: ReadModelWriter,
        checkpoints: CheckpointStore,
        catalog: EventCatalog,
        logger: Logger,
        metrics: Metrics,
        board: WorkerStatusBoard,
      ) =>
        new Projector(
          {
            store,
            writer,
            checkpoints,
            catalog,
            reporter: createWorkerReporter(PROJECTOR_WORKER, { logger, metrics, board }),
          },
          { batchSize: LIVE_PROJECTOR_BATCH },
        ),
      inject: [
        EVENT_STORE,
        READ_MODEL_WRITER,
        PROJECTOR_CHECKPOINTS,
        EventCatalog,
        LOGGER,
        Metrics,
        WorkerStatusBoard,
      ],
    },
  ],
  exports: [
    CLICKHOUSE_EXECUTOR,
    READ_MODEL_WRITER,
    REPORT_READER,
    PROJECTOR_CHECKPOINTS,
    ReportsService,
    Projector,
  ],
})
export class ReportingModule implements BeforeApplicationShutdown {
  constructor(
    private readonly projector: Projector,
    @Inject(CLICKHOUSE_EXECUTOR) private readonly clickhouse: ClickHouseExecutor,
  ) {}

  // Before the runtime closes the event store: the projector finishes its batch first.
  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    await this.clickhouse.close();
  }
}
