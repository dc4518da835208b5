import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { exampleEvent } from '@authtrail/catalog';
import { runCli, startServe } from '../support/serve-process';
import { BOOTSTRAP_KEY, request } from '../support/test-server';

const fresh = () => mkdtempSync(join(tmpdir(), 'authtrail-cli-safety-'));
const person = { userPrincipalName: 'safe.person@contoso.example', displayName: 'Safe Person' };
const STACK_LINE = /\n\s+at .+:\d+:\d+/;

/**
 * A GET on a connection of its own: runCli blocks this process for seconds, long enough
 * for the server to close fetch's idle keep-alive socket unnoticed ("other side closed").
 */
const getJson = (url: string, key: string): Promise<any> =>
  new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(JSON.parse(text)));
    }).on('error', reject);
  });

describe('the CLI acts on the tenant it is told, or refuses', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('with a running server, refuses --tenant that the key cannot act on, and confirms destructive commands', async () => {
    const dir = fresh();
    dirs.push(dir);
    const server = await startServe(dir);
    try {
      const acme = await request(server.url, 'POST', '/v1/tenants', { body: { tenantId: 'acme' } });
      expect(acme.status).toBe(201);
      const acmeKey = acme.json.adminKey as string;
      const state = async (key: string) =>
        (await getJson(`${server.url}/v1/tenant`, key)) as {
          tenantId: string;
          deletionDueAt: string | null;
        };

      // The bootstrap key belongs to `default`: --tenant acme cannot be honoured.
      const wrong = runCli(dir, [
        'tenants',
        'delete',
        '--tenant',
        'acme',
        '--key',
        BOOTSTRAP_KEY,
        '--yes',
      ]);
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toContain('acme');
      expect(wrong.stderr).toContain('default');
      expect(wrong.stderr).not.toMatch(STACK_LINE);
      expect((await state(BOOTSTRAP_KEY)).deletionDueAt).toBeNull();
      expect((await state(acmeKey)).deletionDueAt).toBeNull();

      const report = runCli(dir, ['report', 'resets', '--tenant', 'acme', '--key', BOOTSTRAP_KEY]);
      expect(report.status).toBe(1);
      expect(report.stderr).toContain('acme');

      // A key of the named tenant is honoured.
      const optIn = runCli(dir, ['tenants', 'opt-in', '--tenant', 'acme', '--key', acmeKey]);
      expect(optIn.status).toBe(0);
      expect(JSON.parse(optIn.stdout)).toMatchObject({ tenantId: 'acme', optedIn: true });

      // Destructive commands ask first; without a terminal to ask on, they need --yes.
      const unconfirmed = runCli(dir, ['tenants', 'delete', '--key', acmeKey]);
      expect(unconfirmed.status).toBe(1);
      expect(unconfirmed.stderr).toContain('--yes');
      expect((await state(acmeKey)).deletionDueAt).toBeNull();
      const confirmed = runCli(dir, [
        'tenants',
        'delete',
        '--tenant',
        'acme',
        '--key',
        acmeKey,
        '--yes',
      ]);
      expect(confirmed.status).toBe(0);
      expect(JSON.parse(confirmed.stdout)).toMatchObject({ tenantId: 'acme' });
      expect((await state(acmeKey)).deletionDueAt).not.toBeNull();
      expect((await state(BOOTSTRAP_KEY)).deletionDueAt).toBeNull();
    } catch (error) {
      throw new Error(`${(error as Error).message}\nserver output: ${server.output()}`);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 180_000);

  it('without a server, acts on the named tenant, refuses an unknown one, and asks before erasing', () => {
    const dir = fresh();
    dirs.push(dir);
    expect(runCli(dir, ['tenants', 'create', 'acme']).status).toBe(0);
    const unknown = runCli(dir, ['tenants', 'opt-in', '--tenant', 'nosuch']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('nosuch');
    expect(unknown.stderr).not.toMatch(STACK_LINE);

    const optIn = runCli(dir, ['tenants', 'opt-in', '--tenant', 'acme']);
    expect(optIn.status).toBe(0);
    expect(JSON.parse(optIn.stdout)).toMatchObject({ tenantId: 'acme', optedIn: true });

    const file = join(dir, 'one.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify(exampleEvent('sspr.PasswordChanged', { eventId: randomUUID(), actor: person, target: person }))}\n`,
    );
    expect(runCli(dir, ['ingest', file, '--tenant', 'acme']).status).toBe(0);
    // `default` never opted in: the event went to acme.
    expect(runCli(dir, ['ingest', file]).status).toBe(1);

    const unconfirmed = runCli(dir, ['erase', person.userPrincipalName, '--tenant', 'acme']);
    expect(unconfirmed.status).toBe(1);
    expect(unconfirmed.stderr).toContain('--yes');
    const exported = runCli(dir, ['export', person.userPrincipalName, '--tenant', 'acme']);
    expect(JSON.parse(exported.stdout).events).toHaveLength(1);
    const erased = runCli(dir, ['erase', person.userPrincipalName, '--tenant', 'acme', '--yes']);
    expect(erased.status).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ events: 1 });
  }, 180_000);
});

