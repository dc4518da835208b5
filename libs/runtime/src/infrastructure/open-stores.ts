import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '@authtrail/config';
import {
  CheckpointStore,
  EsdbEventStore,
  EventStore,
  SqliteCheckpointStore,
  SqliteEventStore,
} from '@authtrail/event-store';
import { PgFencedCheckpointStore, PgLeaseStore, WorkerLeases } from '@authtrail/coordination';
import {
  CachedCredentialStore,
  CredentialStore,
  KeyVault,
  openPgVault,
  openSqliteVault,
} from '@authtrail/key-vault';
import type { Clock } from '@authtrail/platform';

/** The stores the configuration names, opened, and how to close them in order. */
export interface Stores {
  eventStore: EventStore;
  checkpoints: CheckpointStore;
  keyVault: KeyVault;
  credentials: CredentialStore;
  leases: WorkerLeases;
  close(): Promise<void>;
}

const DAY_S = 86_400;

export async function openStores(config: AppConfig, clock: Clock, logger: Logger): Promise<Stores> {
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
    // Every request authenticates: records are read once a second at most (see the class).
    credentials: new CachedCredentialStore(vault.credentials, clock),
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
