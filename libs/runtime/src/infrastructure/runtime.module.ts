import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { AuthModule } from '@authtrail/auth';
import { EventCatalog } from '@authtrail/catalog';
import {
  CHECKPOINT_STORE,
  EVENT_RETENTION,
  EVENT_STORE,
  EventRetention,
  SqliteEventStore,
} from '@authtrail/event-store';
import { WorkerLeases } from '@authtrail/coordination';
import { installNext, resumeMasterKeyRotation } from './master-key-rotation';
import {
  CREDENTIAL_STORE,
  KEY_VAULT,
  KeyVault,
  Keyring,
  loadOrCreateMasterKey,
} from '@authtrail/key-vault';
import {
  CLOCK,
  Clock,
  ID_SOURCE,
  IdSource,
  LOGGER,
  Metrics,
  WorkerStatusBoard,
  createLogger,
  randomIds,
  systemClock,
} from '@authtrail/platform';
import { TenancyModule } from '@authtrail/tenancy';
import { CLICKHOUSE_ELSEWHERE, type ClickHouseExecutor } from '@authtrail/reporting';
import { IngestModule } from '@authtrail/ingest';
import { PrivacyModule } from '@authtrail/privacy';
import { LedgerModule } from '@authtrail/ledger';
import { SiemModule } from '@authtrail/siem';
import { BootstrapService } from '../application/bootstrap.service';
import { AdminService } from '../application/admin.service';
import { RetentionService } from '../application/retention.service';
import { ScheduleTenantDeletionHandler } from '../application/schedule-tenant-deletion.command-handler';
import { ErasePersonHandler } from '../application/erase-person.command-handler';
import { ExportPersonHandler } from '../application/export-person.query-handler';
import { Stores, openStores } from './open-stores';
import { OPENED_STORES, OpenedStores } from './tokens';

export interface RuntimeOptions {
  readonly config: AppConfig;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  readonly logger?: Logger;
  /** The process's metrics, when another thread's workers report into them too. */
  readonly metrics?: Metrics;
  /** The workers' status board, when another thread's workers report into it too. */
  readonly workerBoard?: WorkerStatusBoard;
  /**
   * The read model's ClickHouse, when another thread owns it (`authtrail serve` runs the
   * workers and the embedded engine on a thread of their own): reports and erasure reach
   * it through this one. Default: this app opens it (ReportingModule).
   */
  readonly clickhouse?: ClickHouseExecutor;
}

/** The bounded contexts every app runs; each lib's module holds its own use cases. */
const CONTEXTS = [AuthModule, TenancyModule, IngestModule, LedgerModule, PrivacyModule, SiemModule];

/**
 * The composition root shared by every app: opens the stores the configuration names and
 * provides the shared ports (config, clock, ids, logger, metrics, stores, keyring,
 * catalog) to the context modules it imports and re-exports; the runtime's own services
 * are the cross-context ones (bootstrap, tenant administration, retention). Stores close
 * after the HTTP server has stopped (OnApplicationShutdown runs after the adapter closed).
 */
@Global()
@Module({})
export class RuntimeModule implements OnApplicationShutdown {
  constructor(@Inject(OPENED_STORES) private readonly opened: OpenedStores) {}

  static forRoot(options: RuntimeOptions): DynamicModule {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    const ids = options.ids ?? randomIds;
    const logger = options.logger ?? createLogger(config.logLevel);
    return {
      module: RuntimeModule,
      imports: [CqrsModule.forRoot(), ...CONTEXTS],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: ID_SOURCE, useValue: ids },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useFactory: () => options.metrics ?? new Metrics() },
        {
          provide: WorkerStatusBoard,
          useFactory: () => options.workerBoard ?? new WorkerStatusBoard(),
        },
        { provide: CLICKHOUSE_ELSEWHERE, useValue: options.clickhouse ?? null },
        { provide: 'STORES', useFactory: () => openStores(config, clock, logger) },
        { provide: WorkerLeases, useFactory: (s: Stores) => s.leases, inject: ['STORES'] },
        { provide: EVENT_STORE, useFactory: (s: Stores) => s.eventStore, inject: ['STORES'] },
        { provide: KEY_VAULT, useFactory: (s: Stores) => s.keyVault, inject: ['STORES'] },
        { provide: CHECKPOINT_STORE, useFactory: (s: Stores) => s.checkpoints, inject: ['STORES'] },
        {
          // The SQLite log prunes itself through this port; EventStoreDB uses $maxAge instead.
          provide: EVENT_RETENTION,
          useFactory: (s: Stores): EventRetention | null =>
            s.eventStore instanceof SqliteEventStore ? s.eventStore : null,
          inject: ['STORES'],
        },
        { provide: CREDENTIAL_STORE, useFactory: (s: Stores) => s.credentials, inject: ['STORES'] },
        {
          provide: OPENED_STORES,
          useFactory: (s: Stores): OpenedStores => ({ config, close: () => s.close() }),
          inject: ['STORES'],
        },
        { provide: EventCatalog, useFactory: () => EventCatalog.default() },
        {
          provide: Keyring,
          useFactory: async (vault: KeyVault) => {
            const loaded = loadOrCreateMasterKey({
              file: config.masterKeyFile,
              base64: config.masterKey ?? undefined,
            });
            if (config.masterKey !== null) return new Keyring(vault, loaded, clock);
            const master = await resumeMasterKeyRotation(config.masterKeyFile, loaded, vault);
            const keyring = new Keyring(vault, loaded, clock);
            if (master.id !== loaded.id) {
              // A rotation was cut off after re-wrapping began: finish it, then install the file.
              await keyring.rotateMasterKey(master);
              installNext(config.masterKeyFile);
            }
            return keyring;
          },
          inject: [KEY_VAULT],
        },
        BootstrapService,
        AdminService,
        RetentionService,
        ScheduleTenantDeletionHandler,
        ErasePersonHandler,
        ExportPersonHandler,
      ],
      exports: [
        APP_CONFIG,
        CLICKHOUSE_ELSEWHERE,
        CLOCK,
        ID_SOURCE,
        LOGGER,
        Metrics,
        WorkerStatusBoard,
        EVENT_STORE,
        KEY_VAULT,
        CHECKPOINT_STORE,
        CREDENTIAL_STORE,
        EVENT_RETENTION,
        WorkerLeases,
        EventCatalog,
        Keyring,
        BootstrapService,
        AdminService,
        RetentionService,
        CqrsModule,
        ...CONTEXTS,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.opened.close();
  }
}
