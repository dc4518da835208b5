import { BeforeApplicationShutdown, Inject, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { EventCatalog } from '@authtrail/catalog';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import { CLOCK, Clock, LOGGER, Metrics } from '@authtrail/platform';
import { Projector } from '../application/projector';
import { READ_MODEL, ReadModel } from '../application/read-model.port';
import { ReportsService } from '../application/reports.service';
import {
  ClickHouseReadModel,
  ClickHouseReadModelOptions,
} from './clickhouse/clickhouse-read-model.adapter';

const PROJECTOR_WORKER = 'projector';

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
 * Opens ClickHouse on first use, not at start-up: chdb allows one data folder per
 * process, and an app that never reads a report (a CLI command, most tests) should not
 * hold it.
 */
export class LazyReadModel implements ReadModel {
  private opened: Promise<ClickHouseReadModel> | null = null;

  constructor(private readonly options: ClickHouseReadModelOptions) {}

  private model(): Promise<ClickHouseReadModel> {
    this.opened ??= ClickHouseReadModel.open(this.options).catch((e: unknown) => {
      this.opened = null;
      throw e;
    });
    return this.opened;
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = null;
    if (opened) await (await opened).close();
  }

  init = async (): Promise<void> => void (await this.model());
  write: ReadModel['write'] = async (rows) => (await this.model()).write(rows);
  eraseSubject: ReadModel['eraseSubject'] = async (e) => (await this.model()).eraseSubject(e);
  deleteTenant: ReadModel['deleteTenant'] = async (d) => (await this.model()).deleteTenant(d);
  loadCheckpoint: ReadModel['loadCheckpoint'] = async () => (await this.model()).loadCheckpoint();
  saveCheckpoint: ReadModel['saveCheckpoint'] = async (p) => (await this.model()).saveCheckpoint(p);
  reset: ReadModel['reset'] = async () => (await this.model()).reset();
  registeredCount: ReadModel['registeredCount'] = async (t, s) =>
    (await this.model()).registeredCount(t, s);
  registrations: ReadModel['registrations'] = async (p) => (await this.model()).registrations(p);
  registeredMethods: ReadModel['registeredMethods'] = async (t, s) =>
    (await this.model()).registeredMethods(t, s);
  resets: ReadModel['resets'] = async (q) => (await this.model()).resets(q);
  resetMethods: ReadModel['resetMethods'] = async (q) => (await this.model()).resetMethods(q);
  problems: ReadModel['problems'] = async (q) => (await this.model()).problems(q);
  adminSelfResets: ReadModel['adminSelfResets'] = async (q, m) =>
    (await this.model()).adminSelfResets(q, m);
  suspicious: ReadModel['suspicious'] = async (q, m, l) => (await this.model()).suspicious(q, m, l);
  mfaAttempts: ReadModel['mfaAttempts'] = async (q) => (await this.model()).mfaAttempts(q);
  mfaBlocks: ReadModel['mfaBlocks'] = async (q) => (await this.model()).mfaBlocks(q);
  mfaBypasses: ReadModel['mfaBypasses'] = async (q) => (await this.model()).mfaBypasses(q);
  mfaActivations: ReadModel['mfaActivations'] = async (q) => (await this.model()).mfaActivations(q);
  mfaChanges: ReadModel['mfaChanges'] = async (q) => (await this.model()).mfaChanges(q);
  auditEvents: ReadModel['auditEvents'] = async (q) => (await this.model()).auditEvents(q);
  erasedAmong: ReadModel['erasedAmong'] = async (t, ids) =>
    (await this.model()).erasedAmong(t, ids);
  sealedOf: ReadModel['sealedOf'] = async (t, ids) => (await this.model()).sealedOf(t, ids);
}

/** The projector of an app, reporting to its logger and `/metrics`. */
export function createProjector(
  store: EventStore,
  model: ReadModel,
  catalog: EventCatalog,
  logger: Logger,
  metrics: Metrics,
): Projector {
  return new Projector(store, model, catalog, {
    onLag: (lag) => metrics.workerLag.set({ worker: PROJECTOR_WORKER }, lag),
    onError: (error, retriable) => {
      metrics.workerErrors.inc({ worker: PROJECTOR_WORKER, retriable: String(retriable) });
      logger.error(
        {
          worker: PROJECTOR_WORKER,
          retriable,
          err: { message: (error as Error)?.message, code: (error as { code?: string })?.code },
        },
        'projector batch failed; retrying from the last checkpoint',
      );
    },
  });
}

/**
 * Reports and the projector over ClickHouse. Needs the runtime's global providers
 * (event store, keyring, catalog, clock, logger, metrics, config).
 */
@Module({
  providers: [
    {
      provide: READ_MODEL,
      useFactory: (config: AppConfig) => new LazyReadModel(readModelOptions(config)),
      inject: [APP_CONFIG],
    },
    {
      provide: ReportsService,
      useFactory: (
        model: ReadModel,
        keyring: Keyring,
        catalog: EventCatalog,
        clock: Clock,
        config: AppConfig,
      ) =>
        new ReportsService(model, keyring, catalog, clock, {
          retentionDays: { sspr: config.retention.ssprDays, mfa: config.retention.mfaDays },
        }),
      inject: [READ_MODEL, Keyring, EventCatalog, CLOCK, APP_CONFIG],
    },
    {
      provide: Projector,
      useFactory: (
        store: EventStore,
        model: ReadModel,
        catalog: EventCatalog,
        logger: Logger,
        metrics: Metrics,
      ) => createProjector(store, model, catalog, logger, metrics),
      inject: [EVENT_STORE, READ_MODEL, EventCatalog, LOGGER, Metrics],
    },
  ],
  exports: [READ_MODEL, ReportsService, Projector],
})
export class ReportingModule implements BeforeApplicationShutdown {
  constructor(
    private readonly projector: Projector,
    @Inject(READ_MODEL) private readonly model: ReadModel,
  ) {}

  // Before the runtime closes the event store: the projector finishes its batch first.
  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    await this.model.close();
  }
}
