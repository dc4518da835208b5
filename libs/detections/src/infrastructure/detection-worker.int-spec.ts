import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { createServer, IncomingMessage, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { exampleEvent, ProducerEvent } from '@authtrail/catalog';
import { IngestEventsCommand, IngestEventsHandler } from '@authtrail/ingest';
import { Metrics, WorkerStatusBoard } from '@authtrail/platform';
import {
  ApplicationHarness,
  InMemoryCheckpointStore,
  applicationHarness,
} from '@authtrail/testing';
import type { DetectionStore } from '../domain/detection-store.port';
import { WEBHOOK_HEADERS, webhookSignatureValid } from '../domain/webhook-signature';
import { InMemoryDetectionStore } from './memory/in-memory-detection-store';
import { SqliteDetectionStore } from './sqlite/sqlite-detection-store.adapter';
import { FetchWebhookSender } from './http/fetch-webhook-sender.adapter';
import { webhookOf } from './create-detections';
import { AlertDispatcher } from '../application/alert-dispatcher';
import { DetectionWorker } from '../application/detection-worker';

// The detection worker on the real in-memory log (events ingested through the real
// handler: split, sealed, stored) with each detection store; webhooks over a real socket.
jest.setTimeout(60_000);

const kim = {
  userPrincipalName: 'kim.akers@contoso.example',
  displayName: 'Kim Akers',
  role: 'User',
};
const lee = {
  userPrincipalName: 'lee.park@contoso.example',
  displayName: 'Lee Park',
  role: 'User',
};
const helpdesk = {
  userPrincipalName: 'helpdesk@contoso.example',
  displayName: 'Help Desk',
  role: 'HelpdeskAdministrator',
};
const at = (minute: number) =>
  new Date(Date.parse('2026-11-20T08:00:00Z') + minute * 60_000).toISOString();

function scenario(): ProducerEvent[] {
  const selfReset = (minute: number) =>
    exampleEvent('sspr.PasswordResetSelfService', {
      eventId: randomUUID(),
      occurredAt: at(minute),
      actor: kim,
      target: kim,
    });
  return [
    // Kim: six self-service resets in an hour (more than five in 24 h).
    ...[0, 10, 20, 30, 40, 50].map(selfReset),
    // Lee: reset by the help desk, then a changed phone three minutes later.
    exampleEvent('sspr.PasswordResetByAdmin', {
      eventId: randomUUID(),
      occurredAt: at(60),
      actor: helpdesk,
      target: lee,
      result: { status: 'Success' },
    }),
    exampleEvent('mfa.UserChanged', {
      eventId: randomUUID(),
      occurredAt: at(63),
      target: { userPrincipalName: lee.userPrincipalName },
    }),
    // Noise: one MFA attempt of Kim.
    exampleEvent('mfa.AuthenticationAttempted', { eventId: randomUUID(), occurredAt: at(70) }),
  ];
}

const stores: [string, () => { store: DetectionStore; cleanup: () => void }][] = [
  ['in memory', () => ({ store: new InMemoryDetectionStore(), cleanup: () => undefined })],
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'authtrail-detections-'));
      return {
        store: new SqliteDetectionStore(join(dir, 'detections.db')),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
];

