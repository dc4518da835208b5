import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent, PRIVACY_EVENT, TENANT_EVENT } from '@authtrail/catalog';
import { EVENT_STORE, EventStore, newSystemEvent } from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import { ErasureRecovery, privacyStream } from '@authtrail/privacy';
import { esdbRecordsHolding } from '../support/event-store-under-test';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';

/** Reads a file that a running ClickHouse may merge away meanwhile (then: nothing to scan). */
function read(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    if (
      (e as NodeJS.ErrnoException).code === 'ENOENT' ||
      (e as NodeJS.ErrnoException).code === 'EISDIR'
    )
      return Buffer.alloc(0);
    throw e;
  }
}

/** Every file under a directory, recursively. */
function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.flatMap((f) => {
    const p = join(dir, f);
    try {
      return statSync(p).isDirectory() ? files(p) : [p];
    } catch {
      return [];
    }
  });
}
/** Files of the data dir holding the needle, and records of an EventStoreDB log (kept outside it). */
const containsAnywhere = async (dir: string, needle: string): Promise<string[]> => [
  ...files(dir).filter((f) => {
    const bytes = read(f);
    return (
      bytes.includes(Buffer.from(needle, 'utf8')) ||
      bytes.includes(Buffer.from(needle.toLowerCase(), 'utf8'))
    );
  }),
  ...(await esdbRecordsHolding(dir, needle)),
];

const NAME = 'zebulon.quixotic-7f3a@contoso.example';
const DISPLAY = 'Zebulon Quixotic-Vandermeer';
const PHONE = '+1 555 0199 7788';

