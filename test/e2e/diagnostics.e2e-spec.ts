import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventCatalog, PRIVACY_EVENT, ProducerEvent } from '@authtrail/catalog';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { demoEvents } from '../../apps/cli/src/commands/demo-data';
import { CLI, runCli } from '../support/serve-process';
import { BOOTSTRAP_KEY, TestServer, prepareTenant, startTestServer } from '../support/test-server';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
  version: string;
};

/** Every personal value of every person in these events, as the catalog defines personal. */
function personalValues(events: readonly ProducerEvent[]): Set<string> {
  const catalog = EventCatalog.default();
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.length >= 3) out.add(v.toLowerCase());
    else if (Array.isArray(v)) v.forEach(add);
    else if (v && typeof v === 'object') Object.values(v).forEach(add);
  };
  for (const e of events) {
    const { personal } = catalog.split(e);
    add(personal.actor);
    add(personal.target);
  }
  return out;
}

/**
 * The support bundle (`GET /v1/diagnostics`, `authtrail diagnostics`): what it holds, who
 * may get it, and that it is pseudonymous: no personal value of any stored person in it,
 * even after requests that carried names failed.
 */
describe('diagnostics bundle', () => {
  const events = demoEvents({ people: 40, days: 20, now: new Date(), seed: 5 });
  const personal = personalValues(events);
  const victim = events.find((e) => e.type === 'sspr.Registered')!.target!.userPrincipalName;
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let projector: RunningProjector;
  let bundle: any;
  let text: string;

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
    for (let i = 0; i < events.length; i += 1000) {
      const r = await server.request('POST', '/v1/events', {
        key: keys.producer,
        body: events.slice(i, i + 1000),
      });
      if (r.status !== 202) throw new Error(`ingest: ${r.status} ${r.text}`);
    }
    // Failures whose requests carry names: in the URL, in the body, in a rejected event.
    const failing: [string, string, string, unknown][] = [
      ['GET', '/v1/reports/sspr/no-such-report', keys.reader, undefined],
      ['GET', `/v1/audit-events?actor=${encodeURIComponent(victim)}`, keys.reader, undefined],
      [
        'POST',
        '/v1/subjects/erase',
        keys.privacyAdmin,
        { userPrincipalName: victim, note: victim },
      ],
      ['POST', '/v1/events', keys.producer, [{ ...events[0], type: 'sspr.Nope' }]],
    ];
    for (const [method, path, key, body] of failing) {
      const r = await server.request(method, path, { key, body });
      if (r.status < 400) throw new Error(`${method} ${path} did not fail: ${r.status}`);
    }
    const erased = await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: victim },
    });
    expect(erased.json.events).toBeGreaterThan(0);
    projector = await startProjector(server.app);
    await projector.projector.waitForHead(60_000);
    const r = await server.request('GET', '/v1/diagnostics');
    expect(r.status).toBe(200);
    bundle = r.json;
    text = r.text;
  }, 120_000);

  afterAll(async () => {
    await projector?.stop();
    await server?.close();
  });

  it('is for tenant-admin only', async () => {
    for (const key of [keys.reader, keys.privacyAdmin, keys.producer])
      expect((await server.request('GET', '/v1/diagnostics', { key })).status).toBe(403);
    expect((await server.request('GET', '/v1/diagnostics', { key: null })).status).toBe(401);
  });

  it('tells the version, the configuration without secrets and the health of each store', () => {
    expect(bundle.build).toMatchObject({
      name: 'authtrail',
      version: pkg.version,
      node: process.version,
    });
    expect(bundle.config.dataDir).toBe(server.dataDir);
    expect(bundle.config.bootstrapKey).toBe('***');
    expect(text).not.toContain(BOOTSTRAP_KEY);
    const masterKey = readFileSync(join(server.dataDir, 'master.key'), 'utf8').trim();
    expect(masterKey.length).toBeGreaterThan(40);
    expect(text).not.toContain(masterKey);
    expect(bundle.stores).toEqual({
      eventStore: expect.objectContaining({ status: 'ok' }),
      keyVault: expect.objectContaining({ status: 'ok' }),
      readModel: expect.objectContaining({ status: 'ok' }),
    });
  });

  it('tells how far each worker is behind the log', () => {
    expect(bundle.log.headPosition).toBeGreaterThan(events.length);
    expect(bundle.workers.lags).toEqual([
      { worker: 'projector', state: 'running', position: bundle.log.headPosition, lag: 0 },
      { worker: 'forwarder', state: 'off', position: null, lag: null },
    ]);
  });

  it("counts the tenant's own events by type", () => {
    const expected = new Map<string, number>();
    for (const e of events) expected.set(e.type, (expected.get(e.type) ?? 0) + 1);
    for (const [type, n] of expected)
      expect([type, bundle.eventCounts.byType[type]]).toEqual([type, n]);
    expect(bundle.eventCounts.byType[PRIVACY_EVENT.erased]).toBe(1);
    expect(bundle.eventCounts.complete).toBe(true);
    expect(bundle.eventCounts.total).toBe(
      Object.values<number>(bundle.eventCounts.byType).reduce((a, b) => a + b, 0),
    );
  });

  it('lists recent errors by code and route template, never what the request carried', () => {
    const seen = bundle.recentErrors.items.map((e: any) => [
      e.status,
      e.code,
      `${e.method} ${e.route}`,
    ]);
    expect(seen).toEqual(
      expect.arrayContaining([
        [404, 'REPORT.NOT_FOUND', 'GET /v1/reports/sspr/:report'],
        [403, 'REPORT.NAME_FILTER_FORBIDDEN', 'GET /v1/audit-events'],
        [422, 'SUBJECT.INVALID', 'POST /v1/subjects/erase'],
        [422, expect.stringMatching(/^[A-Z]+\.[A-Z_]+$/), 'POST /v1/events'],
      ]),
    );
    for (const e of bundle.recentErrors.items)
      expect(Object.keys(e).sort()).toEqual([
        'at',
        'code',
        'method',
        'requestId',
        'route',
        'status',
        'tenantId',
      ]);
  });

  it('holds no personal field of any stored person (pseudonymous only)', async () => {
    expect(personal.size).toBeGreaterThan(80);
    expect(personal.has(victim.toLowerCase())).toBe(true);
    const found = (s: string) => [...personal].filter((v) => s.toLowerCase().includes(v));
    expect(found(text)).toEqual([]);
    // The same search does find them where they belong: in a person's export.
    const someone = events.find((e) => e.target && e.target.userPrincipalName !== victim)!.target!;
    const exported = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: someone.userPrincipalName },
    });
    expect(found(exported.text)).toContain(someone.userPrincipalName.toLowerCase());
  });

  it("shows another tenant's admin neither this tenant's counts nor its errors", async () => {
    const acme = (await server.request('POST', '/v1/tenants', { body: { tenantId: 'acme_diag' } }))
      .json.adminKey;
    const other = (await server.request('GET', '/v1/diagnostics', { key: acme })).json;
    expect(other.tenantId).toBe('acme_diag');
    expect(Object.keys(other.eventCounts.byType).some((t: string) => /^(sspr|mfa)\./.test(t))).toBe(
      false,
    );
    expect(other.recentErrors.items).toEqual([]);
    // The deployment's configuration is for operators, not for every tenant admin.
    expect(other.config).toEqual({ shownTo: 'operator' });
    expect(other.recentErrors.otherCount).toBeGreaterThanOrEqual(4);
  });

  it('`authtrail diagnostics` prints the same bundle from the CLI', () => {
    expect(existsSync(CLI)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'authtrail-diag-'));
    try {
      expect(runCli(dir, ['demo', '--people', '5']).status).toBe(0);
      const out = join(dir, 'bundle.json');
      const r = runCli(dir, ['diagnostics', '--out', out]);
      expect(r.status).toBe(0);
      const cli = JSON.parse(readFileSync(out, 'utf8'));
      expect(cli.build.version).toBe(pkg.version);
      expect(cli.tenantId).toBe('default');
      expect(cli.eventCounts.byType['sspr.Registered']).toBe(5);
      expect(cli.config.bootstrapKey).toBe('***');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
