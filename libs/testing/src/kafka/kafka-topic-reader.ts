import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** One record as a consumer sees it. `value` null is a tombstone. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Brokers of the integration tier: KAFKA_BROKERS (set by the global setup, or by the caller). */
export function testKafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers)
    throw new Error(
      'KAFKA_BROKERS is not set: run through the int project (its global setup starts kmock)',
    );
  return brokers.split(',').map((b) => b.trim());
}

/**
 * Reads every record a topic holds right now (up to each partition's high watermark at the
 * call), through a real consumer group over TCP, like a SIEM pipeline would. Records come
 * sorted by partition, then offset. An absent or empty topic reads as [].
 */
export async function readTopic(
  brokers: readonly string[],
  topic: string,
  timeoutMs = 20_000,
): Promise<ConsumedRecord[]> {
  const kafka = new Kafka({
    clientId: 'authtrail-test-reader',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) return [];
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(
      offsets
        .filter((o) => Number(o.high) > Number(o.low))
        .map((o) => [o.partition, Number(o.high)]),
    );
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];

  const consumer = kafka.consumer({
    groupId: `authtrail-test-${randomUUID()}`,
    heartbeatInterval: 100,
    sessionTimeout: 6000,
    maxWaitTimeInMs: 100,
  });
  const out: ConsumedRecord[] = [];
  const pending = new Map(ends);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `reading ${topic} timed out; still waiting on partitions ${[...pending.keys()].join(',')}`,
            ),
          ),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const offset = Number(message.offset);
            const end = ends.get(partition);
            if (end === undefined || offset >= end) return;
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) {
              if (v !== undefined) headers[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
            }
            out.push({
              topic,
              partition,
              offset,
              key: message.key === null ? null : message.key.toString('utf8'),
              value: message.value === null ? null : message.value.toString('utf8'),
              headers,
            });
            if (offset >= end - 1) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Topic names and configs as the broker reports them. */
export async function describeTopics(
  brokers: readonly string[],
  topics: readonly string[],
): Promise<Map<string, { partitions: number; configs: Record<string, string> }>> {
  const kafka = new Kafka({
    clientId: 'authtrail-test-admin',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [...topics] });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: 2, name })),
    });
    const out = new Map<string, { partitions: number; configs: Record<string, string> }>();
    for (const t of meta.topics) {
      const res = described.resources.find((r) => r.resourceName === t.name);
      const configs: Record<string, string> = {};
      for (const c of res?.configEntries ?? []) configs[c.configName] = c.configValue;
      out.set(t.name, { partitions: t.partitions.length, configs });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}
