import { randomUUID } from 'node:crypto';
import { exampleEvent, ProducerEvent } from '@authtrail/catalog';
import {
  ConsumedRecord,
  KmockBroker,
  describeTopics,
  freePort,
  readTopic,
  startKmockBroker,
} from '@authtrail/testing';
import { degradedWorkers } from '@authtrail/platform';
import { FORWARDER_WORKER } from '../../application/siem-forwarder';
import { SIEM_TOPICS } from '../../domain/siem-topics';
import { SiemHarness } from '../../testing/siem-harness';

// Each test owns its kmock (a real Kafka-protocol broker over TCP), so that it can freeze
// it, kill it and start a new one on the same port.
jest.setTimeout(120_000);

function events(n: number, people = 50): ProducerEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const p = {
      userPrincipalName: `user${i % people}@contoso.example`,
      displayName: `User ${i % people}`,
      role: 'User',
    };
    return i % 2 === 0
      ? exampleEvent('sspr.PasswordResetSelfService', {
          eventId: randomUUID(),
          actor: p,
          target: p,
        })
      : exampleEvent('mfa.AuthenticationAttempted', {
          eventId: randomUUID(),
          target: { userPrincipalName: p.userPrincipalName },
        });
  });
}

const sequences = (records: readonly ConsumedRecord[]) =>
  records.map((r) => JSON.parse(r.value!).metadata.sequence as number);

