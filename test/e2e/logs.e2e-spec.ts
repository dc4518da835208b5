import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent } from '@authtrail/catalog';
import { leaseForProcess } from '../support/event-store-under-test';
import { CLI, runCli } from '../support/serve-process';
import { BOOTSTRAP_KEY, request, startTestServer } from '../support/test-server';

interface LogLine {
  level: number;
  msg: string;
  route?: string;
  context?: string;
  tenantId?: string;
  [k: string]: unknown;
}

const INFO = 30;
const parseLines = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${l}`);
      }
    });

describe('logs', () => {
  it('hold no route-mapping noise at info, no access lines for /metrics and /healthz, and a line for tenant deletion', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'authtrail-logs-')), 'log.ndjson');
    const server = await startTestServer({ AUTHTRAIL_TENANT_DELETION_GRACE: '0' }, { logFile });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await server.request('GET', '/healthz', { key: null })).status).toBe(200);
        expect((await server.request('GET', '/metrics', { key: null })).status).toBe(200);
      }
      expect((await server.request('GET', '/v1/tenant')).status).toBe(200);
      const acme = await server.request('POST', '/v1/tenants', { body: { tenantId: 'acme' } });
      const deleted = await server.request('DELETE', '/v1/tenant', { key: acme.json.adminKey });
      expect(deleted.json).toMatchObject({ deleted: true });
    } finally {
      await server.close();
    }
    const lines = parseLines(readFileSync(logFile, 'utf8'));
    const framework = lines.filter((l) =>
      ['RoutesResolver', 'RouterExplorer', 'InstanceLoader'].includes(String(l.context)),
    );
    expect(framework.length).toBeGreaterThan(0);
    expect(framework.filter((l) => l.level >= INFO)).toEqual([]);
    const access = lines.filter((l) => l.msg === 'request');
    expect(access.map((l) => l.route)).toContain('/v1/tenant');
    expect(access.filter((l) => l.route === '/healthz' || l.route === '/metrics')).toEqual([]);
    const deletion = lines.filter((l) => l.level >= INFO && /tenant deleted/.test(l.msg));
    expect(deletion).toEqual([
      expect.objectContaining({ tenantId: 'acme', keyId: expect.any(String) }),
    ]);
  }, 60_000);

  it('of authtrail serve are JSON lines on stdout; only the bootstrap key goes to stderr, as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authtrail-logs-serve-'));
    const log = leaseForProcess(dir, { sync: false });
    try {
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('AUTHTRAIL_')),
      );
      const child = spawn(process.execPath, [CLI, 'serve'], {
        env: {
          ...env,
          ...log.env,
          AUTHTRAIL_DATA_DIR: dir,
          AUTHTRAIL_PORT: '0',
          AUTHTRAIL_HOST: '127.0.0.1',
          AUTHTRAIL_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start: ${stdout}${stderr}`)), 30_000);
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /listening on http:\/\/[^:]+:(\d+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(`http://127.0.0.1:${m[1]}`);
          }
        });
      });
      const key = /(atk_[A-Za-z0-9_-]+)/.exec(stderr)?.[1];
      expect(key).toBeDefined();
      expect((await request(url, 'GET', '/v1/tenant', { key })).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);

      const lines = parseLines(stdout);
      expect(lines.map((l) => l.msg)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^authtrail listening on http:/),
          expect.stringMatching(/^stopping/),
          'stopped',
        ]),
      );
      // The key is never logged; stderr holds the first-start notice and nothing else.
      expect(stdout).not.toContain(key);
      expect(stderr).toContain('shown only now');
      expect(stderr).not.toMatch(/^\{/m);
    } finally {
      await log.release();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('stopping authtrail serve seals what is pending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authtrail-seal-stop-'));
    const log = leaseForProcess(dir, { sync: false });
    try {
      expect(runCli(dir, ['tenants', 'opt-in']).status).toBe(0);
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('AUTHTRAIL_')),
      );
      const child = spawn(process.execPath, [CLI, 'serve'], {
        env: {
          ...env,
          ...log.env,
          AUTHTRAIL_DATA_DIR: dir,
          AUTHTRAIL_PORT: '0',
          AUTHTRAIL_HOST: '127.0.0.1',
          AUTHTRAIL_BOOTSTRAP_KEY: BOOTSTRAP_KEY,
          // Far longer than the test: only the stop can seal.
          AUTHTRAIL_SEAL_INTERVAL_MS: '3600000',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
      let stdout = '';
      const url = await new Promise<string>((resolve) =>
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /listening on http:\/\/[^:]+:(\d+)/.exec(stdout);
          if (m) resolve(`http://127.0.0.1:${m[1]}`);
        }),
      );
      const producer = (
        await request(url, 'POST', '/v1/keys', {
          key: BOOTSTRAP_KEY,
          body: { roles: ['producer'] },
        })
      ).json.key as string;
      const events = Array.from({ length: 20 }, () =>
        exampleEvent('mfa.AuthenticationAttempted', { eventId: randomUUID() }),
      );
      expect(
        (await request(url, 'POST', '/v1/events', { key: producer, body: events })).status,
      ).toBe(202);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const verify = runCli(dir, ['verify', '--json']);
      expect(verify.status).toBe(0);
      const report = JSON.parse(verify.stdout) as {
        tenants: { tenantId: string; unsealedEvents: number; sealedEvents: number }[];
      };
      expect(report.tenants).toEqual([
        expect.objectContaining({ tenantId: 'default', unsealedEvents: 0 }),
      ]);
      expect(report.tenants[0].sealedEvents).toBeGreaterThanOrEqual(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
