import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import pino from 'pino';
import { exampleEvents, TENANT_EVENT } from '@authtrail/catalog';
import { PgFencedCheckpointStore, PgLeaseStore } from '@authtrail/coordination';
import { loadConfig } from '@authtrail/config';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { IngestEventsCommand } from '@authtrail/ingest';
import { AdminService, BootstrapService, RuntimeModule } from '@authtrail/runtime';
import { SIEM_TOPICS } from '@authtrail/siem';
import { TenantsService } from '@authtrail/tenancy';
import {
  createTestDatabase,
  readTopic,
  testKafkaBrokers,
  type TestDatabase,
} from '@authtrail/testing';

// Two real worker processes (apps/worker/src/main.ts) share one log (EventStoreDB, here
// the gRPC test double served by this test), one PostgreSQL (vault, leases, checkpoints,
// the forwarder's record of published people) and the kmock Kafka broker. Only the lease
// holder forwards; killing it hands the forwarder to the other within seconds, which
// resumes from the fenced checkpoint and knows whom the first one published.

const ROOT = resolve(__dirname, '../../../..');
const REGISTER = join(ROOT, 'libs/coordination/testing/register-ts.js');
const WORKER_MAIN = join(ROOT, 'apps/worker/src/main.ts');
const ESDB_DOUBLE_MAIN = join(ROOT, 'libs/testing/src/esdb/esdb-test-double.main.ts');