describe.each(stores)('detection worker (%s store)', (_name, make) => {
  let h: ApplicationHarness;
  let detections: DetectionStore;
  let cleanup: () => void;
  let checkpoints: InMemoryCheckpointStore;
  const worker = () =>
    new DetectionWorker({
      store: h.store,
      checkpoints,
      detections,
      destinations: ['kafka', 'webhook:test'],
      clock: h.clock,
    });

  beforeEach(async () => {
    h = await applicationHarness();
    ({ store: detections, cleanup } = make());
    checkpoints = new InMemoryCheckpointStore();
    const ingest = new IngestEventsHandler(h.catalog, h.keyring, h.tenants, h.store, h.clock, {
      maxEvents: 1000,
      maxFutureSkewMs: 300_000,
    });
    await ingest.execute(new IngestEventsCommand(h.tenantId, scenario(), 'k-producer'));
  });
  afterEach(async () => {
    await detections.close();
    cleanup();
  });

  it('stores one alert per detection with a delivery per destination, without personal data', async () => {
    const w = worker();
    await w.runOnce();
    const kimId = (await h.keyring.findSubject(h.tenantId, kim.userPrincipalName))!.subjectId;
    const leeId = (await h.keyring.findSubject(h.tenantId, lee.userPrincipalName))!.subjectId;
    const due = await detections.due(h.clock.now().getTime(), 100, ['kafka', 'webhook:test']);
    const bodies = due.filter((d) => d.destination === 'kafka').map((d) => JSON.parse(d.body));
    expect(
      bodies.map((b) => [b.finding_info.analytic.name, b.evidences[0].user.uid]).sort(),
    ).toEqual(
      [
        ['reset-attempts', kimId],
        ['reset-then-mfa-change', leeId],
      ].sort(),
    );
    expect(due.filter((d) => d.destination === 'webhook:test')).toHaveLength(2);
    // A destination no longer configured is not handed out (its deliveries wait).
    expect(await detections.due(h.clock.now().getTime(), 100, ['kafka'])).toHaveLength(2);
    expect(w.detectedCount).toBe(2);
    const raw = due.map((d) => d.body).join('\n');
    for (const p of [kim, lee, helpdesk]) {
      expect(raw).not.toContain(p.userPrincipalName);
      expect(raw).not.toContain(p.displayName);
    }
    expect(raw).not.toContain('7700900123');
  });

  it('stores nothing new when the log is replayed from the start or after a restart', async () => {
    await worker().runOnce();
    const before = await detections.counts();
    expect(before).toMatchObject({ alerts: 2, pending: 4 });
    // A crash after the store's commit, before the checkpoint: the batch comes again.
    checkpoints.positions.clear();
    const again = worker();
    await again.runOnce();
    expect(again.detectedCount).toBe(0);
    expect(await detections.counts()).toEqual(before);
  });

  it("forgets a deleted tenant's rule states and does not send its pending alerts", async () => {
    await worker().runOnce();
    expect(await detections.counts()).toMatchObject({ alerts: 2, pending: 4 });
    const kimId = (await h.keyring.findSubject(h.tenantId, kim.userPrincipalName))!.subjectId;
    expect((await detections.states(h.tenantId, [kimId])).size).toBe(1);
    await h.tenants.scheduleDeletion(h.tenantId, { keyId: 'k-admin' });
    await h.tenants.completeDeletionIfDue(h.tenantId, { shredTenant: () => Promise.resolve() });
    await worker().runOnce();
    expect((await detections.states(h.tenantId, [kimId])).size).toBe(0);
    expect(await detections.counts()).toMatchObject({ alerts: 2, pending: 0, parked: 4 });
  });

  it('detects across batches and restarts: the rules state is stored, not held in memory', async () => {
    // Only the first five of Kim's resets before the "restart".
    const all = await h.store.readAll({ after: 0, limit: 1000 });
    const fifth = all.filter((e) => e.type === 'sspr.PasswordResetSelfService')[4];
    await checkpoints.save('detections', 0);
    const first = new DetectionWorker({
      store: h.store,
      checkpoints,
      detections,
      destinations: ['kafka'],
      clock: h.clock,
    });
    await first.process(all.filter((e) => e.position <= fifth.position));
    expect(first.detectedCount).toBe(0);
    const second = worker();
    await second.runOnce();
    expect(second.detectedCount).toBe(2);
  });
});

