import { join } from 'node:path';
import type { HeldLeases } from '@authtrail/coordination';
import { FanOutSiemPublisher } from '../application/fan-out-siem-publisher';
import { SiemForwarder, SiemForwarderDeps } from '../application/siem-forwarder';
import type { PublishedSubjectsStore } from '../domain/published-subjects.port';
import type { SiemPublisher } from '../domain/siem-publisher.port';
import { NdjsonFileSiemPublisher } from './file/ndjson-file-siem-publisher.adapter';
import { KafkaSiemPublisher } from './kafka/kafka-siem-publisher.adapter';
import { PostgresPublishedSubjectsStore } from './postgres/postgres-published-subjects.adapter';
import { SqlitePublishedSubjectsStore } from './sqlite/sqlite-published-subjects.adapter';

/** The SIEM part of the configuration (AppConfig's fields of the same names). */
export interface SiemSettings {
  readonly dataDir: string;
  readonly kafkaBrokers: readonly string[];
  readonly siemFile: string | null;
  readonly siemIdentity: boolean;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly batchSize?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly requestTimeoutMs?: number;
  /** kafkajs' own retries inside one publish before the forwarder's backoff takes over; default 5. */
  readonly kafkaRetries?: number;
  /** Checkpoint name (default `forwarder`); the record of published people is kept per name. */
  readonly worker?: string;
  /**
   * The key vault of the configuration (AppConfig's `keyVault`). With PostgreSQL the record
   * of published people lives there, shared by every worker replica, so the one that takes
   * the forwarder over knows whom the last one published; otherwise a SQLite file in the
   * data dir (one process).
   */
  readonly keyVault?:
    { readonly kind: 'sqlite' } | { readonly kind: 'postgres'; readonly url: string };
  /**
   * This replica's leases when workers are coordinated (scale-out): writes to the shared
   * record count only under the forwarder's lease, like its checkpoints.
   */
  readonly leases?: HeldLeases | null;
}

/** Where the forwarder records whom it published: shared PostgreSQL, or a file of its own. */
function publishedSubjectsStore(settings: SiemSettings, worker: string): PublishedSubjectsStore {
  if (settings.keyVault?.kind === 'postgres') {
    return PostgresPublishedSubjectsStore.open(settings.keyVault.url, {
      worker,
      // The lease of the forwarder is named like its checkpoint (apps/worker).
      fence: settings.leases ? { leases: settings.leases, lease: worker } : null,
    });
  }
  return new SqlitePublishedSubjectsStore(
    join(
      settings.dataDir,
      worker === 'forwarder' ? 'siem-subjects.db' : `siem-subjects-${worker}.db`,
    ),
  );
}

/** Whether the configuration forwards to a SIEM at all (Kafka brokers, an NDJSON file, or both). */
export function siemForwardingOn(settings: {
  readonly kafkaBrokers: readonly string[];
  readonly siemFile: string | null;
}): boolean {
  return settings.kafkaBrokers.length > 0 || settings.siemFile !== null;
}

/**
 * Builds the forwarder the configuration asks for: Kafka when brokers are set, the NDJSON
 * file when a file is set, both when both are. Null when neither is (forwarding off).
 */
export function createSiemForwarder(
  settings: SiemSettings,
  deps: Omit<SiemForwarderDeps, 'publisher' | 'published'>,
): SiemForwarder | null {
  const targets: SiemPublisher[] = [];
  if (settings.kafkaBrokers.length > 0) {
    targets.push(
      new KafkaSiemPublisher({
        brokers: settings.kafkaBrokers,
        partitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        requestTimeoutMs: settings.requestTimeoutMs,
        retries: settings.kafkaRetries,
        logger: deps.logger,
      }),
    );
  }
  if (settings.siemFile !== null) targets.push(new NdjsonFileSiemPublisher(settings.siemFile));
  if (targets.length === 0) return null;
  const worker = settings.worker ?? 'forwarder';
  return new SiemForwarder(
    {
      ...deps,
      publisher: targets.length === 1 ? targets[0] : new FanOutSiemPublisher(targets),
      published: publishedSubjectsStore(settings, worker),
    },
    {
      identities: settings.siemIdentity,
      worker,
      batchSize: settings.batchSize,
      retryInitialMs: settings.retryInitialMs,
      retryMaxMs: settings.retryMaxMs,
    },
  );
}
