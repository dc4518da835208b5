import { randomUUID } from 'node:crypto';
import { exampleEvent } from '@authtrail/catalog';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

describe('credentials, roles and tenants', () => {
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
  });
  afterAll(async () => server.close());

  it('answers 401 problem+json without a key, with a malformed key and with an unknown key', async () => {
    for (const key of [null, 'nonsense', `atk_${'0'.repeat(16)}_${'A'.repeat(43)}`]) {
      const res = await server.request('GET', '/v1/keys', { key });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('answers 403 for the wrong role; roles do not imply each other', async () => {
    expect(
      (
        await server.request('POST', '/v1/events', {
          key: keys.reader,
          body: [exampleEvent('sspr.PasswordChanged')],
        })
      ).status,
    ).toBe(403);
    expect((await server.request('GET', '/v1/keys', { key: keys.producer })).status).toBe(403);
    expect(
      (
        await server.request('POST', '/v1/tenants', {
          key: keys.privacyAdmin,
          body: { tenantId: 'x' },
        })
      ).status,
    ).toBe(403);
  });

  it('names the missing role and the roles the key has in a 403', async () => {
    const res = await server.request('POST', '/v1/events', {
      key: keys.reader,
      body: [exampleEvent('sspr.PasswordChanged')],
    });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({
      code: 'AUTH.FORBIDDEN',
      requiredRoles: ['producer'],
      heldRoles: ['reader'],
    });
    expect(res.json.detail).toContain('needs the role producer');
    expect(res.json.detail).toContain('this credential has reader');
  });

  it('shows a created key once, lists it without secrets, and revoked keys stop working', async () => {
    const created = await server.request('POST', '/v1/keys', {
      body: { roles: ['reader'], name: 'ci' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.any(String),
      key: expect.stringMatching(/^atk_/),
      roles: ['reader'],
    });
    const list = await server.request('GET', '/v1/keys');
    expect(list.json.items.find((k: { id: string }) => k.id === created.json.id)).toMatchObject({
      name: 'ci',
      roles: ['reader'],
    });
    expect(list.text).not.toContain(created.json.key);
    expect((await server.request('GET', '/v1/schemas', { key: created.json.key })).status).toBe(
      200,
    );
    expect((await server.request('DELETE', `/v1/keys/${created.json.id}`)).status).toBe(204);
    expect((await server.request('GET', '/v1/schemas', { key: created.json.key })).status).toBe(
      401,
    );
    expect((await server.request('DELETE', `/v1/keys/${created.json.id}x`)).status).toBe(404);
  });

  it('rejects bad key requests with problem+json naming the field', async () => {
    const res = await server.request('POST', '/v1/keys', { body: { roles: ['root'] } });
    expect(res.status).toBe(422);
    expect(res.json.errors[0].path).toBe('/roles');
  });

  it('keeps tenants apart: another tenant sees none of this one', async () => {
    const t = await server.request('POST', '/v1/tenants', { body: { tenantId: 'acme' } });
    expect(t.status).toBe(201);
    const acmeAdmin = t.json.adminKey as string;
    expect(
      (await server.request('POST', '/v1/tenants', { body: { tenantId: 'acme' } })).status,
    ).toBe(409);
    expect(
      (await server.request('POST', '/v1/tenants', { body: { tenantId: 'Bad Id!' } })).status,
    ).toBe(422);
    const acmeKeys = await server.request('GET', '/v1/keys', { key: acmeAdmin });
    expect(acmeKeys.status).toBe(200);
    const defaultKeys = await server.request('GET', '/v1/keys');
    const defaultIds = defaultKeys.json.items.map((k: { id: string }) => k.id);
    for (const k of acmeKeys.json.items) expect(defaultIds).not.toContain(k.id);
    // Revoking another tenant's key id looks exactly like an unknown id.
    const acmeKeyId = acmeKeys.json.items[0].id;
    expect((await server.request('DELETE', `/v1/keys/${acmeKeyId}`)).status).toBe(404);
    expect((await server.request('GET', '/v1/keys', { key: acmeAdmin })).status).toBe(200);
    // acme has not opted in: its producer gets 409 while default's events flow.
    const p = await server.request('POST', '/v1/keys', {
      key: acmeAdmin,
      body: { roles: ['producer'] },
    });
    const posted = await server.request('POST', '/v1/events', {
      key: p.json.key,
      body: [exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() })],
    });
    expect(posted.status).toBe(409);
  });

  it('serves health, metrics and docs without a key and without tenant data', async () => {
    const h = await server.request('GET', '/healthz', { key: null });
    expect(h.status).toBe(200);
    expect(h.json.status).toBe('ok');
    const m = await server.request('GET', '/metrics', { key: null });
    expect(m.status).toBe(200);
    expect(m.text).toContain('authtrail_http_requests_total');
    expect(m.text).not.toContain('default');
    const d = await server.request('GET', '/docs/openapi.json', { key: null });
    expect(d.status).toBe(200);
    expect(Object.keys(d.json.paths)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/keys', '/v1/tenants']),
    );
    const notFound = await server.request('GET', '/v1/nothing-here', { key: null });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toContain('application/problem+json');
  });

  it('publishes the catalog with personal and secret marks', async () => {
    const s = await server.request('GET', '/v1/schemas', { key: keys.reader });
    expect(s.status).toBe(200);
    const changed = s.json.items.find((i: { type: string }) => i.type === 'mfa.UserChanged');
    expect(changed.fields.find((f: { secret: boolean }) => f.secret)).toBeDefined();
    expect(changed.fields.some((f: { personal: boolean }) => f.personal)).toBe(true);
    expect(
      (await server.request('GET', '/v1/schemas/sspr.Registered', { key: keys.reader })).status,
    ).toBe(200);
    expect((await server.request('GET', '/v1/schemas/nope', { key: keys.reader })).status).toBe(
      404,
    );
  });
});
