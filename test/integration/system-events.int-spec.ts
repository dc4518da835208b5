import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventCatalog, exampleEvent } from '@authtrail/catalog';
import { loadConfig } from '@authtrail/config';
import {
  CHECKPOINT_STORE,
  type CheckpointStore,
  EVENT_STORE,
  type EventStore,
  type RecordedEvent,
  decodeEnvelope,
} from '@authtrail/event-store';
import { IngestEventsCommand, IngestEventsHandler } from '@authtrail/ingest';
import { SEAL_KEY, type SealSigningKey, Sealer } from '@authtrail/ledger';
import { CLOCK, type Clock, ID_SOURCE, type IdSource } from '@authtrail/platform';
import {
  AccessAuditService,
  EraseSubjectCommand,
  EraseSubjectHandler,
  ErasureRecovery,
  ExportSubjectHandler,
  ExportSubjectQuery,
  PlaceLegalHoldCommand,
  PlaceLegalHoldHandler,
  ReleaseLegalHoldCommand,
  ReleaseLegalHoldHandler,
  legalHoldRequestOf,
} from '@authtrail/privacy';
import { AdminService, BootstrapService, RuntimeModule } from '@authtrail/runtime';
import { TenantsService } from '@authtrail/tenancy';

/**
 * Every record authtrail writes itself must match the schema it publishes for it
 * (`GET /v1/schemas`, docs/event-catalog.md, the SIEM stream): this runs every handler
 * that records one, on the real embedded stores wired as `authtrail serve` wires them,
 * and validates each stored system event through the catalog.
 */
const catalog = EventCatalog.default();

async function readEverything(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: all.at(-1)?.position ?? 0, limit: 1000 });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

const person = (userPrincipalName: string) => ({
  userPrincipalName,
  displayName: 'Some Person',
  role: 'User',
});

describe('system events as stored by every handler', () => {
  let dir: string;
  let app: INestApplicationContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'authtrail-system-events-'));
    const config = loadConfig({
      AUTHTRAIL_DATA_DIR: dir,
      AUTHTRAIL_LOG_LEVEL: 'silent',
      AUTHTRAIL_TENANT_DELETION_GRACE: '0',
    });
    app = await NestFactory.createApplicationContext(RuntimeModule.forRoot({ config }), {
      logger: false,
    });
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('match their published schemas, and every system type of the catalog is exercised', async () => {
    const store = app.get<EventStore>(EVENT_STORE);
    const admin = app.get(AdminService);
    const tenants = app.get(TenantsService);
    const audit = app.get(AccessAuditService);
    const eraser = app.get(EraseSubjectHandler);

    // First start: the default tenant and its bootstrap key.
    await app.get(BootstrapService).ensure();

    // Tenant lifecycle and keys.
    const { keyId: adminKeyId } = await admin.createTenant('acme', 'k-operator');
    await tenants.optIn('acme', { keyId: adminKeyId });
    const producer = await admin.createKey(
      'acme',
      { roles: ['producer'], name: 'idp', expiresAt: new Date(Date.now() + 86_400_000) },
      adminKeyId,
    );
    const reader = await admin.createKey('acme', { roles: ['reader'] }, adminKeyId);
    await admin.revokeKey('acme', reader.id, adminKeyId);

    // People's events, then the privacy requests about them.
    const ingest = app.get(IngestEventsHandler);
    await ingest.execute(
      new IngestEventsCommand(
        'acme',
        [
          exampleEvent('sspr.PasswordResetByAdmin', {
            actor: person('helpdesk@contoso.com'),
            target: person('kim@contoso.com'),
          }),
          exampleEvent('mfa.AuthenticationAttempted', { target: person('lee@contoso.com') }),
          exampleEvent('mfa.AuthenticationAttempted', { target: person('ann@contoso.com') }),
        ],
        producer.id,
      ),
    );
    const exporter = app.get(ExportSubjectHandler);
    const exported = await exporter.execute(
      new ExportSubjectQuery('acme', 'kim@contoso.com', 'k-privacy'),
    );
    await exporter.execute(new ExportSubjectQuery('acme', 'nobody@contoso.com', 'k-privacy'));
    await eraser.execute(new EraseSubjectCommand('acme', 'kim@contoso.com', 'k-privacy'));
    // An erasure cut off after its request was recorded, finished at the next start.
    jest.spyOn(eraser, 'finish').mockRejectedValueOnce(new Error('crash'));
    await expect(
      eraser.execute(new EraseSubjectCommand('acme', 'lee@contoso.com', 'k-privacy')),
    ).rejects.toThrow('crash');
    expect(await app.get(ErasureRecovery).run()).toBe(1);

    // A legal hold on a person defers their erasure; its release runs it.
    const hold = await app.get(PlaceLegalHoldHandler).execute(
      new PlaceLegalHoldCommand(
        'acme',
        legalHoldRequestOf({
          scope: 'person',
          userPrincipalName: 'ann@contoso.com',
          caseReference: 'LIT-2026-1',
        }),
        'k-privacy',
      ),
    );
    expect(
      await eraser.execute(new EraseSubjectCommand('acme', 'ann@contoso.com', 'k-privacy')),
    ).toMatchObject({ status: 'deferred' });
    await app
      .get(ReleaseLegalHoldHandler)
      .execute(new ReleaseLegalHoldCommand('acme', hold.holdId, 'k-privacy'));

    // Audited reads of personal data: by subject ids, and by a count of names.
    const principal = { tenantId: 'acme', keyId: 'k-privacy', roles: ['privacy-admin' as const] };
    await audit.personalDataRead(principal, 'GET /v1/subjects/{subjectId}/events', [
      exported.subjectId!,
    ]);
    await audit.personalDataRead(principal, 'GET /v1/reports/sspr/resets', 3);

    // A tenant deleted after a cancelled first attempt (grace 0: due at once).
    await admin.createTenant('globex', 'k-operator');
    await tenants.scheduleDeletion('globex', { keyId: 'k-globex-admin' });
    await tenants.cancelDeletion('globex', { keyId: 'k-globex-admin' });
    await tenants.scheduleDeletion('globex', { keyId: 'k-globex-admin' });
    expect(await tenants.completeDeletionIfDue('globex', admin)).toBe(true);

    // Seals over all of it.
    const sealer = new Sealer(
      {
        store,
        checkpoints: app.get<CheckpointStore>(CHECKPOINT_STORE),
        key: app.get<SealSigningKey>(SEAL_KEY),
        clock: app.get<Clock>(CLOCK),
        ids: app.get<IdSource>(ID_SOURCE),
      },
      { retentionWindows: { mfa: 90 * 86_400, sspr: 365 * 86_400 } },
    );
    expect((await sealer.sealOnce()).length).toBeGreaterThan(0);

    const stored = (await readEverything(store))
      .map((r) => ({ record: r, envelope: decodeEnvelope(r.data) }))
      .filter(({ record }) => catalog.get(record.type)?.producerPostable === false);
    const problems = stored.flatMap(({ record, envelope }) =>
      catalog
        .checkSystemEvent(envelope)
        .map((i) => `${record.type} @${record.position}: ${i.path} ${i.message}`),
    );
    expect(problems).toEqual([]);

    const systemTypes = catalog
      .list()
      .filter((d) => !d.producerPostable)
      .map((d) => d.type)
      .sort();
    expect([...new Set(stored.map(({ record }) => record.type))].sort()).toEqual(systemTypes);
  }, 120_000);
});
