import { randomUUID } from 'node:crypto';
import { patchedExample } from '@authtrail/catalog';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

/**
 * Privacy admins see display names, so they can filter the audit log by the name they
 * see, resolved to the person first like a user principal name; a name two people share
 * is refused, naming the parameter, rather than mixing them up.
 */
describe('audit query by display name (whole app over HTTP)', () => {
  const ada = {
    userPrincipalName: 'ada@contoso.example',
    displayName: 'Ada Lovelace',
    role: 'User',
  };
  const kims = ['kim1@contoso.example', 'kim2@contoso.example'].map((upn) => ({
    userPrincipalName: upn,
    displayName: 'Kim Akers',
    role: 'User',
  }));
  const events = [ada, ada, ...kims].map((p) =>
    patchedExample('sspr.PasswordChanged', { eventId: randomUUID(), actor: p, target: p }),
  );
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let running: RunningProjector;

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
    const res = await server.request('POST', '/v1/events', { key: keys.producer, body: events });
    if (res.status !== 202) throw new Error(`ingest: ${res.status} ${res.text}`);
    running = await startProjector(server.app);
    await running.projector.waitForHead(60_000);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await server?.close();
  });

  const query = (q: string, key = keys.privacyAdmin) =>
    server.request('GET', `/v1/audit-events?service=sspr&${q}`, { key });

  it('finds the person shown by that name (any case), and only them', async () => {
    const res = await query('targetDisplayName=ada%20lovelace');
    expect(res.status).toBe(200);
    expect(res.json.items.map((i: { eventId: string }) => i.eventId).sort()).toEqual(
      events
        .slice(0, 2)
        .map((e) => e.eventId)
        .sort(),
    );
    expect(
      res.json.items.every((i: { target: { user: string } }) => i.target.user === 'Ada Lovelace'),
    ).toBe(true);
    expect((await query('actorDisplayName=Ada%20Lovelace')).json.items).toHaveLength(2);
    expect((await query('targetDisplayName=Nobody%20Here')).json.items).toEqual([]);
  });

  it('refuses a name two people share (409 naming the parameter), readers (403) and two filters for one person (422)', async () => {
    const shared = await query('targetDisplayName=Kim%20Akers');
    expect(shared.status).toBe(409);
    expect(shared.json.errors[0].path).toBe('targetDisplayName');
    expect(shared.json.errors[0].message).toContain('2 people');
    expect((await query('targetDisplayName=Ada%20Lovelace', keys.reader)).status).toBe(403);
    const both = await query(`targetDisplayName=Ada%20Lovelace&target=${ada.userPrincipalName}`);
    expect(both.status).toBe(422);
    expect(both.json.errors.map((e: { path: string }) => e.path)).toContain('targetDisplayName');
  });

  it('exports and erases by the display name a privacy admin sees: the one person (any case); a shared name is a 409, nobody erased', async () => {
    const erase = (body: unknown, key = keys.privacyAdmin) =>
      server.request('POST', '/v1/subjects/erase', { key, body });
    const shared = await erase({ displayName: 'Kim Akers' });
    expect(shared.status).toBe(409);
    expect(shared.json.errors[0].path).toBe('/displayName');
    expect((await erase({ displayName: 'Nobody Here' })).json).toEqual({
      subjectId: null,
      erasedAt: null,
      events: 0,
    });
    expect((await erase({ displayName: 'Ada', userPrincipalName: 'x@y' })).status).toBe(422);
    expect((await erase({ displayName: '' })).status).toBe(422);
    expect((await erase({ displayName: 'ada lovelace' }, keys.reader)).status).toBe(403);

    // Export by the name on screen too: the same person, all her events.
    const byName = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { displayName: 'ADA LOVELACE' },
    });
    expect(byName.status).toBe(200);
    expect(byName.json.events).toHaveLength(2);
    const sharedExport = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { displayName: 'Kim Akers' },
    });
    expect(sharedExport.status).toBe(409);

    const erased = await erase({ displayName: 'ada lovelace' });
    expect(erased.json.subjectId).toBe(byName.json.subjectId);
    expect(erased.status).toBe(200);
    expect(erased.json).toMatchObject({ events: 2 });
    expect(erased.json.subjectId).toEqual(expect.any(String));
    // Gone: her name no longer opens, and the Kims are untouched.
    const exported = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: ada.userPrincipalName },
    });
    expect(exported.json.events).toEqual([]);
    const kim = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: kims[0].userPrincipalName },
    });
    expect(kim.json.events).toHaveLength(1);
  });
});