describe('alert dispatcher → webhooks over HTTP', () => {
  const secret = 's'.repeat(40);
  let server: Server;
  let url: string;
  let answers: number[];
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];

  beforeEach(async () => {
    received.length = 0;
    answers = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answers.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  async function withAlerts(): Promise<{ h: ApplicationHarness; detections: DetectionStore }> {
    const h = await applicationHarness();
    const detections = new InMemoryDetectionStore();
    const ingest = new IngestEventsHandler(h.catalog, h.keyring, h.tenants, h.store, h.clock, {
      maxEvents: 1000,
      maxFutureSkewMs: 300_000,
    });
    await ingest.execute(new IngestEventsCommand(h.tenantId, scenario(), 'k-producer'));
    const hook = webhookOf(url);
    await new DetectionWorker({
      store: h.store,
      checkpoints: new InMemoryCheckpointStore(),
      detections,
      destinations: [`webhook:${hook.id}`],
      clock: h.clock,
    }).runOnce();
    return { h, detections };
  }

  function dispatcher(
    h: ApplicationHarness,
    detections: DetectionStore,
    sinks: { logs: string[]; metrics: Metrics; board: WorkerStatusBoard },
  ) {
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _e, cb) {
          sinks.logs.push(chunk.toString('utf8'));
          cb();
        },
      }),
    );
    return new AlertDispatcher(
      {
        detections,
        kafka: null,
        webhooks: [webhookOf(url)],
        secret,
        sender: new FetchWebhookSender(2000),
        clock: h.clock,
        logger,
        metrics: sinks.metrics,
        board: sinks.board,
      },
      { maxAttempts: 3, backoffInitialMs: 1000, backoffMaxMs: 60_000 },
    );
  }

  it('POSTs each alert signed (HMAC-SHA256 over timestamp and body), retrying a failure with backoff', async () => {
    const { h, detections } = await withAlerts();
    const sinks = { logs: [] as string[], metrics: new Metrics(), board: new WorkerStatusBoard() };
    const d = dispatcher(h, detections, sinks);
    answers = [503, 503];
    expect(await d.deliverDue()).toBe(2); // both fail once
    expect(await d.deliverDue()).toBe(0); // not due before the backoff
    h.clock.advance(1000);
    expect(await d.deliverDue()).toBe(2); // both succeed
    expect(await detections.counts()).toMatchObject({ delivered: 2, pending: 0, parked: 0 });
    expect(received).toHaveLength(4);
    const nowS = Math.floor(h.clock.now().getTime() / 1000);
    for (const r of received.slice(2)) {
      expect(
        webhookSignatureValid(
          secret,
          {
            timestamp: r.headers[WEBHOOK_HEADERS.timestamp] as string,
            signature: r.headers[WEBHOOK_HEADERS.signature] as string,
          },
          r.body,
          nowS,
        ),
      ).toBe(true);
      expect(JSON.parse(r.body).metadata.uid).toBe(r.headers[WEBHOOK_HEADERS.alertId]);
    }
    expect(sinks.logs.join('')).toContain('webhook delivery failed; retrying with backoff');
  });

  it('parks a delivery after its last attempt: log line, metric, diagnostics; never sent again', async () => {
    const { h, detections } = await withAlerts();
    const sinks = { logs: [] as string[], metrics: new Metrics(), board: new WorkerStatusBoard() };
    const d = dispatcher(h, detections, sinks);
    answers = Array(10).fill(500);
    await d.deliverDue();
    h.clock.advance(1000);
    await d.deliverDue();
    h.clock.advance(2000);
    await d.deliverDue();
    expect(received).toHaveLength(6); // 2 alerts × 3 attempts
    expect(await detections.counts()).toMatchObject({ parked: 2, pending: 0, delivered: 0 });
    h.clock.advance(3_600_000);
    expect(await d.deliverDue()).toBe(0);
    const logs = sinks.logs.join('');
    expect(logs).toContain('webhook delivery parked after its last attempt');
    expect(logs).not.toContain(url); // the URL may hold a token
    expect(
      await sinks.metrics.registry.getSingleMetricAsString('authtrail_alert_deliveries_total'),
    ).toContain('outcome="parked"} 2');
    expect(sinks.board.list()).toEqual([
      expect.objectContaining({
        worker: `alerts:webhook:${webhookOf(url).id}`,
        state: 'parked',
        attempts: 3,
      }),
    ]);
  });
});
