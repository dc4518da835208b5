import { randomUUID } from 'node:crypto';
import { exampleEvent } from '@authtrail/catalog';
import { createTestDatabase, TestDatabase } from '@authtrail/testing';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

/** The whole app with the production key vault (a real PostgreSQL started by the int setup). */
describe('authtrail on the PostgreSQL key vault', () => {
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    db = await createTestDatabase('authtrail_app');
    server = await startTestServer({ AUTHTRAIL_KEY_VAULT: db.url });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('ingests, exports and erases with keys and credentials in PostgreSQL', async () => {
    const keys = await prepareTenant(server);
    const person = { userPrincipalName: 'pg.person@contoso.example', displayName: 'Pg Person' };
    const posted = await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [
        exampleEvent('sspr.PasswordChanged', {
          eventId: randomUUID(),
          actor: person,
          target: person,
        }),
      ],
    });
    expect(posted.status).toBe(202);
    const exported = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: person.userPrincipalName },
    });
    expect(exported.json.events[0].event.target.displayName).toBe('Pg Person');
    const erased = await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: person.userPrincipalName },
    });
    expect(erased.json.events).toBe(1);
    const after = await server.request('GET', `/v1/subjects/${exported.json.subjectId}/events`, {
      key: keys.privacyAdmin,
    });
    expect(after.json.erased).toBe(true);
    expect(after.text).not.toContain('Pg Person');
  }, 60_000);
});
