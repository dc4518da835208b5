import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { exampleEvent } from '@authtrail/catalog';
import { createTestDatabase, type TestDatabase } from '@authtrail/testing';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

// The production configuration of the log (AUTHTRAIL_EVENT_STORE=esdb://…) and the vault
// (postgres://…) chosen by configuration alone, the API doing what a user does. The log is
// the EventStoreDB test double, run in its own process like a server.
const ROOT = resolve(__dirname, '../..');

function startEsdbDouble(): Promise<{ child: ChildProcess; connectionString: string }> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(ROOT, 'libs/coordination/testing/register-ts.js'),
      join(ROOT, 'libs/testing/src/esdb/esdb-test-double.main.ts'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((done, fail) => {
    let out = '';
    child.once('exit', (code) => fail(new Error(`the ESDB double exited (${code}): ${out}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (!out.includes('\n')) return;
      const { connectionString } = JSON.parse(out.split('\n')[0]) as { connectionString: string };
      done({ child, connectionString });
    });
  });
}

describe('authtrail on EventStoreDB and PostgreSQL (scale-out configuration)', () => {
  let esdb: { child: ChildProcess; connectionString: string };
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    esdb = await startEsdbDouble();
    db = await createTestDatabase('authtrail_esdb_app');
    server = await startTestServer({
      AUTHTRAIL_EVENT_STORE: esdb.connectionString,
      AUTHTRAIL_KEY_VAULT: db.url,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    esdb?.child.kill('SIGTERM');
    await db?.drop();
  });

  it('ingests idempotently, exports and erases a person', async () => {
    expect(server.config.eventStore.kind).toBe('esdb');
    const keys = await prepareTenant(server);
    const person = { userPrincipalName: 'es.person@contoso.example', displayName: 'Es Person' };
    const event = exampleEvent('sspr.PasswordChanged', {
      eventId: randomUUID(),
      actor: person,
      target: person,
    });
    const posted = await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [event],
    });
    expect(posted.status).toBe(202);
    const again = await server.request('POST', '/v1/events', { key: keys.producer, body: [event] });
    expect(again.status).toBe(202);
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 1 });
    const changed = await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [{ ...event, occurredAt: new Date(Date.now() - 120_000).toISOString() }],
    });
    expect(changed.status).toBe(409);

    const exported = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: person.userPrincipalName },
    });
    expect(exported.json.events[0].event.target.displayName).toBe('Es Person');
    const erased = await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: person.userPrincipalName },
    });
    expect(erased.json.events).toBe(1);
    const after = await server.request('GET', `/v1/subjects/${exported.json.subjectId}/events`, {
      key: keys.privacyAdmin,
    });
    expect(after.json.erased).toBe(true);
    expect(after.text).not.toContain('Es Person');
    const health = await server.request('GET', '/healthz', { key: null });
    expect(health.status).toBe(200);
  }, 60_000);
});