/** Per key, first deliveries in rising log order; duplicates (at-least-once) only of what came before. */
function expectOrderedPerKey(records: readonly ConsumedRecord[]): void {
  const last = new Map<string, number>();
  const seen = new Set<number>();
  for (const r of records) {
    const seq = JSON.parse(r.value!).metadata.sequence as number;
    if (seen.has(seq)) continue;
    seen.add(seq);
    expect(seq).toBeGreaterThan(last.get(r.key!) ?? 0);
    last.set(r.key!, seq);
  }
}

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SIEM forwarder through broker outages', () => {
  let h: SiemHarness;
  let broker: KmockBroker | null = null;
  beforeEach(async () => {
    h = await SiemHarness.start();
  });
  afterEach(async () => {
    await h.close();
    await broker?.stop();
    broker = null;
  });

  it('pauses while the broker is stopped and resumes by itself, losing and reordering nothing', async () => {
    broker = await startKmockBroker(0, ['-A']);
    const tenant = await h.tenant();
    await h.ingest(tenant, events(3000));
    const forwarder = h.forwarder({
      kafkaBrokers: broker.brokers,
      batchSize: 200,
      requestTimeoutMs: 1000,
      kafkaRetries: 1,
    });
    await waitFor('first batches acknowledged', () => forwarder.position > 0);

    broker.pause(); // mid-stream: batches in flight get no answer
    const frozenAt = forwarder.position;
    await h.ingest(tenant, events(1000));
    // Longer than kafkajs' own retries: the forwarder's backoff has to carry the batch over.
    await new Promise((r) => setTimeout(r, 6000));
    const head = await h.store.headPosition();
    expect(forwarder.position).toBeLessThan(head);
    expect(forwarder.position - frozenAt).toBeLessThanOrEqual(200); // at most the batch already acknowledged
    const lag = await h.metrics.registry.getSingleMetricAsString('authtrail_worker_lag_events');
    expect(Number(/worker="forwarder"} (\d+)/.exec(lag)![1])).toBeGreaterThan(0);

    broker.resume();
    await h.caughtUp(forwarder, 60_000);

    const log = await h.store.readAll({ after: 0, limit: 1_000_000 });
    const records = await readTopic(broker.brokers, SIEM_TOPICS.events);
    expect(new Set(sequences(records))).toEqual(new Set(log.map((r) => r.position)));
    expectOrderedPerKey(records);
  });

  it('re-creates the topics on a new, empty broker and goes on from its checkpoint, losing nothing', async () => {
    // kmock keeps nothing on disk: a restarted broker is empty. What the old one acknowledged
    // is behind the checkpoint; everything after it must reach the new one.
    const port = await freePort();
    broker = await startKmockBroker(port, ['-A']);
    const tenant = await h.tenant();
    await h.ingest(tenant, events(4000));
    const forwarder = h.forwarder({
      kafkaBrokers: broker.brokers,
      batchSize: 200,
      requestTimeoutMs: 1000,
      kafkaRetries: 1,
    });
    await waitFor('some batches acknowledged', () => forwarder.position >= 1000);

    await broker.stop(); // mid-stream
    const checkpointAtKill = forwarder.position;
    const head = await h.store.headPosition();
    expect(checkpointAtKill).toBeLessThan(head);
    await h.ingest(tenant, events(500));
    await new Promise((r) => setTimeout(r, 1000));

    broker = await startKmockBroker(port, ['-A']);
    await h.caughtUp(forwarder, 60_000);

    const topics = await describeTopics(broker.brokers, Object.values(SIEM_TOPICS));
    expect(topics.get(SIEM_TOPICS.subjects)?.configs['cleanup.policy']).toBe('compact');
    const log = await h.store.readAll({ after: checkpointAtKill, limit: 1_000_000 });
    const records = await readTopic(broker.brokers, SIEM_TOPICS.events);
    const delivered = new Set(sequences(records));
    for (const r of log) expect(delivered.has(r.position)).toBe(true);
    // Resumed from the checkpoint, not from the start: at most the unacknowledged batch again.
    expect(Math.min(...delivered)).toBeGreaterThan(checkpointAtKill - 200);
    expectOrderedPerKey(records);
  });

  it('an outage is visible: a log line, authtrail_worker_errors_total, degraded after the bound; ok on recovery', async () => {
    const bound = 3000;
    const port = await freePort();
    broker = await startKmockBroker(port, ['-A']);
    const tenant = await h.tenant();
    await h.ingest(tenant, events(200));
    const forwarder = h.forwarder({
      kafkaBrokers: broker.brokers,
      batchSize: 100,
      requestTimeoutMs: 1000,
      kafkaRetries: 1,
    });
    await h.caughtUp(forwarder);
    const degraded = () => degradedWorkers(h.board.list(), new Date(), bound);
    const errors = async () =>
      (await h.metrics.workerErrors.get()).values.find(
        (v) => v.labels.worker === FORWARDER_WORKER && v.labels.retriable === 'true',
      )?.value ?? 0;
    const logged = (level: number, text: RegExp) =>
      h.logLines
        .map((l) => JSON.parse(l) as { level: number; worker?: string; msg: string })
        .some((l) => l.level === level && l.worker === FORWARDER_WORKER && text.test(l.msg));
    expect(h.board.get(FORWARDER_WORKER)?.state).toBe('running');
    expect(degraded()).toEqual([]);
    expect(await errors()).toBe(0);

    await broker.stop();
    await h.ingest(tenant, events(100));
    await waitFor(
      'the forwarder retrying',
      () => h.board.get(FORWARDER_WORKER)?.state === 'retrying',
    );
    expect(logged(40, /retrying from its checkpoint/)).toBe(true);
    expect(await errors()).toBeGreaterThan(0);
    // Retries keep the time of the first failure, so the outage degrades health once it
    // lasts longer than the bound, not before.
    const failedSince = Date.parse(h.board.get(FORWARDER_WORKER)!.since);
    await waitFor('degraded after the bound', () => degraded().length === 1, 30_000);
    expect(Date.now() - failedSince).toBeGreaterThanOrEqual(bound);
    expect(degraded()[0]).toMatchObject({ worker: FORWARDER_WORKER, state: 'retrying' });
    expect(Date.parse(h.board.get(FORWARDER_WORKER)!.since)).toBe(failedSince);

    broker = await startKmockBroker(port, ['-A']);
    await h.caughtUp(forwarder, 60_000);
    expect(h.board.get(FORWARDER_WORKER)?.state).toBe('running');
    expect(degraded()).toEqual([]);
    expect(logged(30, /running again after \d+ failed attempts/)).toBe(true);
  });
});
