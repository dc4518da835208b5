import { Consumer, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { AppError } from '@authtrail/platform';
import type { EntraImportResult } from '../application/import-entra-records.command';
import { recordsOf } from '../domain/map-entra-batch';

export interface EventHubsConsumerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly ssl: boolean;
  readonly sasl: { readonly username: string; readonly password: string } | null;
  readonly clientId?: string;
  /** Records handed to one import at most (one ingest batch holds 1000 events). */
  readonly maxRecordsPerImport?: number;
  /** kafkajs heartbeat; lower in tests so a restarted consumer rejoins quickly. */
  readonly heartbeatIntervalMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly logger: Logger;
}

/** Imports records into the event store; resolves once they are appended. */
export type ImportRecords = (records: unknown[]) => Promise<EntraImportResult>;

export interface ConsumerProgress {
  readonly messages: number;
  readonly records: number;
  /** Messages that were not Entra records at all, and imports that can never succeed. */
  readonly parked: number;
}

/**
 * Azure Monitor's AuditLogs export on an Event Hub, read through Event Hubs' Kafka endpoint
 * (https://learn.microsoft.com/azure/event-hubs/azure-event-hubs-kafka-overview) with kafkajs.
 * Each message body is `{"records": [...]}`.
 *
 * At least once, and idempotent: a partition's offset is committed only after the records
 * before it were appended (kafkajs auto-commit is off), so a crash re-delivers at most the
 * uncommitted tail, whose events are then duplicates (their ids derive from the Graph id).
 * A message that is not JSON records, or an import refused for good (the tenant has not
 * opted in: nothing is collected before, invariant 7), is parked — logged, counted, and
 * committed past — so one bad message never stops the partition; anything else (a store
 * down) is thrown, kafkajs retries the batch with backoff and, past its retries, restarts
 * the consumer from the last commit.
 */
export class EventHubsConsumer {
  private consumer: Consumer | null = null;
  private progressed = { messages: 0, records: 0, parked: 0 };

  constructor(
    private readonly options: EventHubsConsumerOptions,
    private readonly importRecords: ImportRecords,
  ) {}

  progress(): ConsumerProgress {
    return { ...this.progressed };
  }

  async start(): Promise<void> {
    const { options } = this;
    const logger = options.logger;
    const kafka = new Kafka({
      clientId: options.clientId ?? 'authtrail-entra',
      brokers: [...options.brokers],
      ssl: options.ssl,
      ...(options.sasl === null
        ? {}
        : {
            sasl: {
              mechanism: 'plain' as const,
              username: options.sasl.username,
              password: options.sasl.password,
            },
          }),
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }) => {
          // kafkajs' entries hold broker addresses and error text, never record values.
          const entry = { kafka: log.message, error: log.error as unknown };
          if (level <= logLevel.ERROR) logger.error(entry, 'entra consumer: kafka error');
          else logger.warn(entry, 'entra consumer: kafka warning');
        },
      retry: { initialRetryTime: 300, retries: 8 },
    });
    const consumer = kafka.consumer({
      groupId: options.groupId,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3000,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    });
    this.consumer = consumer;
    await consumer.connect();
    // A new consumer group starts at the oldest retained message: the hub keeps 1–7 days.
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    const max = options.maxRecordsPerImport ?? 500;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        let records: unknown[] = [];
        let last: string | null = null;
        const flush = async (): Promise<void> => {
          if (last === null) return;
          if (records.length > 0) await this.importOrPark(records, batch.partition, last);
          // The checkpoint: committed only now that everything up to `last` is appended.
          await consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: (BigInt(last) + 1n).toString(),
            },
          ]);
          payload.resolveOffset(last);
          records = [];
          last = null;
          await payload.heartbeat();
        };
        for (const message of batch.messages) {
          if (!payload.isRunning() || payload.isStale()) break;
          const parsed = this.parse(message, batch.partition);
          this.progressed.messages++;
          if (parsed !== null) records.push(...parsed);
          last = message.offset;
          if (records.length >= max) await flush();
        }
        await flush();
      },
    });
  }

  private parse(message: KafkaMessage, partition: number): unknown[] | null {
    let body: unknown;
    try {
      body = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      body = undefined;
    }
    const records = recordsOf(body);
    if (records === null) {
      this.progressed.parked++;
      this.options.logger.error(
        { partition, offset: message.offset },
        'entra consumer: message is not Entra audit records ({"records": [...]}); parked',
      );
    }
    return records;
  }

  private async importOrPark(records: unknown[], partition: number, offset: string): Promise<void> {
    try {
      const r = await this.importRecords(records);
      this.progressed.records += records.length;
      if (r.rejected > 0)
        this.options.logger.warn(
          {
            partition,
            offset,
            rejected: r.rejected,
            // Where, not what: record fields may hold names.
            fields: r.errors.slice(0, 10).map((x) => ({ index: x.index, path: x.path })),
          },
          'entra consumer: records not imported',
        );
    } catch (e) {
      if (e instanceof AppError && !e.retriable && e.status < 500) {
        this.progressed.parked++;
        this.options.logger.error(
          { partition, offset, code: e.code, records: records.length },
          'entra consumer: import refused for good; records parked',
        );
        return;
      }
      throw e;
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }
}
