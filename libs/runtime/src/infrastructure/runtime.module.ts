import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import {
  ApiKeysService,
  OIDC_VERIFIER,
  OidcVerifier,
  RATE_LIMITER,
  RateLimiter,
} from '@authtrail/auth';
import { EventCatalog } from '@authtrail/catalog';
import {
  CHECKPOINT_STORE,
  CheckpointStore,
  EVENT_RETENTION,
  EVENT_STORE,
  EsdbEventStore,
  EventRetention,
  EventStore,
  SqliteCheckpointStore,
  SqliteEventStore,
} from '@authtrail/event-store';
import { PgFencedCheckpointStore, PgLeaseStore, WorkerLeases } from '@authtrail/coordination';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { installNext, resumeMasterKeyRotation } from './master-key-rotation';
import {
  CREDENTIAL_STORE,
  CredentialStore,
  KEY_VAULT,
  KeyVault,
  Keyring,
  loadOrCreateMasterKey,
  openPgVault,
  openSqliteVault,
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
import { TenantsService } from '@authtrail/tenancy';
import { INGEST_LIMITS, IngestEventsHandler } from '@authtrail/ingest';
import {
  AccessAuditService,
  EraseSubjectHandler,
  ErasureRecovery,
  EventReader,
  ExportSubjectHandler,
  ListErasuresHandler,
  SubjectEventsHandler,
} from '@authtrail/privacy';
import { LedgerService, SEAL_KEY, SealSigningKey, loadOrCreateSealKey } from '@authtrail/ledger';
import { BootstrapService } from '../application/bootstrap.service';
import { AdminService } from '../application/admin.service';
import { RetentionService } from '../application/retention.service';
import { OPENED_STORES, OpenedStores } from './tokens';

export interface RuntimeOptions {
  readonly config: AppConfig;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  readonly logger?: Logger;
}

interface Stores {
  eventStore: EventStore;
  checkpoints: CheckpointStore;
  keyVault: KeyVault;
  credentials: CredentialStore;
  leases: WorkerLeases;
  close(): Promise<void>;
}

const DAY_S = 86_400;

async function openStores(config: AppConfig, clock: Clock, logger: Logger): Promise<Stores> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const eventStore: EventStore =
    config.eventStore.kind === 'sqlite'
      ? SqliteEventStore.open(config.eventStore.file, { clock })
      : EsdbEventStore.connect(config.eventStore.url, {
          clock,
          maxAgeSeconds: {
            mfa: config.retention.mfaDays * DAY_S,
            sspr: config.retention.ssprDays * DAY_S,
          },
          onReconnect: (error, attempt) =>
            logger.warn(
              { attempt, err: { message: (error as Error)?.message } },
              'event store subscription reconnecting',
            ),
        });
  const vault =
    config.keyVault.kind === 'sqlite'
      ? openSqliteVault(config.keyVault.file)
      : openPgVault(config.keyVault.url);
  await vault.init();
  // With PostgreSQL, replicas coordinate there (DESIGN.md "Scale-out"): once-per-deployment
  // workers hold leases and their checkpoints are fenced by the lease token. Embedded
  // (SQLite) is one process: jobs run at once and checkpoints stay in the data dir.
  const leaseStore =
    config.keyVault.kind === 'postgres' ? PgLeaseStore.open(config.keyVault.url) : null;
  await leaseStore?.init();
  const leases = new WorkerLeases(
    leaseStore,
    `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    {},
    logger,
  );
  const checkpoints: CheckpointStore = leaseStore
    ? new PgFencedCheckpointStore(leaseStore, leases)
    : new SqliteCheckpointStore(join(config.dataDir, 'checkpoints.db'));
  return {
    eventStore,
    checkpoints,
    keyVault: vault.keyVault,
    credentials: vault.credentials,
    leases,
    // The log closes first so in-flight appends finish while keys are still reachable.
    close: async () => {
      await eventStore.close();
      await checkpoints.close();
      await leaseStore?.close();
      await vault.close();
    },
  };
}

/**
 * The composition root shared by every app: opens the stores the configuration names,
 * and provides the ports and application services. Stores close after the HTTP server
 * has stopped (OnApplicationShutdown runs after the adapter closed).
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
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: ID_SOURCE, useValue: ids },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useFactory: () => new Metrics() },
        { provide: WorkerStatusBoard, useFactory: () => new WorkerStatusBoard() },
        {
          provide: OIDC_VERIFIER,
          useFactory: () => (config.oidc ? new OidcVerifier(config.oidc) : null),
        },
        {
          provide: RATE_LIMITER,
          useFactory: () =>
            new RateLimiter(config.rateLimit.perKeyPerSecond, config.rateLimit.burst),
        },
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
        {
          provide: ApiKeysService,
          useFactory: (c: CredentialStore) => new ApiKeysService(c, clock),
          inject: [CREDENTIAL_STORE],
        },
        {
          provide: TenantsService,
          useFactory: (s: EventStore) =>
            new TenantsService(s, clock, ids, config.tenantDeletionGraceMs),
          inject: [EVENT_STORE],
        },
        {
          provide: INGEST_LIMITS,
          useValue: {
            maxEvents: config.ingest.maxEvents,
            maxFutureSkewMs: config.ingest.maxFutureSkewMs,
            retentionDays: { mfa: config.retention.mfaDays, sspr: config.retention.ssprDays },
          },
        },
        IngestEventsHandler,
        BootstrapService,
        AdminService,
        AccessAuditService,
        RetentionService,
        {
          provide: EventReader,
          useFactory: (c: EventCatalog, k: Keyring) => new EventReader(c, k),
          inject: [EventCatalog, Keyring],
        },
        // Created 0600 on first start, in its own file apart from the event log.
        { provide: SEAL_KEY, useFactory: () => loadOrCreateSealKey(config.sealKeyFile) },
        {
          provide: LedgerService,
          // Hashes of events removed by retention keep older seals verifiable; the clock
          // tells which sealed events a store that expires them itself may have dropped.
          useFactory: (s: EventStore, k: SealSigningKey, r: EventRetention | null) =>
            new LedgerService(s, k, r ? { read: (o) => r.readPruned(o) } : undefined, clock),
          inject: [EVENT_STORE, SEAL_KEY, EVENT_RETENTION],
        },
        EraseSubjectHandler,
        ExportSubjectHandler,
        ListErasuresHandler,
        SubjectEventsHandler,
        {
          provide: ErasureRecovery,
          useFactory: (s: EventStore, v: KeyVault, e: EraseSubjectHandler) =>
            new ErasureRecovery(s, v, e),
          inject: [EVENT_STORE, KEY_VAULT, EraseSubjectHandler],
        },
      ],
      exports: [
        APP_CONFIG,
        RATE_LIMITER,
        OIDC_VERIFIER,
        CLOCK,
        ID_SOURCE,
        LOGGER,
        Metrics,
        WorkerStatusBoard,
        EVENT_STORE,
        KEY_VAULT,
        CHECKPOINT_STORE,
        CREDENTIAL_STORE,
        WorkerLeases,
        EventCatalog,
        Keyring,
        ApiKeysService,
        TenantsService,
        INGEST_LIMITS,
        BootstrapService,
        AdminService,
        AccessAuditService,
        RetentionService,
        EVENT_RETENTION,
        EventReader,
        ErasureRecovery,
        SEAL_KEY,
        LedgerService,
        CqrsModule,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.opened.close();
  }
}