describe('authtrail ingest', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('sends a large file in batches the server accepts, and names bad events by their place in the file', () => {
    const dir = fresh();
    dirs.push(dir);
    expect(runCli(dir, ['tenants', 'opt-in']).status).toBe(0);
    const events = Array.from({ length: 2500 }, (_, i) =>
      exampleEvent('mfa.AuthenticationAttempted', {
        eventId: randomUUID(),
        target: { userPrincipalName: `p${i % 50}@contoso.example` },
      }),
    );
    const ndjson = join(dir, 'big.ndjson');
    writeFileSync(ndjson, `${events.map((e) => JSON.stringify(e)).join('\n')}\n\n`);
    const r = runCli(dir, ['ingest', ndjson]);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: 2500, duplicates: 0, batches: 3 });

    // The same events again as one JSON array: stored once.
    const array = join(dir, 'big.json');
    writeFileSync(array, JSON.stringify(events.slice(0, 1200)));
    const again = runCli(dir, ['ingest', array]);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, duplicates: 1200, batches: 2 });

    // Event 1500 of the file is bad: the first batch is kept, the error names index 1500.
    const bad = events.map((e) => ({ ...e, eventId: randomUUID() }));
    bad[1500] = { ...bad[1500], type: 'mfa.NoSuchType' };
    const badFile = join(dir, 'bad.ndjson');
    writeFileSync(badFile, bad.map((e) => JSON.stringify(e)).join('\n'));
    const failed = runCli(dir, ['ingest', badFile]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('"index": 1500');
    expect(failed.stderr).toContain('1000 events of');
    expect(failed.stderr).not.toMatch(STACK_LINE);
  }, 180_000);

  it('reports a missing or unreadable file in one line', () => {
    const dir = fresh();
    dirs.push(dir);
    const missing = runCli(dir, ['ingest', join(dir, 'nope.ndjson')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('nope.ndjson');
    expect(missing.stderr).not.toMatch(STACK_LINE);
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '[{"eventId": ');
    const broken = runCli(dir, ['ingest', notJson]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('broken.json');
    expect(broken.stderr).not.toMatch(STACK_LINE);
  }, 120_000);
});

describe('authtrail verify --tenant', () => {
  it('fails for a tenant the log does not hold, instead of passing over 0 events', () => {
    const dir = fresh();
    try {
      expect(runCli(dir, ['tenants', 'opt-in']).status).toBe(0);
      const known = runCli(dir, ['verify', '--tenant', 'default']);
      expect(known.status).toBe(0);
      expect(known.stdout).toContain('OK');
      const unknown = runCli(dir, ['verify', '--tenant', 'defualt']);
      expect(unknown.status).toBe(1);
      expect(unknown.stdout + unknown.stderr).toContain('defualt');
      expect(unknown.stdout).not.toContain('OK');
      expect(unknown.stderr).toContain('no tenant "defualt"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a misspelt variable', () => {
  it('stops authtrail serve, naming the closest valid one', () => {
    const dir = fresh();
    try {
      const r = runCli(dir, ['serve'], { AUTHTRAIL_PROT: '9090' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('AUTHTRAIL_PROT: unknown variable: did you mean AUTHTRAIL_PORT?');
      expect(r.stderr).not.toMatch(STACK_LINE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
