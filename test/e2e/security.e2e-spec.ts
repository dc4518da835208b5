import { createServer, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ACCESS_EVENT, exampleEvent, TENANT_EVENT } from '@authtrail/catalog';
import { TestServer, prepareTenant, request, startTestServer } from '../support/test-server';

type Role = 'producer' | 'reader' | 'privacy-admin' | 'tenant-admin' | 'operator';
const ALL: Role[] = ['producer', 'reader', 'privacy-admin', 'tenant-admin', 'operator'];

/**
 * The access matrix: who may call what. Every route the API publishes must be listed
 * here (the test fails on an unlisted route), so a new route cannot ship unguarded.
 */
function allowed(method: string, path: string): Role[] {
  const exact: Record<string, Role[]> = {
    'POST /v1/events': ['producer'],
    'GET /v1/schemas': ALL,
    'GET /v1/schemas/{type}': ALL,
    'POST /v1/keys': ['tenant-admin'],
    'GET /v1/keys': ['tenant-admin'],
    'DELETE /v1/keys/{id}': ['tenant-admin'],
    'POST /v1/tenants': ['operator'],
    'GET /v1/tenant': ALL,
    'POST /v1/tenant/opt-in': ['tenant-admin'],
    'DELETE /v1/tenant': ['tenant-admin'],
    'POST /v1/tenant/cancel-deletion': ['tenant-admin'],
    'POST /v1/subjects/erase': ['privacy-admin'],
    'POST /v1/subjects/export': ['privacy-admin'],
    'GET /v1/subjects/{subjectId}/events': ['reader', 'privacy-admin'],
    'GET /v1/audit-events': ['reader', 'privacy-admin'],
    'GET /v1/whoami': ALL,
    'GET /v1/privacy/erasures': ['privacy-admin'],
    'GET /v1/privacy/erasures/{id}': ['privacy-admin'],
    'GET /v1/privacy/erasures/{id}/receipt': ['privacy-admin'],
    'POST /v1/holds': ['privacy-admin'],
    'GET /v1/holds': ['privacy-admin'],
    'DELETE /v1/holds/{id}': ['privacy-admin'],
    'GET /v1/diagnostics': ['tenant-admin'],
    'POST /v1/sources/entra/records': ['producer'],
  };
  const key = `${method} ${path}`;
  if (exact[key]) return exact[key];
  if (method === 'GET' && (path === '/v1/reports' || path.startsWith('/v1/reports/')))
    return ['reader', 'privacy-admin'];
  if (path.startsWith('/v1/ledger/')) return ALL;
  if (path.startsWith('/v1/diagnostics')) return ['tenant-admin'];
  throw new Error(`route ${key} is not in the access matrix: add it`);
}

