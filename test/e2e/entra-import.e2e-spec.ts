import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProducerEvent } from '@authtrail/catalog';
import { mapEntraBatch } from '@authtrail/entra';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { csvFixture, graphFixtureRecords, shiftBy, shiftCsv } from '../support/entra-fixtures';
import { spawn } from 'node:child_process';
import { CLI, runCli } from '../support/serve-process';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

const HOUR = 3_600_000;

/** The built CLI against a server of this process (spawnSync would block that server). */
function cliAgainst(
  url: string,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--url', url], {
      env: { ...process.env, AUTHTRAIL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const DAY = 24 * HOUR;

/**
 * The "done when": a mixed Entra download (SSPR records of every activity, other
 * services, a malformed record) imported with `authtrail import-entra`, the reports
 * answering from it (expected answers computed here from the mapped events with API.md's
 * definitions), and a re-import storing nothing new.
 */
describe('authtrail import-entra: a mixed portal download, then the reports', () => {
  const now = new Date();
  const records = shiftBy(graphFixtureRecords(), new Date(now.getTime() - HOUR));
  const events: ProducerEvent[] = mapEntraBatch(records).events.map((m) => m.event);
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-entra-'));
  const file = join(dir, 'AuditLogs_2026-12-02.json');
  writeFileSync(file, JSON.stringify(records, null, 2));

  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let running: RunningProjector;
  let first: { status: number | null; stdout: string; stderr: string };
  let second: { status: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    expect(runCli(dir, ['tenants', 'opt-in']).status).toBe(0);
    first = runCli(dir, ['import-entra', file]);
    second = runCli(dir, ['import-entra', file, '--batch', '7']);
    server = await startTestServer({}, { dataDir: dir });
    keys = await prepareTenant(server);
    running = await startProjector(server.app);
    await running.projector.waitForHead(60_000);
  }, 240_000);

  afterAll(async () => {
    await running?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const res = await server.request('GET', path, { key: keys.privacyAdmin });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
    return res.json;
  };
  const from = new Date(now.getTime() - 30 * DAY).toISOString();
  const to = new Date(now.getTime() + 60_000).toISOString();
  const win = `from=${from}&to=${to}`;
  const ok = (e: ProducerEvent) => e.result.status === 'Success';
  const sort = <T>(xs: T[], key: (x: T) => string): T[] =>
    [...xs].sort((a, b) => key(a).localeCompare(key(b)));

  it('imports the SSPR records, counts the other services, names the malformed record and its field', () => {
    expect(events.length).toBe(15);
    expect(new Set(events.map((e) => e.type)).size).toBe(8);
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      received: 19,
      accepted: 15,
      duplicates: 0,
      skipped: 3,
      rejected: 1,
      skippedBy: {
        'other-service': { 'Core Directory': 1, 'Self-service Group Management': 1 },
        'other-activity': { 'Security info saved for self-service password reset': 1 },
      },
    });
    expect(summary.errors).toEqual([
      { index: 18, path: '/activityDateTime', message: 'expected an ISO-8601 date and time' },
    ]);
    expect(first.stderr).toContain('1 of 19 records were not imported');
  });

  it('stores nothing new when the same file is imported again, in other batches', async () => {
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      received: 19,
      accepted: 0,
      duplicates: 15,
      rejected: 1,
    });
    const audit = await get(`/v1/audit-events?service=sspr&limit=1000&${win}`);
    expect(
      sort(
        audit.items.map((a: any) => a.eventId),
        (x: string) => x,
      ),
    ).toEqual(
      sort(
        events.map((e) => e.eventId),
        (x) => x,
      ),
    );
  });

  it('answers the registration reports from the import', async () => {
    const latest = new Map<string, ProducerEvent>();
    for (const e of events.filter((x) => x.type === 'sspr.Registered'))
      if (
        !latest.has(e.target!.userPrincipalName) ||
        e.occurredAt > latest.get(e.target!.userPrincipalName)!.occurredAt
      )
        latest.set(e.target!.userPrincipalName, e);
    const registered = [...latest.values()].filter(ok);
    expect(registered.length).toBe(2);
    expect(await get('/v1/reports/sspr/registered-count')).toEqual({ count: registered.length });
    const methods = (await get('/v1/reports/sspr/registered-methods')).items;
    const bySet = new Map<string, number>();
    for (const e of registered) {
      const k = [...(e.details!.methods as string[])].sort().join('+');
      bySet.set(k, (bySet.get(k) ?? 0) + 1);
    }
    expect(
      sort(
        methods.map((m: any) => ({ methods: [...m.methods].sort(), users: m.users })),
        (m: any) => m.methods.join('+'),
      ),
    ).toEqual(
      sort(
        [...bySet].map(([k, users]) => ({ methods: k.split('+'), users })),
        (m) => m.methods.join('+'),
      ),
    );
  });

  it('answers resets, reset methods, problems and suspicious activity from the import', async () => {
    const resets = events.filter(
      (e) =>
        (e.type === 'sspr.PasswordResetSelfService' || e.type === 'sspr.PasswordResetByAdmin') &&
        ok(e),
    );
    expect(await get('/v1/reports/sspr/resets?days=7')).toMatchObject({
      users: new Set(resets.map((e) => e.target!.userPrincipalName)).size,
      resets: resets.length,
      selfService: resets.filter((e) => e.type === 'sspr.PasswordResetSelfService').length,
      byAdmin: resets.filter((e) => e.type === 'sspr.PasswordResetByAdmin').length,
    });
    const methodCounts = new Map<string, number>();
    for (const e of resets.filter((x) => x.type === 'sspr.PasswordResetSelfService'))
      for (const m of e.details!.methods as string[])
        methodCounts.set(m, (methodCounts.get(m) ?? 0) + 1);
    expect(
      sort((await get(`/v1/reports/sspr/reset-methods?${win}`)).items, (x: any) => x.method),
    ).toEqual(
      sort(
        [...methodCounts].map(([method, count]) => ({ method, count })),
        (x) => x.method,
      ),
    );

    const problems = new Map<string, number>();
    for (const e of events.filter((x) => x.result.status === 'Failure')) {
      const k = `${e.type}|${e.result.reason ?? ''}`;
      problems.set(k, (problems.get(k) ?? 0) + 1);
    }
    expect(
      sort(
        (await get(`/v1/reports/sspr/problems?${win}`)).items,
        (x: any) => `${x.type}|${x.reason}`,
      ),
    ).toEqual(
      sort(
        [...problems].map(([k, count]) => ({
          type: k.split('|')[0],
          reason: k.split('|')[1] || null,
          count,
        })),
        (x) => `${x.type}|${x.reason}`,
      ),
    );
    // Alex was blocked (the record Entra logged without an initiator).
    const suspicious = (await get(`/v1/reports/sspr/suspicious?${win}`)).items;
    expect(suspicious.map((s: any) => [s.signal, s.user, s.count])).toEqual([
      ['blocked', 'Alex Wilber', 1],
    ]);
  });

  it('answers the policy-changes report (API, CSV, CLI) from the imported policy-change record', async () => {
    const changed = events
      .filter((e) => e.type === 'sspr.PolicyChanged')
      .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
    expect(changed.length).toBeGreaterThan(0);
    type Change = { property: string; oldValue?: string; newValue?: string };
    const answer = await get(`/v1/reports/sspr/policy-changes?${win}`);
    expect(answer.nextCursor).toBeNull();
    expect(
      answer.items.map((i: any) => ({
        changedAt: i.changedAt,
        user: i.user,
        status: i.status,
        reason: i.reason,
        policy: i.policy,
        changes: i.changes,
      })),
    ).toEqual(
      changed.map((e) => ({
        changedAt: new Date(e.occurredAt).toISOString(),
        user: e.actor!.displayName,
        status: e.result.status,
        reason: e.result.reason ?? null,
        policy: (e.details!.policy as string | undefined) ?? null,
        changes: (e.details!.changes as Change[]).map((c) => ({
          property: c.property,
          oldValue: c.oldValue ?? null,
          newValue: c.newValue ?? null,
        })),
      })),
    );
    const settings = (e: ProducerEvent) => (e.details!.changes as Change[]).map((c) => c.property);
    expect(settings(changed[0])).toContain('NumberOfAuthenticationMethodsRequired');

    // A reader sees the admin as a subject id; the CSV has one readable row per change.
    const asReader = await server.request('GET', `/v1/reports/sspr/policy-changes?${win}`, {
      key: keys.reader,
    });
    expect(asReader.json.items.map((i: any) => i.user)).toEqual(
      answer.items.map((i: any) => i.subjectId),
    );
    expect(asReader.text).not.toContain(changed[0].actor!.displayName!);
    const csv = await server.request('GET', `/v1/reports/sspr/policy-changes?${win}&format=csv`, {
      key: keys.privacyAdmin,
    });
    // The `#` lines above the header record the report, window and filters.
    const lines = csv.text
      .trimEnd()
      .split(/\r?\n/)
      .filter((l) => !l.startsWith('#'));
    expect(csv.text).toMatch(/^# authtrail sspr\/policy-changes/);
    expect(lines[0]).toBe(
      'eventId,changedAt,user,subjectId,erased,role,status,reason,policy,changes',
    );
    expect(lines).toHaveLength(changed.length + 1);
    for (const p of settings(changed[0])) expect(lines[1]).toContain(`${p}: `);

    // The registry lists it, and the CLI prints it by service and name.
    const registry = (await get('/v1/reports')).items.map((r: any) => r.path);
    expect(registry).toContain('/v1/reports/sspr/policy-changes');
    const cli = await cliAgainst(server.url, [
      'report',
      'sspr',
      'policy-changes',
      '--key',
      keys.reader,
      '--days',
      '30',
    ]);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('NumberOfAuthenticationMethodsRequired');
    expect(cli.stdout).toContain(answer.items[0].subjectId);
  }, 60_000);

  it('imports the CSV download of the same log into another tenant, and again as duplicates', async () => {
    const csvFile = join(dir, 'AuditLogs_2026-12-02.csv');
    writeFileSync(csvFile, shiftCsv(csvFixture(), new Date(now.getTime() - HOUR)));
    const created = await server.request('POST', '/v1/tenants', {
      body: { tenantId: 'csv_import' },
    });
    expect(created.status).toBe(201);
    const admin = created.json.adminKey as string;
    expect((await server.request('POST', '/v1/tenant/opt-in', { key: admin })).status).toBe(200);
    const producer = (
      await server.request('POST', '/v1/keys', { key: admin, body: { roles: ['producer'] } })
    ).json.key as string;
    // The server holds the data dir now: the CLI speaks to it with a key, as a user would.
    const once = await cliAgainst(server.url, ['import-entra', csvFile, '--key', producer]);
    expect(once.stderr).toContain('1 of 19 records were not imported');
    expect(JSON.parse(once.stdout)).toMatchObject({
      received: 19,
      accepted: 15,
      skipped: 3,
      rejected: 1,
    });
    const twice = await cliAgainst(server.url, ['import-entra', csvFile, '--key', producer]);
    expect(JSON.parse(twice.stdout)).toMatchObject({ accepted: 0, duplicates: 15 });
  }, 60_000);

  it('says clearly when the file is missing or is not an Entra log, without a stack trace', () => {
    const missing = runCli(dir, ['import-entra', join(dir, 'nope.json')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`authtrail: ${join(dir, 'nope.json')}: no such file\n`);
    const notLog = join(dir, 'people.csv');
    writeFileSync(notLog, 'Name,Email\nKim,kim@contoso.com\n');
    const wrong = runCli(dir, ['import-entra', notLog]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('not an Entra audit log download: missing columns');
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('POST /v1/sources/entra/records', () => {
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  const records = shiftBy(graphFixtureRecords(), new Date(Date.now() - HOUR));

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
  }, 60_000);
  afterAll(async () => server?.close());

  it('takes either shape, mixed, per record: the good ones stored, the bad one named', async () => {
    const envelopes = records.slice(0, 8).map((p) => ({
      time: p.activityDateTime,
      operationName: p.activityDisplayName,
      category: 'AuditLogs',
      tenantId: '4bbb79f7-5724-4c9e-95f3-de075f6ec090',
      properties: p,
    }));
    const body = [...envelopes, ...records.slice(8)];
    const res = await server.request('POST', '/v1/sources/entra/records', {
      key: keys.producer,
      body,
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      received: 19,
      accepted: 15,
      duplicates: 0,
      skipped: 3,
      rejected: 1,
    });
    expect(res.json.errors).toEqual([
      { index: 18, path: '/activityDateTime', message: 'expected an ISO-8601 date and time' },
    ]);
    const again = await server.request('POST', '/v1/sources/entra/records', {
      key: keys.producer,
      body: { records: body },
    });
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 15 });
  });

  it('reports a record the catalog refuses (past retention) against its own field', async () => {
    const old = structuredClone(records[0]);
    old.id = 'old-record';
    old.activityDateTime = new Date(Date.now() - 400 * DAY).toISOString();
    const fresh = structuredClone(records[1]);
    fresh.id = 'fresh-record';
    const res = await server.request('POST', '/v1/sources/entra/records', {
      key: keys.producer,
      body: [old, fresh],
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.json.errors).toHaveLength(1);
    expect(res.json.errors[0]).toMatchObject({ index: 0, path: '/activityDateTime' });
  });

  it('answers 422 problem+json naming each record and field when nothing is usable', async () => {
    const bad = [
      { ...records[0], activityDateTime: 'soon' },
      { ...records[1], result: 'perhaps' },
    ];
    const res = await server.request('POST', '/v1/sources/entra/records', {
      key: keys.producer,
      body: bad,
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json.errors).toEqual([
      { index: 0, path: '/activityDateTime', message: 'expected an ISO-8601 date and time' },
      { index: 1, path: '/result', message: 'expected success, failure or timeout' },
    ]);
    const notBatch = await server.request('POST', '/v1/sources/entra/records', {
      key: keys.producer,
      body: { hello: 'world' },
    });
    expect(notBatch.status).toBe(422);
    expect(notBatch.json.code).toBe('ENTRA.NOT_A_BATCH');
    const reader = await server.request('POST', '/v1/sources/entra/records', {
      key: keys.reader,
      body: records,
    });
    expect(reader.status).toBe(403);
  });

  it('counts a batch of other services only as skipped (never an error)', async () => {
    const others = records.filter((r) => r.loggedByService !== 'Self-service Password Management');
    const res = await server.request('POST', '/v1/sources/entra/records', {
      key: keys.producer,
      body: others,
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      received: 2,
      accepted: 0,
      skipped: 2,
      rejected: 0,
      errors: [],
    });
  });
});
