import {
  Admin,
  ConfigResourceTypes,
  Kafka,
  LogEntry,
  Partitioners,
  Producer,
  TopicMessages,
  logLevel,
} from 'kafkajs';
import type { Logger } from 'pino';
import { SiemPublishError } from '../../domain/siem.errors';
import type { SiemPublisher } from '../../domain/siem-publisher.port';
import type { SiemRecord } from '../../domain/siem-record';
import { SIEM_TOPICS, siemTopicSpecs } from '../../domain/siem-topics';

export interface KafkaSiemPublisherOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Partitions of new topics; default 6 (per-person order holds on any count: the key picks the partition). */
  readonly partitions?: number;
  /** Replication of new topics; default -1 = the broker's `default.replication.factor`. */
  readonly replicationFactor?: number;
  /** How long one produce request may take before it counts as failed; default 30 s. */
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
  /** kafkajs' own retries within one publish, before the forwarder's backoff takes over. */
  readonly retries?: number;
  readonly logger?: Logger;
}

/**
 * The events, subjects and seals topics on Kafka through kafkajs. One idempotent producer
 * with one request in flight: with the record key choosing the partition, every person's
 * records stay in order, also across kafkajs' retries
 * (https://kafka.js.org/docs/producing#options). kafkajs has no linger, so the forwarder's
 * batch is one `sendBatch`.
 */
export class KafkaSiemPublisher implements SiemPublisher {
  readonly carries = Object.values(SIEM_TOPICS);
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  /** After a failure the connection is rebuilt (and topics re-created) before the next try. */
  private healthy = false;

  constructor(private readonly options: KafkaSiemPublisherOptions) {
    const logger = options.logger;
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'authtrail-siem-forwarder',
      brokers: [...options.brokers],
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      retry: { retries: options.retries ?? 5, initialRetryTime: 300, maxRetryTime: 10_000 },
      // kafkajs logs every failed connection; the forwarder reports outages itself, once per attempt.
      logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
      logCreator: () => (entry: LogEntry) =>
        logger?.debug({ kafka: entry.namespace, ...entry.log }, `kafkajs: ${entry.log.message}`),
    });
  }

  async start(): Promise<void> {
    await this.connect();
  }

  async publish(records: readonly SiemRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      if (!this.healthy) await this.connect();
      await this.producer!.sendBatch({ topicMessages: byTopic(records), acks: -1 });
    } catch (error) {
      this.healthy = false;
      throw new SiemPublishError(
        `Kafka did not acknowledge ${records.length} records: ${(error as Error).message}`,
        error,
      );
    }
  }

  async close(): Promise<void> {
    this.healthy = false;
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    await this.disconnect();
    try {
      const admin = this.kafka.admin();
      this.admin = admin;
      await admin.connect();
      await this.ensureTopics(admin);
      // A fresh producer id each time: a broker that restarted without its state (or a
      // fenced producer) would refuse the old id's sequence numbers.
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: this.options.retries ?? 5, initialRetryTime: 300, maxRetryTime: 10_000 },
      });
      this.producer = producer;
      await producer.connect();
      this.healthy = true;
    } catch (error) {
      await this.disconnect();
      throw new SiemPublishError(
        `cannot reach Kafka (${this.options.brokers.join(',')}): ${(error as Error).message}`,
        error,
      );
    }
  }

  private async ensureTopics(admin: Admin): Promise<void> {
    const specs = siemTopicSpecs();
    await admin.createTopics({
      waitForLeaders: true,
      topics: specs.map((s) => ({
        topic: s.topic,
        numPartitions: this.options.partitions ?? 6,
        replicationFactor: this.options.replicationFactor ?? -1,
        configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
      })),
    });
    // An existing subjects topic made by someone else must still compact, or erased values stay.
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: SIEM_TOPICS.subjects,
          configNames: ['cleanup.policy'],
        },
      ],
    });
    const policy = described.resources[0]?.configEntries.find(
      (c) => c.configName === 'cleanup.policy',
    )?.configValue;
    if (policy !== undefined && !policy.split(',').includes('compact')) {
      this.options.logger?.error(
        { topic: SIEM_TOPICS.subjects, cleanupPolicy: policy },
        'the identity topic does not compact: erased identities stay on the broker until retention removes them',
      );
    }
  }

  private async disconnect(): Promise<void> {
    const producer = this.producer;
    const admin = this.admin;
    this.producer = null;
    this.admin = null;
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
  }
}

function byTopic(records: readonly SiemRecord[]): TopicMessages[] {
  const topics = new Map<string, TopicMessages>();
  for (const r of records) {
    let t = topics.get(r.topic);
    if (!t) topics.set(r.topic, (t = { topic: r.topic, messages: [] }));
    t.messages.push({ key: r.key, value: r.value, headers: { ...r.headers } });
  }
  return [...topics.values()];
}