describe('crypto-shredding erasure (over a real socket)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-erase-'));
  const logFile = join(dataDir, 'authtrail.log');
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let oldSubjectId: string;
  let projector: RunningProjector;

  const zebulon = { userPrincipalName: NAME, displayName: DISPLAY, role: 'User' };
  const admin = {
    userPrincipalName: 'helpdesk.person@contoso.example',
    displayName: 'Help Desk',
    role: 'HelpdeskAdministrator',
  };
  const events = () => [
    exampleEvent('sspr.Registered', { eventId: randomUUID(), actor: zebulon, target: zebulon }),
    exampleEvent('sspr.PasswordResetByAdmin', {
      eventId: randomUUID(),
      actor: admin,
      target: zebulon,
    }),
    exampleEvent('mfa.UserChanged', {
      eventId: randomUUID(),
      target: { userPrincipalName: NAME },
      details: {
        ...(exampleEvent('mfa.UserChanged').details ?? {}),
        newPhoneNumber: PHONE,
      },
    }),
  ];

  beforeAll(async () => {
    server = await startTestServer({}, { dataDir, logFile });
    keys = await prepareTenant(server);
    // The projector fills the embedded ClickHouse under the data dir, so its files are scanned too.
    projector = await startProjector(server.app);
  });
  afterAll(async () => {
    await projector.stop();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores the name nowhere in plaintext: not in the log, the vault, ClickHouse, or the logs', async () => {
    const res = await server.request('POST', '/v1/events', { key: keys.producer, body: events() });
    expect(res.status).toBe(202);
    await projector.projector.waitForHead(30_000);
    expect(files(dataDir).some((f) => f.includes(`${join('clickhouse', '')}`))).toBe(true);
    for (const needle of [NAME, DISPLAY, PHONE])
      expect(await containsAnywhere(dataDir, needle)).toEqual([]);
  });

  it('exports the person before erasure: own fields decrypted, the admin as a subject id only', async () => {
    const res = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: NAME.toUpperCase() },
    });
    expect(res.status).toBe(200);
    expect(res.json.subjectId).toMatch(/^s_/);
    oldSubjectId = res.json.subjectId;
    expect(res.json.events).toHaveLength(3);
    expect(res.text).toContain(NAME);
    expect(res.text).toContain(DISPLAY);
    expect(res.text).not.toContain(admin.userPrincipalName);
    const byAdmin = res.json.events.find(
      (e: { type: string }) => e.type === 'sspr.PasswordResetByAdmin',
    );
    expect(byAdmin.roles).toEqual(['target']);
    expect(byAdmin.event.target.userPrincipalName).toBe(NAME);
    expect(byAdmin.event.actor).toEqual({
      role: 'HelpdeskAdministrator',
      subjectId: expect.stringMatching(/^s_/),
    });
    expect(Buffer.from(byAdmin.envelope, 'base64').toString()).not.toContain(NAME);
  });

  it('only privacy-admin may erase or export; a reader sees subject ids, never names', async () => {
    expect(
      (
        await server.request('POST', '/v1/subjects/erase', {
          key: keys.reader,
          body: { userPrincipalName: NAME },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await server.request('POST', '/v1/subjects/export', {
          key: keys.producer,
          body: { userPrincipalName: NAME },
        })
      ).status,
    ).toBe(403);
    const asReader = await server.request('GET', `/v1/subjects/${oldSubjectId}/events`, {
      key: keys.reader,
    });
    expect(asReader.status).toBe(200);
    expect(asReader.text).not.toContain(NAME);
    const asAdmin = await server.request('GET', `/v1/subjects/${oldSubjectId}/events`, {
      key: keys.privacyAdmin,
    });
    expect(asAdmin.text).toContain(NAME);
  });

  it('erases within a second; afterwards no API yields their personal data, and the same name is a new, unlinkable subject', async () => {
    const started = Date.now();
    const res = await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: NAME },
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ subjectId: oldSubjectId, erasedAt: expect.any(String), events: 3 });

    const again = await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: NAME },
    });
    expect(again.json).toMatchObject({ events: 0 });
    const unknown = await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: 'nobody@contoso.example' },
    });
    expect(unknown.status).toBe(200);
    expect(unknown.json.events).toBe(0);

    const exported = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: NAME },
    });
    expect(exported.json.events).toEqual([]);
    const read = await server.request('GET', `/v1/subjects/${oldSubjectId}/events`, {
      key: keys.privacyAdmin,
    });
    expect(read.status).toBe(200);
    expect(read.json.erased).toBe(true);
    expect(read.text).not.toContain(NAME);
    expect(read.text).not.toContain(DISPLAY);
    expect(read.text).not.toContain(PHONE);
    for (const item of read.json.items) expect(item.erased).toContain(oldSubjectId);

    // The same name later: a new subject with a new key, not linkable to the erased one.
    await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [
        exampleEvent('sspr.PasswordChanged', {
          eventId: randomUUID(),
          actor: zebulon,
          target: zebulon,
        }),
      ],
    });
    const fresh = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: NAME },
    });
    expect(fresh.json.subjectId).toMatch(/^s_/);
    expect(fresh.json.subjectId).not.toBe(oldSubjectId);
    expect(fresh.json.events).toHaveLength(1);
    expect(fresh.text).not.toContain(oldSubjectId);

    // The erasure and export are recorded, without personal data.
    const store = server.app.get<EventStore>(EVENT_STORE);
    const privacy = await store.readStream(privacyStream('default'));
    const types = privacy.map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([PRIVACY_EVENT.erasureRequested, PRIVACY_EVENT.exported]),
    );
    for (const r of privacy) expect(Buffer.from(r.data).toString()).not.toContain(NAME);
    const lifecycle = await store.readStream(`t-default-subject-${oldSubjectId}`);
    expect(lifecycle.map((r) => r.type)).toEqual([PRIVACY_EVENT.erased]);
  });

  it('cannot decrypt anything of theirs after a restart', async () => {
    await projector.stop();
    await server.close();
    server = await startTestServer({}, { dataDir, logFile });
    projector = await startProjector(server.app);
    await projector.projector.waitForHead(30_000);
    const keyring = server.app.get(Keyring);
    expect((await keyring.dataKeys('default', [oldSubjectId])).size).toBe(0);
    const read = await server.request('GET', `/v1/subjects/${oldSubjectId}/events`, {
      key: keys.privacyAdmin,
    });
    expect(read.json.erased).toBe(true);
    expect(read.text).not.toContain(NAME);
    for (const needle of [NAME, DISPLAY, PHONE])
      expect(await containsAnywhere(dataDir, needle)).toEqual([]);
  });

  it('gives no oracle on an erased person: re-posting their event id answers alike for any name', async () => {
    const person = {
      userPrincipalName: 'oracle.target-5512@contoso.example',
      displayName: 'Oracle Target',
    };
    const original = exampleEvent('sspr.PasswordChanged', {
      eventId: randomUUID(),
      actor: person,
      target: person,
    });
    expect(
      (await server.request('POST', '/v1/events', { key: keys.producer, body: [original] })).status,
    ).toBe(202);
    // Before erasure: the same content is a duplicate, other personal content a conflict.
    expect(
      (await server.request('POST', '/v1/events', { key: keys.producer, body: [original] })).json,
    ).toEqual({ accepted: 0, duplicates: 1 });
    const wrongGuess = {
      ...original,
      actor: { ...person, displayName: 'Someone Else' },
      target: { ...person, displayName: 'Someone Else' },
    };
    expect(
      (await server.request('POST', '/v1/events', { key: keys.producer, body: [wrongGuess] }))
        .status,
    ).toBe(409);
    await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: person.userPrincipalName },
    });
    // After erasure the right name and a wrong one get the same answer: nothing confirms a guess.
    const right = await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [original],
    });
    const wrong = await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [wrongGuess],
    });
    expect(right.status).toBe(409);
    expect(wrong.status).toBe(409);
    expect(right.json.code).toBe(wrong.json.code);
  });

  it('keeps no trace of a secret, not even in the idempotency fingerprint', async () => {
    const e = exampleEvent('mfa.UserChanged', { eventId: randomUUID() });
    const withPin = (pin: string) => ({ ...e, details: { ...(e.details ?? {}), newPin: pin } });
    expect(
      (
        await server.request('POST', '/v1/events', {
          key: keys.producer,
          body: [withPin('11112222')],
        })
      ).status,
    ).toBe(202);
    // Another PIN under the same event id is the same stored content: a duplicate.
    expect(
      (
        await server.request('POST', '/v1/events', {
          key: keys.producer,
          body: [withPin('99998888')],
        })
      ).json,
    ).toEqual({ accepted: 0, duplicates: 1 });
  });

  it('finishes an erasure cut off by a crash at the next start', async () => {
    const victim = 'crash.victim-91@contoso.example';
    await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [
        exampleEvent('sspr.PasswordChanged', {
          eventId: randomUUID(),
          actor: { userPrincipalName: victim },
          target: { userPrincipalName: victim },
        }),
      ],
    });
    const keyring = server.app.get(Keyring);
    const subject = (await keyring.findSubject('default', victim))!;
    // Step 1 of an erasure happened, then the process died.
    const store = server.app.get<EventStore>(EVENT_STORE);
    await store.append('default', [
      {
        streamId: privacyStream('default'),
        expectedRevision: 'any',
        events: [
          newSystemEvent({
            eventId: randomUUID(),
            tenantId: 'default',
            type: PRIVACY_EVENT.erasureRequested,
            now: new Date(),
            data: { subjectId: subject.subjectId, actorKeyId: 'test' },
            subjects: { subject: subject.subjectId },
          }),
        ],
      },
    ]);
    expect(await server.app.get(ErasureRecovery).run()).toBe(1);
    expect(await keyring.findSubject('default', victim)).toBeNull();
    expect((await keyring.dataKeys('default', [subject.subjectId])).size).toBe(0);
    expect(
      (await store.readStream(`t-default-subject-${subject.subjectId}`)).map((r) => r.type),
    ).toEqual([PRIVACY_EVENT.erased]);
    expect(await server.app.get(ErasureRecovery).run()).toBe(0);
  });
});

