import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { AppError } from '@authtrail/platform';
import { testKafkaBrokers } from '@authtrail/testing';
import type { EntraImportResult } from '../application/import-entra-records.command';
import { mapEntraBatch } from '../domain/map-entra-batch';
import { EventHubsConsumer } from './event-hubs-consumer.adapter';

type Json = Record<string, unknown>;

/** Azure Monitor envelopes of the fixture's records, each with an id of its own. */
function envelopes(n: number): Json[] {
  const monitor = JSON.parse(
    readFileSync(join(__dirname, '../../fixtures/azure-monitor-auditlogs.json'), 'utf8'),
  ) as { records: Json[] };
  const sspr = monitor.records.filter(
    (r) =>
      (r.properties as Json).loggedByService === 'Self-service Password Management' &&
      !Number.isNaN(Date.parse(String((r.properties as Json).activityDateTime))) &&
      (r.properties as Json).activityDisplayName !==
        'Security info saved for self-service password reset',
  );
  return Array.from({ length: n }, (_, i) => {
    const r = structuredClone(sspr[i % sspr.length]);
    (r.properties as Json).id = `hub-record-${i}`;
    return r;
  });
}

/** Idempotent stand-in for the ingest path; optionally blocks or fails on a given call. */
class RecordingImport {
  readonly stored = new Set<string>();
  delivered = 0;
  calls = 0;
  /** Lets a hanging import go on (the test's cleanup). */
  release: () => void = () => undefined;
  behaviour: (call: number) => 'ok' | 'fail' | 'refuse' | 'hang' = () => 'ok';
  readonly run = async (records: unknown[]): Promise<EntraImportResult> => {
    const call = ++this.calls;
    const what = this.behaviour(call);
    if (what === 'fail')
      throw new AppError('EVENT_STORE.UNAVAILABLE', 'unavailable', 'store down', {
        retriable: true,
      });
    if (what === 'refuse')
      throw new AppError('TENANT.NOT_OPTED_IN', 'conflict', 'tenant has not opted in');
    if (what === 'hang') {
      await new Promise<void>((resolve) => (this.release = resolve));
      throw new AppError('TEST.DEAD', 'unavailable', 'this consumer is dead', { retriable: true });
    }
    const m = mapEntraBatch(records);
    this.delivered += m.events.length;
    let accepted = 0;
    for (const { event } of m.events) {
      if (!this.stored.has(event.eventId)) accepted++;
      this.stored.add(event.eventId);
    }
    return {
      received: m.received,
      accepted,
      duplicates: m.events.length - accepted,
      skipped: m.skipped,
      skippedBy: m.skippedBy,
      rejected: 0,
      errors: [],
      byCategory: {},
    };
  };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Event Hubs consumer (kafkajs against the kmock broker)', () => {
  const brokers = testKafkaBrokers();
  const kafka = new Kafka({ clientId: 'entra-test', brokers, logLevel: logLevel.NOTHING });
  const logger = pino({ level: 'silent' });
  let topic: string;
  let groupId: string;

  const consumer = (imports: RecordingImport, max = 10) =>
    new EventHubsConsumer(
      {
        brokers,
        topic,
        groupId,
        ssl: false,
        sasl: null,
        logger,
        maxRecordsPerImport: max,
        heartbeatIntervalMs: 300,
        sessionTimeoutMs: 6000,
      },
      imports.run,
    );

  async function produce(values: (string | Json)[]): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: values.map((v) => ({ value: typeof v === 'string' ? v : JSON.stringify(v) })),
    });
    await producer.disconnect();
  }

  async function committed(): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  beforeEach(async () => {
    topic = `insights-logs-auditlogs-${randomUUID().slice(0, 8)}`;
    groupId = `authtrail-entra-${randomUUID().slice(0, 8)}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
  });

  it('imports every record of every {"records": [...]} message and commits each offset after the import', async () => {
    const all = envelopes(40);
    await produce(Array.from({ length: 8 }, (_, i) => ({ records: all.slice(i * 5, i * 5 + 5) })));
    const imports = new RecordingImport();
    const c = consumer(imports);
    await c.start();
    await until(() => imports.stored.size === 40);
    await until(async () => (await committed()) === 8);
    await c.stop();
    expect(imports.delivered).toBe(40);
    expect(c.progress()).toEqual({ messages: 8, records: 40, parked: 0 });
  }, 60_000);

  it('redelivers what an import failed on (nothing committed past it), and parks what can never import', async () => {
    const all = envelopes(12);
    await produce([
      { records: all.slice(0, 4) },
      'not json at all',
      { records: all.slice(4, 8) },
      { records: all.slice(8) },
    ]);
    const imports = new RecordingImport();
    imports.behaviour = (call) => (call === 1 ? 'fail' : call === 3 ? 'refuse' : 'ok');
    const c = consumer(imports, 4);
    await c.start();
    await until(async () => (await committed()) === 4);
    await c.stop();
    // Call 1 failed (retried by kafkajs), call 3 was refused for good: its 4 records parked.
    expect(imports.stored.size).toBe(8);
    expect(c.progress().parked).toBe(2);
  }, 60_000);

  it('after a consumer dies mid-import, the next one in the group resumes at the last commit: nothing lost', async () => {
    const all = envelopes(30);
    await produce(Array.from({ length: 6 }, (_, i) => ({ records: all.slice(i * 5, i * 5 + 5) })));
    const first = new RecordingImport();
    first.behaviour = (call) => (call === 3 ? 'hang' : 'ok');
    const a = consumer(first, 5);
    await a.start();
    await until(() => first.calls === 3);
    const before = await committed();
    expect(before).toBe(2);
    // The consumer is dead to the group: no heartbeat, no commit, until its session times out.

    const second = new RecordingImport();
    const b = consumer(second, 5);
    await b.start();
    await until(async () => (await committed()) === 6, 45_000);
    await b.stop();
    const union = new Set([...first.stored, ...second.stored]);
    expect(union.size).toBe(30);
    // B starts exactly where A's commit ended: it never saw what A appended.
    for (const id of first.stored) expect(second.stored.has(id)).toBe(false);
    expect(second.stored.size).toBe(20);
    first.release();
    await a.stop().catch(() => undefined);
  }, 90_000);
});
