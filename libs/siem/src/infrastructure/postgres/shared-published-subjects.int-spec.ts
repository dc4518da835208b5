import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent, TENANT_EVENT } from '@authtrail/catalog';
import {
  createTestDatabase,
  readTopic,
  testKafkaBrokers,
  type TestDatabase,
} from '@authtrail/testing';
import { SIEM_TOPICS } from '../../domain/siem-topics';
import { SiemHarness } from '../../testing/siem-harness';
import type { SiemSettings } from '../create-siem-forwarder';

// The failover that motivated the shared record: forwarder A publishes people's identities
// and stops (its lease moves on), forwarder B — another replica, with a data dir of its
// own — takes over from the checkpoint, and then the tenant is deleted. B must tombstone
// everyone A published, which it can only know from a record both share.
jest.setTimeout(120_000);

const brokers = testKafkaBrokers();

const person = (name: string, role = 'User') => ({
  userPrincipalName: `${name}@contoso.example`,
  displayName: `${name[0].toUpperCase()}${name.slice(1)} Example`,
  role,
});

describe('SIEM forwarder failover and tenant deletion', () => {
  let db: TestDatabase;
  let h: SiemHarness;
  let dirs: string[] = [];
  const replicaDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'authtrail-siem-replica-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    db = await createTestDatabase('authtrail_siem_fo');
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    h = await SiemHarness.start();
  });
  afterEach(async () => {
    await h.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    dirs = [];
  });

  /** A publishes, stops; B takes over; the tenant is deleted. Keys A published, keys B tombstoned. */
  async function handOver(record: NonNullable<SiemSettings['keyVault']>) {
    const tenant = await h.tenant();
    const admin = person('helpdesk', 'HelpdeskAdministrator');
    const people = ['kim', 'lee', 'ana', 'raj'].map((n) => person(n));
    await h.ingest(
      tenant,
      people.map((p) =>
        exampleEvent('sspr.PasswordResetByAdmin', {
          eventId: randomUUID(),
          actor: admin,
          target: p,
        }),
      ),
    );
    const ofTenant = async () =>
      (await readTopic(brokers, SIEM_TOPICS.subjects)).filter((r) =>
        (r.key ?? '').startsWith(`${tenant}/`),
      );

    const a = h.forwarder({ kafkaBrokers: brokers, dataDir: replicaDir(), keyVault: record });
    await h.caughtUp(a);
    await h.stopForwarder(a);
    const publishedByA = (await ofTenant()).filter((r) => r.value !== null).map((r) => r.key!);

    const b = h.forwarder({ kafkaBrokers: brokers, dataDir: replicaDir(), keyVault: record });
    await h.caughtUp(b);
    await h.deleteTenant(tenant);
    await h.caughtUp(b);
    const tombstonedByB = (await ofTenant())
      .filter((r) => r.value === null && r.headers['authtrail-type'] === TENANT_EVENT.deleted)
      .map((r) => r.key!);
    return { publishedByA: publishedByA.sort(), tombstonedByB: tombstonedByB.sort() };
  }

  it('with the record in PostgreSQL, B tombstones every person A published', async () => {
    const { publishedByA, tombstonedByB } = await handOver({ kind: 'postgres', url: db.url });
    expect(publishedByA).toHaveLength(5); // four people and the admin
    expect(tombstonedByB).toEqual(publishedByA);
  });

  it('with a SQLite record per replica, B knows none of them (the gap the shared record closes)', async () => {
    const { publishedByA, tombstonedByB } = await handOver({ kind: 'sqlite' });
    expect(publishedByA).toHaveLength(5);
    expect(tombstonedByB).toEqual([]);
  });
});