describe('tenant deletion', () => {
  it('shreds the whole tenant: its keys stop working and nothing of its people can be decrypted', async () => {
    const server = await startTestServer({ AUTHTRAIL_TENANT_DELETION_GRACE: '0' });
    try {
      const created = await server.request('POST', '/v1/tenants', { body: { tenantId: 'acme' } });
      const acmeAdmin = created.json.adminKey as string;
      expect((await server.request('POST', '/v1/tenant/opt-in', { key: acmeAdmin })).status).toBe(
        200,
      );
      const producer = (
        await server.request('POST', '/v1/keys', {
          key: acmeAdmin,
          body: { roles: ['producer', 'privacy-admin'] },
        })
      ).json.key as string;
      const person = {
        userPrincipalName: 'tenant.person@acme.example',
        displayName: 'Tenant Person',
      };
      expect(
        (
          await server.request('POST', '/v1/events', {
            key: producer,
            body: [
              exampleEvent('sspr.PasswordChanged', {
                eventId: randomUUID(),
                actor: person,
                target: person,
              }),
            ],
          })
        ).status,
      ).toBe(202);
      const subjectId = (
        await server.request('POST', '/v1/subjects/export', {
          key: producer,
          body: { userPrincipalName: person.userPrincipalName },
        })
      ).json.subjectId as string;

      const del = await server.request('DELETE', '/v1/tenant', { key: acmeAdmin });
      expect(del.status).toBe(202);
      expect(del.json.deleted).toBe(true);
      expect((await server.request('GET', '/v1/keys', { key: acmeAdmin })).status).toBe(401);
      expect((await server.request('POST', '/v1/events', { key: producer, body: [] })).status).toBe(
        401,
      );
      const keyring = server.app.get(Keyring);
      expect(await keyring.tenantHasKey('acme')).toBe(false);
      expect((await keyring.dataKeys('acme', [subjectId])).size).toBe(0);
      // The default tenant is untouched.
      expect((await server.request('GET', '/v1/keys')).status).toBe(200);
      const store = server.app.get<EventStore>(EVENT_STORE);
      const tenantEvents = (await store.readStream('t-acme-tenant')).map((r) => r.type);
      expect(tenantEvents).toEqual([
        TENANT_EVENT.created,
        TENANT_EVENT.optedIn,
        TENANT_EVENT.deletionScheduled,
        TENANT_EVENT.deleted,
      ]);
    } finally {
      await server.close();
    }
  });

  it('waits for the grace period and can be cancelled', async () => {
    const server = await startTestServer();
    try {
      const del = await server.request('DELETE', '/v1/tenant');
      expect(del.status).toBe(202);
      expect(del.json).toMatchObject({ deleted: false, deletionDueAt: expect.any(String) });
      expect((await server.request('GET', '/v1/keys')).status).toBe(200);
      const cancel = await server.request('POST', '/v1/tenant/cancel-deletion');
      expect(cancel.status).toBe(200);
      expect(cancel.json.deletionDueAt).toBeNull();
    } finally {
      await server.close();
    }
  });
});