/** The EventStoreDB test double in its own process; resolves with its connection string. */
function startEsdbDouble(): Promise<{ child: ChildProcess; connectionString: string }> {
  const child = spawn(process.execPath, ['-r', REGISTER, ESDB_DOUBLE_MAIN], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((done, fail) => {
    let out = '';
    child.once('exit', (code) => fail(new Error(`the ESDB double exited (${code}): ${out}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n'))
        done({
          child,
          connectionString: (JSON.parse(line) as { connectionString: string }).connectionString,
        });
    });
  });
}

interface Worker {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  logs(): Record<string, unknown>[];
}

function startWorker(name: string, env: NodeJS.ProcessEnv): Worker {
  const child = spawn(process.execPath, ['-r', REGISTER, WORKER_MAIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      if (stderr) lines.push({ msg: 'stderr', stderr });
      done();
    }),
  );
  return { name, child, exited, logs: () => lines };
}

const holds = (w: Worker, lease: string): boolean =>
  w.logs().some((l) => l.msg === 'lease acquired' && l.lease === lease);

async function waitFor(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  workers: Worker[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const logs = workers.map((w) => `${w.name}: ${JSON.stringify(w.logs().slice(-15))}`);
      throw new Error(`timed out waiting for ${what}\n${logs.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SIEM forwarder on two worker processes', () => {
  let double: { child: ChildProcess; connectionString: string } | undefined;
  let db: TestDatabase;
  let app: INestApplicationContext;
  let dirs: string[] = [];
  const workers: Worker[] = [];

  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    await app?.close();
    double?.child.kill('SIGTERM');
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('hands the forwarder over when the holder is killed: nothing lost, repeats only from the batch in flight, and the new holder tombstones whom the old one published', async () => {
    double = await startEsdbDouble();
    db = await createTestDatabase('authtrail_failover');
    const shared = mkdtempSync(join(tmpdir(), 'authtrail-failover-'));
    dirs = [shared];
    const brokers = testKafkaBrokers();
    const common: NodeJS.ProcessEnv = {
      AUTHTRAIL_EVENT_STORE: double.connectionString,
      AUTHTRAIL_KEY_VAULT: db.url,
      AUTHTRAIL_MASTER_KEY: randomBytes(32).toString('base64'),
      AUTHTRAIL_SEAL_KEY_FILE: join(shared, 'seal.key'),
      AUTHTRAIL_KAFKA_BROKERS: brokers.join(','),
      AUTHTRAIL_LOG_LEVEL: 'info',
      // Each worker serves /healthz; two on one host need their own ports.
      AUTHTRAIL_PORT: '0',
      AUTHTRAIL_HOST: '127.0.0.1',
    };
    const config = loadConfig({
      ...common,
      AUTHTRAIL_DATA_DIR: join(shared, 'api'),
      // The test deletes a tenant at once, at the end.
      AUTHTRAIL_TENANT_DELETION_GRACE: '0',
    });
    app = await NestFactory.createApplicationContext(
      RuntimeModule.forRoot({ config, logger: pino({ level: 'silent' }) }),
      { logger: false },
    );
    await app.get(BootstrapService).ensure();
    const tenant = `fo_${randomBytes(6).toString('hex')}`;
    await app.get(AdminService).createTenant(tenant, 'k_test');
    await app.get(TenantsService).optIn(tenant, { keyId: 'k_test' });
    const ingest = async (rounds: number): Promise<void> => {
      for (let i = 0; i < rounds; i++)
        await app
          .get(CommandBus)
          .execute(new IngestEventsCommand(tenant, exampleEvents(), 'k_test'));
    };
    // A second tenant whose people only a publishes: its events all come before a dies,
    // and it is deleted after the handover (the scenario of the shared record).
    const deleted = `fo_${randomBytes(6).toString('hex')}`;
    await app.get(AdminService).createTenant(deleted, 'k_test');
    await app.get(TenantsService).optIn(deleted, { keyId: 'k_test' });
    await app.get(CommandBus).execute(new IngestEventsCommand(deleted, exampleEvents(), 'k_test'));
    const deletedHead = await app.get<EventStore>(EVENT_STORE).headPosition();
    await ingest(10);

    const a = startWorker('a', { ...common, AUTHTRAIL_DATA_DIR: join(shared, 'a') });
    workers.push(a);
    await waitFor('worker a to take the forwarder lease', () => holds(a, 'forwarder'), 60_000, [a]);
    const b = startWorker('b', { ...common, AUTHTRAIL_DATA_DIR: join(shared, 'b') });
    workers.push(b);

    // Read-only view of the fenced checkpoints (it holds no lease, so it could not write).
    const coordination = PgLeaseStore.open(db.url);
    const checkpoints = new PgFencedCheckpointStore(coordination, { current: () => null });
    const checkpoint = (): Promise<number> => checkpoints.load('forwarder');
    try {
      const store = app.get<EventStore>(EVENT_STORE);
      await waitFor(
        'a to forward the second tenant',
        async () => (await checkpoint()) >= deletedHead,
        60_000,
        [a],
      );
      expect(holds(b, 'forwarder')).toBe(false);

      // More events while a works, then a dies without any chance to clean up.
      await ingest(10);
      a.child.kill('SIGKILL');
      await a.exited;
      const killedAt = Date.now();
      await ingest(5);

      await waitFor('b to take over', () => holds(b, 'forwarder'), 30_000, [b]);
      const handover = Date.now() - killedAt;
      expect(handover).toBeLessThan(15_000);
      const head = await store.headPosition();
      await waitFor('b to reach the head', async () => (await checkpoint()) >= head, 60_000, [b]);

      const log = (await store.readAll({ after: 0, limit: 100_000, tenantId: tenant })).map(
        (e) => e.eventId,
      );
      // Events about no person are keyed by the tenant alone.
      const records = (await readTopic(brokers, SIEM_TOPICS.events)).filter(
        (r) => r.key === tenant || (r.key ?? '').startsWith(`${tenant}/`),
      );
      const uids = records.map(
        (r) => (JSON.parse(r.value!) as { metadata: { uid: string } }).metadata.uid,
      );
      // Nothing lost: every event of the tenant is on the topic.
      expect(new Set(uids)).toEqual(new Set(log));
      // At-least-once, not more: repeats are at most the one batch a was publishing.
      expect(uids.length - log.length).toBeLessThanOrEqual(500);

      // The second tenant is deleted after the handover: b must tombstone every person a
      // published for it, which b can know only from the record both share in PostgreSQL
      // (none of that tenant's events is in b's part of the log).
      const identities = async () =>
        (await readTopic(brokers, SIEM_TOPICS.subjects)).filter((r) =>
          (r.key ?? '').startsWith(`${deleted}/`),
        );
      const published = new Set(
        (await identities()).filter((r) => r.value !== null).map((r) => r.key),
      );
      expect(published.size).toBeGreaterThan(0);
      const tenants = app.get(TenantsService);
      await tenants.scheduleDeletion(deleted, { keyId: 'k_test' });
      expect(await tenants.completeDeletionIfDue(deleted, app.get(AdminService))).toBe(true);
      const deletedAt = await store.headPosition();
      await waitFor(
        'b to forward the tenant deletion',
        async () => (await checkpoint()) >= deletedAt,
        60_000,
        [b],
      );
      const tombstoned = new Set(
        (await identities())
          .filter((r) => r.value === null && r.headers['authtrail-type'] === TENANT_EVENT.deleted)
          .map((r) => r.key),
      );
      expect(tombstoned).toEqual(published);
    } finally {
      await coordination.close();
    }
  }, 180_000);
});
