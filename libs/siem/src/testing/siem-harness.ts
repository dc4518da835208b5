import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import pino from 'pino';
import { EventCatalog, ProducerEvent } from '@authtrail/catalog';
import { loadConfig } from '@authtrail/config';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import { IngestEventsCommand } from '@authtrail/ingest';
import { Keyring } from '@authtrail/key-vault';
import { SEAL_KEY, SealSigningKey, Sealer, SealedEventProofs } from '@authtrail/ledger';
import { Metrics, WorkerStatusBoard, systemClock } from '@authtrail/platform';
import { EraseSubjectCommand, ErasureResult } from '@authtrail/privacy';
import { AdminService, BootstrapService, RuntimeModule } from '@authtrail/runtime';
import { TenantsService } from '@authtrail/tenancy';
import type { SiemForwarder } from '../application/siem-forwarder';
import { SiemSettings, createSiemForwarder } from '../infrastructure/create-siem-forwarder';

/**
 * The real stores of the embedded mode (SQLite log, vault, checkpoints) wired by the
 * composition root, with helpers to ingest, erase and delete tenants the way the API
 * does, and to run SIEM forwarders against them. For integration tests only.
 */
export class SiemHarness {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly metrics: Metrics;
  /** The forwarders' diagnostics board (running, retrying since, parked). */
  readonly board = new WorkerStatusBoard();
  /** The forwarders' log lines (pino JSON), for tests that check what an operator is told. */
  readonly logLines: string[] = [];
  private readonly forwarders: SiemForwarder[] = [];

  private constructor(
    readonly app: INestApplicationContext,
    readonly dataDir: string,
  ) {
    this.store = app.get<EventStore>(EVENT_STORE);
    this.checkpoints = app.get<CheckpointStore>(CHECKPOINT_STORE);
    this.metrics = app.get(Metrics);
  }

  static async start(): Promise<SiemHarness> {
    const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-siem-'));
    const config = loadConfig({
      AUTHTRAIL_DATA_DIR: dataDir,
      AUTHTRAIL_LOG_LEVEL: 'silent',
      AUTHTRAIL_TENANT_DELETION_GRACE: '0',
    });
    const app = await NestFactory.createApplicationContext(
      RuntimeModule.forRoot({ config, logger: pino({ level: 'silent' }) }),
      {
        logger: false,
      },
    );
    await app.get(BootstrapService).ensure();
    return new SiemHarness(app, dataDir);
  }

  /** A new opted-in tenant with a unique id (topics may be shared with other tests). */
  async tenant(prefix = 't'): Promise<string> {
    const tenantId = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await this.app.get(AdminService).createTenant(tenantId, 'k_test');
    await this.app.get(TenantsService).optIn(tenantId, { keyId: 'k_test' });
    return tenantId;
  }

  async ingest(tenantId: string, events: readonly ProducerEvent[]): Promise<void> {
    const bus = this.app.get(CommandBus);
    for (let i = 0; i < events.length; i += 1000) {
      await bus.execute(new IngestEventsCommand(tenantId, events.slice(i, i + 1000), 'k_test'));
    }
  }

  erase(tenantId: string, userPrincipalName: string): Promise<ErasureResult> {
    return this.app
      .get(CommandBus)
      .execute(new EraseSubjectCommand(tenantId, userPrincipalName, 'k_test'));
  }

  async deleteTenant(tenantId: string): Promise<void> {
    const tenants = this.app.get(TenantsService);
    await tenants.scheduleDeletion(tenantId, { keyId: 'k_test' });
    if (!(await tenants.completeDeletionIfDue(tenantId, this.app.get(AdminService))))
      throw new Error('tenant deletion was not due');
  }

  async subjectOf(tenantId: string, userPrincipalName: string): Promise<string> {
    const found = await this.app.get(Keyring).findSubject(tenantId, userPrincipalName);
    if (found === null) throw new Error(`no subject for ${userPrincipalName}`);
    return found.subjectId;
  }

  /** Builds and starts a forwarder on these stores. */
  forwarder(settings: Partial<SiemSettings> & Pick<SiemSettings, 'kafkaBrokers'>): SiemForwarder {
    const forwarder = createSiemForwarder(
      {
        dataDir: this.dataDir,
        siemFile: null,
        siemIdentity: true,
        partitions: 3,
        retryInitialMs: 50,
        retryMaxMs: 1000,
        ...settings,
      },
      {
        store: this.store,
        checkpoints: this.checkpoints,
        catalog: this.app.get(EventCatalog),
        keyring: this.app.get(Keyring),
        logger: pino({ level: 'info' }, { write: (line: string) => this.logLines.push(line) }),
        metrics: this.metrics,
        board: this.board,
        // As apps/worker wires it: events sealed before they are forwarded carry their proof.
        seals: new SealedEventProofs(this.store),
      },
    );
    if (forwarder === null) throw new Error('forwarding is off for these settings');
    this.forwarders.push(forwarder);
    return forwarder.start();
  }

  /** Seals every tenant's events up to the log's head now, with the runtime's seal key. */
  async seal(): Promise<void> {
    await new Sealer(
      {
        store: this.store,
        checkpoints: this.checkpoints,
        key: this.sealKey,
        clock: systemClock,
        ids: { uuid: () => randomUUID() },
      },
      { chunkSize: 4 },
    ).sealOnce();
  }

  get sealKey(): SealSigningKey {
    return this.app.get<SealSigningKey>(SEAL_KEY);
  }

  /** Resolves once the forwarder has checkpointed the log's head. */
  async caughtUp(forwarder: SiemForwarder, timeoutMs = 30_000): Promise<void> {
    const head = await this.store.headPosition();
    const until = Date.now() + timeoutMs;
    while (forwarder.position < head) {
      if (Date.now() > until)
        throw new Error(
          `forwarder at ${forwarder.position}, head ${head}: not caught up in ${timeoutMs} ms`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stopForwarder(forwarder: SiemForwarder): Promise<void> {
    const i = this.forwarders.indexOf(forwarder);
    if (i >= 0) this.forwarders.splice(i, 1);
    await forwarder.stop();
  }

  async close(): Promise<void> {
    await Promise.all(this.forwarders.map((f) => f.stop()));
    await this.app.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
