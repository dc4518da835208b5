import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { entraEventId } from '@authtrail/entra';
import { EventStore } from '@authtrail/event-store';
import { GraphDouble, KmockBroker, startKmockBroker } from '@authtrail/testing';
import { graphFixtureRecords, monitorFixture, shiftBy } from '../support/entra-fixtures';
import { openEventStore } from '../support/event-store-under-test';
import { ServeProcess, runCli, startServe } from '../support/serve-process';
import { request } from '../support/test-server';

type Json = Record<string, unknown>;
const MIN = 60_000;
const SSPR = 'Self-service Password Management';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Event ids stored in the log, each with how many times it is there. */
async function storedIds(dataDir: string): Promise<Map<string, number>> {
  const store: EventStore = openEventStore(dataDir);
  try {
    const counts = new Map<string, number>();
    for (const e of await store.readAll({ after: 0, limit: 1_000_000 }))
      if (e.type.startsWith('sspr.')) counts.set(e.eventId, (counts.get(e.eventId) ?? 0) + 1);
    return counts;
  } finally {
    await store.close();
  }
}

async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** SSPR events the running server shows in its audit query (appended and projected). */
async function audited(serve: ServeProcess, reader: string): Promise<number> {
  const res = await request(serve.url, 'GET', '/v1/audit-events?service=sspr&days=30&limit=1000', {
    key: reader,
  });
  if (res.status !== 200) throw new Error(`audit: ${res.status} ${res.text}`);
  return (res.json.items as unknown[]).length;
}

async function readerKey(serve: ServeProcess): Promise<string> {
  const res = await request(serve.url, 'POST', '/v1/keys', { body: { roles: ['reader'] } });
  if (res.status !== 201) throw new Error(`key: ${res.status} ${res.text}`);
  return res.json.key as string;
}

/** The SSPR envelopes of the Azure Monitor fixture, `n` of them, each with an id of its own. */
function hubRecords(n: number, newest: Date): Json[] {
  const sspr = monitorFixture().records.filter((r) => {
    const p = r.properties as Json;
    return (
      p.loggedByService === SSPR &&
      !Number.isNaN(Date.parse(String(p.activityDateTime))) &&
      p.activityDisplayName !== 'Security info saved for self-service password reset'
    );
  });
  return Array.from({ length: n }, (_, i) => {
    const r = structuredClone(sspr[i % sspr.length]);
    const p = r.properties as Json;
    p.id = `hub-${i}`;
    p.activityDateTime = new Date(newest.getTime() - (n - i) * 1000).toISOString();
    return r;
  });
}