describe('every route × {no key, bad key, each role, another tenant}', () => {
  let server: TestServer;
  const keys = {} as Record<Role, string>;
  const otherTenant = {} as Record<Role, string>;
  let subjectId: string;
  let victimKeyId: string;

  beforeAll(async () => {
    server = await startTestServer();
    const prepared = await prepareTenant(server);
    for (const role of ALL) {
      keys[role] = (await server.request('POST', '/v1/keys', { body: { roles: [role] } })).json.key;
    }
    const person = {
      userPrincipalName: 'matrix.person@contoso.example',
      displayName: 'Matrix Person',
    };
    await server.request('POST', '/v1/events', {
      key: prepared.producer,
      body: [
        exampleEvent('sspr.PasswordChanged', {
          eventId: randomUUID(),
          actor: person,
          target: person,
        }),
      ],
    });
    subjectId = (
      await server.request('POST', '/v1/subjects/export', {
        key: prepared.privacyAdmin,
        body: { userPrincipalName: person.userPrincipalName },
      })
    ).json.subjectId;
    victimKeyId = (
      await server.request('POST', '/v1/keys', { body: { roles: ['reader'], name: 'victim' } })
    ).json.id;
    const acme = (
      await server.request('POST', '/v1/tenants', { body: { tenantId: 'acme_matrix' } })
    ).json.adminKey as string;
    // A tenant admin cannot mint operator keys (the platform's role); the bootstrap can.
    for (const role of ALL.filter((r) => r !== 'operator')) {
      otherTenant[role] = (
        await server.request('POST', '/v1/keys', { key: acme, body: { roles: [role] } })
      ).json.key;
    }
  });
  afterAll(async () => server.close());

  const concrete = (path: string) =>
    path
      .replace('{id}', victimKeyId)
      .replace('{subjectId}', subjectId)
      .replace('{type}', 'sspr.Registered');
  const bodyFor = (method: string, path: string): unknown => {
    if (method !== 'POST') return undefined;
    if (path === '/v1/events')
      return [exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() })];
    if (path === '/v1/keys') return { roles: ['reader'] };
    if (path === '/v1/tenants') return { tenantId: `t_${randomUUID().slice(0, 8)}` };
    if (path.startsWith('/v1/subjects/'))
      return { userPrincipalName: 'nobody.matrix@contoso.example' };
    return undefined;
  };

  it('answers as the matrix says on every published route', async () => {
    const doc = (await server.request('GET', '/docs/openapi.json', { key: null })).json;
    const routes: [string, string][] = [];
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops)) routes.push([method.toUpperCase(), path]);
    }
    expect(routes.length).toBeGreaterThanOrEqual(14);
    const failures: string[] = [];
    for (const [method, path] of routes) {
      const roles = allowed(method, path);
      const url = concrete(path);
      for (const [label, key] of [
        ['no key', null],
        ['bad key', 'atk_0000000000000000_' + 'x'.repeat(43)],
        ['garbage', 'Basic abc'],
      ] as const) {
        const r = await request(server.url, method, url, { key, body: bodyFor(method, path) });
        if (r.status !== 401) failures.push(`${method} ${path} with ${label}: ${r.status}`);
        if (!String(r.headers.get('content-type')).includes('application/problem+json'))
          failures.push(`${method} ${path} ${label}: not problem+json`);
      }
      for (const role of ALL) {
        if (method === 'DELETE' && path === '/v1/tenant' && role === 'tenant-admin') continue; // exercised below, then cancelled
        const r = await request(server.url, method, url, {
          key: keys[role],
          body: bodyFor(method, path),
        });
        const expectAllowed = roles.includes(role);
        if (expectAllowed && (r.status === 401 || r.status === 403))
          failures.push(`${method} ${path} as ${role}: ${r.status}, expected allowed`);
        if (!expectAllowed && r.status !== 403)
          failures.push(`${method} ${path} as ${role}: ${r.status}, expected 403`);
        if (r.status >= 500) failures.push(`${method} ${path} as ${role}: ${r.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("never shows another tenant's data: ids of this tenant look unknown (404) to it", async () => {
    expect(
      (await server.request('GET', `/v1/subjects/${subjectId}/events`, { key: otherTenant.reader }))
        .status,
    ).toBe(404);
    expect(
      (await server.request('GET', `/v1/subjects/${subjectId}/events`, { key: keys.reader }))
        .status,
    ).toBe(200);
    expect(
      (
        await server.request('DELETE', `/v1/keys/${victimKeyId}`, {
          key: otherTenant['tenant-admin'],
        })
      ).status,
    ).toBe(404);
    const theirKeys = await server.request('GET', '/v1/keys', { key: otherTenant['tenant-admin'] });
    expect(theirKeys.text).not.toContain(victimKeyId);
    const theirExport = await server.request('POST', '/v1/subjects/export', {
      key: otherTenant['privacy-admin'],
      body: { userPrincipalName: 'matrix.person@contoso.example' },
    });
    expect(theirExport.json.events).toEqual([]);
    expect(theirExport.text).not.toContain(subjectId);
    const theirErase = await server.request('POST', '/v1/subjects/erase', {
      key: otherTenant['privacy-admin'],
      body: { userPrincipalName: 'matrix.person@contoso.example' },
    });
    expect(theirErase.json.events).toBe(0);
    expect(
      (
        await server.request('GET', `/v1/subjects/${subjectId}/events`, {
          key: keys['privacy-admin'],
        })
      ).json.erased,
    ).toBe(false);
    // Scheduling deletion is the tenant-admin's; its own tenant only, and cancellable.
    expect(
      (await server.request('DELETE', '/v1/tenant', { key: otherTenant['tenant-admin'] })).status,
    ).toBe(202);
    expect(
      (await server.request('GET', '/v1/tenant', { key: keys.reader })).json.deletionDueAt,
    ).toBeNull();
    expect(
      (
        await server.request('POST', '/v1/tenant/cancel-deletion', {
          key: otherTenant['tenant-admin'],
        })
      ).status,
    ).toBe(200);
  });

  it('does not let a tenant admin promote itself to operator', async () => {
    const res = await server.request('POST', '/v1/keys', {
      key: otherTenant['tenant-admin'],
      body: { roles: ['operator'] },
    });
    expect(res.status).toBe(403);
    const mine = await server.request('POST', '/v1/keys', {
      key: keys['tenant-admin'],
      body: { roles: ['reader', 'operator'] },
    });
    expect(mine.status).toBe(403);
    // The bootstrap key holds operator and may hand it out.
    expect(
      (await server.request('POST', '/v1/keys', { body: { roles: ['operator'] } })).status,
    ).toBe(201);
  });

  it('records reads of personal data with the caller as actor', async () => {
    const before = await server.request('GET', `/v1/subjects/${subjectId}/events`, {
      key: keys['privacy-admin'],
    });
    expect(before.status).toBe(200);
    const { EVENT_STORE } = await import('@authtrail/event-store');
    const store = server.app.get(EVENT_STORE);
    const access = await store.readStream('t-default-access');
    const reads = access.filter((e: { type: string }) => e.type === ACCESS_EVENT.personalDataRead);
    expect(reads.length).toBeGreaterThan(0);
    const last = JSON.parse(Buffer.from(reads[reads.length - 1].data).toString());
    expect(last.data).toMatchObject({ resource: 'GET /v1/subjects/{subjectId}/events', people: 1 });
    expect(JSON.stringify(last)).not.toContain('matrix.person');
    // Key changes are recorded too.
    expect(access.some((e: { type: string }) => e.type === TENANT_EVENT.apiKeyCreated)).toBe(true);
  });

  it('sends security headers and no stack traces', async () => {
    const r = await server.request('GET', '/v1/keys', { key: keys.reader });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe('per-key rate limits', () => {
  it('answers 429 with Retry-After once a key exceeds its budget, other keys unaffected', async () => {
    const server = await startTestServer({
      AUTHTRAIL_RATE_LIMIT_PER_SECOND: '1',
      AUTHTRAIL_RATE_LIMIT_BURST: '3',
    });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const r = await server.request('GET', '/v1/tenant');
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get('retry-after');
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses[4]).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});

describe('failed credentials', () => {
  it('are limited per client address: a flood of bad keys gets 429, good keys still work', async () => {
    const server = await startTestServer();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 140; i++) {
        statuses.push(
          (
            await server.request('GET', '/v1/tenant', {
              key: `atk_${'0'.repeat(16)}_${'x'.repeat(43)}`,
            })
          ).status,
        );
      }
      expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
      expect(statuses).toContain(429);
      expect((await server.request('GET', '/v1/tenant')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('OIDC bearer tokens', () => {
  let jwks: Server;
  let issuer: string;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let server: TestServer;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration')
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const address = jwks.address();
    issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    server = await startTestServer({ AUTHTRAIL_OIDC_ISSUER: issuer });
  });
  afterAll(async () => {
    await server.close();
    jwks.close();
  });

  const token = (
    claims: Record<string, unknown>,
    opts: { iss?: string; aud?: string; exp?: string } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? 'authtrail')
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(privateKey);

  it('maps claims to tenant and roles, and refuses bad tokens', async () => {
    const good = await token({ authtrail_tenant: 'default', authtrail_roles: ['tenant-admin'] });
    expect((await server.request('GET', '/v1/keys', { key: good })).status).toBe(200);
    const readerOnly = await token({
      authtrail_tenant: 'default',
      authtrail_roles: ['reader', 'root'],
    });
    expect((await server.request('GET', '/v1/keys', { key: readerOnly })).status).toBe(403);
    for (const bad of [
      await token(
        { authtrail_tenant: 'default', authtrail_roles: ['tenant-admin'] },
        { iss: 'http://evil.example' },
      ),
      await token(
        { authtrail_tenant: 'default', authtrail_roles: ['tenant-admin'] },
        { aud: 'other' },
      ),
      await token(
        { authtrail_tenant: 'default', authtrail_roles: ['tenant-admin'] },
        { exp: '-10m' },
      ),
      await token({ authtrail_roles: ['tenant-admin'] }),
      await token({ authtrail_tenant: 'default-x', authtrail_roles: ['tenant-admin'] }),
      await new SignJWT({ authtrail_tenant: 'default', authtrail_roles: ['tenant-admin'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience('authtrail')
        .setSubject('user-1')
        .sign(privateKey), // no expiry
      (await token({ authtrail_tenant: 'default', authtrail_roles: ['tenant-admin'] })).slice(
        0,
        -4,
      ) + 'AAAA',
    ]) {
      expect((await server.request('GET', '/v1/keys', { key: bad })).status).toBe(401);
    }
    // API keys keep working next to OIDC.
    expect((await server.request('GET', '/v1/keys')).status).toBe(200);
  });
});
