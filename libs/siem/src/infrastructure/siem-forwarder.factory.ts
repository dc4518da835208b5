import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { EventCatalog } from '@authtrail/catalog';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { WorkerLeases } from '@authtrail/coordination';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import { SealedEventProofs } from '@authtrail/ledger';
import { LOGGER, Metrics, WorkerStatusBoard } from '@authtrail/platform';
import type { SiemForwarder } from '../application/siem-forwarder';
import { createSiemForwarder } from './create-siem-forwarder';

/**
 * Builds the forwarder the configuration asks for over the runtime's ports. A factory, not
 * the forwarder: only the replica that holds the forwarder's lease opens its publishers
 * and its record of published people.
 */
@Injectable()
export class SiemForwarderFactory {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly catalog: EventCatalog,
    private readonly keyring: Keyring,
    private readonly metrics: Metrics,
    private readonly board: WorkerStatusBoard,
    private readonly leases: WorkerLeases,
  ) {}

  /** Null when neither Kafka brokers nor an NDJSON file are configured (forwarding off). */
  create(): SiemForwarder | null {
    const { config, leases } = this;
    return createSiemForwarder(
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
        store: this.store,
        checkpoints: this.checkpoints,
        catalog: this.catalog,
        keyring: this.keyring,
        logger: this.logger,
        metrics: this.metrics,
        board: this.board,
        seals: new SealedEventProofs(this.store),
      },
    );
  }
}