describe('Event Hubs (kmock): serve is killed mid-stream and restarted', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-hubs-'));
  let broker: KmockBroker;
  let kafka: Kafka;
  const topic = 'insights-logs-auditlogs';
  const group = 'authtrail-entra';

  beforeAll(async () => {
    broker = await startKmockBroker(0, ['-p', '2']);
    kafka = new Kafka({
      clientId: 'entra-e2e',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    expect(runCli(dataDir, ['tenants', 'opt-in']).status).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses and duplicates nothing, and commits every offset', async () => {
    const env = {
      AUTHTRAIL_ENTRA_KAFKA_BROKERS: broker.brokers.join(','),
      AUTHTRAIL_ENTRA_KAFKA_TOPIC: topic,
      AUTHTRAIL_ENTRA_KAFKA_GROUP: group,
    };
    const records = hubRecords(600, new Date(Date.now() - MIN));
    const messages = Array.from({ length: 120 }, (_, i) => records.slice(i * 5, i * 5 + 5));
    const producer = kafka.producer();
    await producer.connect();
    // Messages keep arriving while the first server consumes, is killed, and the second starts.
    let sent = 0;
    const sending = (async () => {
      for (const batch of messages) {
        await producer.send({ topic, messages: [{ value: JSON.stringify({ records: batch }) }] });
        sent++;
        await sleep(40);
      }
    })();

    const first = await startServe(dataDir, env);
    const reader = await readerKey(first);
    await until(
      async () => (await audited(first, reader)) >= 50,
      60_000,
      'the first server to import',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const afterKill = await storedIds(dataDir);
    expect(afterKill.size).toBeGreaterThan(0);
    expect(afterKill.size).toBeLessThan(records.length);

    const second = await startServe(dataDir, env);
    try {
      await sending;
      expect(sent).toBe(messages.length);
      await until(
        async () => (await audited(second, reader)) === records.length,
        120_000,
        'every record',
      );
      // The consumer group's committed offsets reach the end of both partitions.
      const admin = kafka.admin();
      await admin.connect();
      await until(
        async () => {
          const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          const ends = await admin.fetchTopicOffsets(topic);
          return offsets.partitions.every(
            (p) => p.offset === ends.find((e) => e.partition === p.partition)!.high,
          );
        },
        30_000,
        'the committed offsets',
      );
      await admin.disconnect();
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    await producer.disconnect();
    const counts = await storedIds(dataDir);
    expect(counts.size).toBe(records.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const r of records)
      expect(counts.has(entraEventId(String((r.properties as Json).id)))).toBe(true);
  }, 300_000);
});

describe('Graph poller (local double of Graph): resumes from its checkpoint after a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-graph-'));
  const creds = {
    directoryTenantId: '4bbb79f7-5724-4c9e-95f3-de075f6ec090',
    clientId: 'a70a7931-c387-4dce-9f35-fbf95bdcc91e',
    clientSecret: 'e2e-graph-secret',
  };
  const double = new GraphDouble({ ...creds, pageSize: 4 });
  const now = Date.now();
  const initial = shiftBy(graphFixtureRecords(), new Date(now - 60 * MIN)).filter(
    (r) => !Number.isNaN(Date.parse(String(r.activityDateTime))),
  );

  beforeAll(async () => {
    double.add(...initial);
    await double.start();
    expect(runCli(dataDir, ['tenants', 'opt-in']).status).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await double.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('polls SSPR records only, pages through, and after a kill asks from the checkpoint (less the overlap)', async () => {
    const env = {
      AUTHTRAIL_ENTRA_GRAPH_TENANT_ID: creds.directoryTenantId,
      AUTHTRAIL_ENTRA_GRAPH_CLIENT_ID: creds.clientId,
      AUTHTRAIL_ENTRA_GRAPH_CLIENT_SECRET: creds.clientSecret,
      AUTHTRAIL_ENTRA_GRAPH_URL: double.url,
      AUTHTRAIL_ENTRA_GRAPH_LOGIN_URL: double.url,
      AUTHTRAIL_ENTRA_GRAPH_INTERVAL: '1s',
    };
    double.throttle(1, '1');
    const first = await startServe(dataDir, env);
    const reader = await readerKey(first);
    await until(async () => (await audited(first, reader)) === 15, 60_000, 'the first poll');
    first.child.kill('SIGKILL');
    await first.exited;
    const sspr = initial.filter((r) => r.loggedByService === SSPR);
    const checkpoint = Math.max(...sspr.map((r) => Date.parse(String(r.activityDateTime))));
    // The first poll started a lookback (7 days) ago, and waited out the 429.
    const firstSince = Date.parse(double.filters()[0].split(' ge ')[1]);
    expect(now - firstSince).toBeGreaterThanOrEqual(7 * 1440 * MIN - 5 * MIN);
    expect(double.requests.some((r) => r.status === 429)).toBe(true);
    expect(double.requests.some((r) => r.query.$skiptoken !== undefined)).toBe(true);

    // New records arrive while it is down.
    const later = sspr
      .filter(
        (r) => r.activityDisplayName !== 'Security info saved for self-service password reset',
      )
      .slice(0, 5)
      .map((r, i) => ({
        ...r,
        id: `later-${i}`,
        activityDateTime: new Date(now - 10 * MIN + i * 1000).toISOString(),
      }));
    double.add(...later);
    const pollsBefore = double.filters().length;

    const second = await startServe(dataDir, env);
    try {
      await until(
        async () => (await audited(second, reader)) === 20,
        60_000,
        'the poll after the restart',
      );
      expect(double.filters()[pollsBefore]).toBe(
        `loggedByService eq '${SSPR}' and activityDateTime ge ${new Date(checkpoint - 15 * MIN).toISOString()}`,
      );
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const counts = await storedIds(dataDir);
    expect(counts.size).toBe(20);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const r of later) expect(counts.has(entraEventId(String(r.id)))).toBe(true);
  }, 240_000);
});
