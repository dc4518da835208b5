import { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { WorkerLeases } from '@authtrail/coordination';
import { EventCatalog } from '@authtrail/catalog';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import { LedgerService, SealedEventProofs } from '@authtrail/ledger';
import { LOGGER, Metrics, WorkerStatusBoard } from '@authtrail/platform';
import {
  ERASED_VALUE_MAX_AGE_MS,
  SIEM_TOPICS,
  SiemForwarder,
  createSiemForwarder,
} from '@authtrail/siem';

/**
 * Starts the SIEM forwarder when Kafka brokers (AUTHTRAIL_KAFKA_BROKERS) or an NDJSON file
 * (AUTHTRAIL_SIEM_FILE) are configured; null when neither is (forwarding off).
 */
export function startSiemForwarder(app: INestApplicationContext): SiemForwarder | null {
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get<Logger>(LOGGER);
  const leases = app.get(WorkerLeases);
  const forwarder = createSiemForwarder(
    {
      dataDir: config.dataDir,
      // With PostgreSQL the record of published people is shared and fenced by the lease.
      keyVault: config.keyVault,
      leases: leases.coordinated ? leases : null,
      kafkaBrokers: config.kafkaBrokers,
      siemFile: config.siemFile,
      siemIdentity: config.siemIdentity,
      partitions: config.kafkaPartitions,
      replicationFactor: config.kafkaReplicationFactor ?? undefined,
    },
    {
      store: app.get<EventStore>(EVENT_STORE),
      checkpoints: app.get<CheckpointStore>(CHECKPOINT_STORE),
      catalog: app.get(EventCatalog),
      keyring: app.get(Keyring),
      logger,
      metrics: app.get(Metrics),
      board: app.get(WorkerStatusBoard),
      seals: new SealedEventProofs(app.get<EventStore>(EVENT_STORE), app.get(LedgerService)),
    },
  );
  if (forwarder === null) {
    logger.info('SIEM forwarding off (set AUTHTRAIL_KAFKA_BROKERS or AUTHTRAIL_SIEM_FILE)');
    return null;
  }
  logger.info(
    {
      kafka: config.kafkaBrokers.length > 0 ? config.kafkaBrokers : undefined,
      file: config.siemFile ?? undefined,
      identities:
        config.siemIdentity && config.kafkaBrokers.length > 0 ? SIEM_TOPICS.subjects : 'off',
      erasedValueMaxAgeHours: ERASED_VALUE_MAX_AGE_MS / 3_600_000,
    },
    'SIEM forwarder starting',
  );
  return forwarder.start();
}
