import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent } from '@authtrail/catalog';
import { openEventStore } from '../support/event-store-under-test';
import { CLI, runCli, startServe } from '../support/serve-process';
import { BOOTSTRAP_KEY, request } from '../support/test-server';

const fresh = () => mkdtempSync(join(tmpdir(), 'authtrail-cli-'));
const person = { userPrincipalName: 'cli.person-42@contoso.example', displayName: 'Cli Person' };

describe('the authtrail CLI', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('opens the stores itself when no server runs: demo, export, erase', () => {
    expect(existsSync(CLI)).toBe(true);
    const dir = fresh();
    dirs.push(dir);
    const demo = runCli(dir, ['demo', '--people', '5']);
    expect(demo.status).toBe(0);
    expect(JSON.parse(demo.stdout).accepted).toBeGreaterThan(5);

    const file = join(dir, 'events.ndjson');
    writeFileSync(
      file,
      JSON.stringify(
        exampleEvent('sspr.PasswordChanged', {
          eventId: randomUUID(),
          actor: person,
          target: person,
        }),
      ) + '\n',
    );
    expect(runCli(dir, ['ingest', file]).status).toBe(0);

    const exported = runCli(dir, ['export', person.userPrincipalName]);
    expect(exported.status).toBe(0);
    expect(JSON.parse(exported.stdout).events).toHaveLength(1);
    const erased = runCli(dir, ['erase', person.userPrincipalName, '--yes']);
    expect(erased.status).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ events: 1 });
    expect(JSON.parse(runCli(dir, ['export', person.userPrincipalName]).stdout).events).toEqual([]);

    const bad = runCli(dir, ['erase', '   ', '--yes']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('/userPrincipalName');

    // The rebuild says how far, how long, and the CPU it took (the bench reads both).
    const replayed = runCli(dir, ['replay']);
    expect(replayed.status).toBe(0);
    const m = /^replayed the log up to position (\d+) in ([\d.]+) s \(CPU ([\d.]+) s\)$/m.exec(
      replayed.stdout,
    );
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(5);
    expect(Number(m![3])).toBeGreaterThan(0);
  }, 120_000);

  it('goes through the running server that holds the data dir, which needs a key', async () => {
    const dir = fresh();
    dirs.push(dir);
    const server = await startServe(dir);
    try {
      const noKey = runCli(dir, ['keys', 'list']);
      expect(noKey.status).toBe(1);
      expect(noKey.stderr).toContain('a server is running');
      const list = runCli(dir, ['keys', 'list', '--key', BOOTSTRAP_KEY]);
      expect(list.status).toBe(0);
      expect(JSON.parse(list.stdout).items.length).toBeGreaterThan(0);
      const created = runCli(dir, ['keys', 'create', '--roles', 'reader', '--name', 'cli'], {
        AUTHTRAIL_API_KEY: BOOTSTRAP_KEY,
      });
      expect(JSON.parse(created.stdout).roles).toEqual(['reader']);
      // Rotation needs the vault to itself.
      expect(runCli(dir, ['rotate-master-key']).status).toBe(1);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);

  it('loads demo data with the bootstrap key into a running server, and names the role a key lacks', async () => {
    const dir = fresh();
    dirs.push(dir);
    const server = await startServe(dir);
    try {
      // The README's first run: `authtrail demo --key <bootstrap key>` (operator, tenant-admin).
      const demo = runCli(dir, ['demo', '--people', '3', '--days', '3', '--key', BOOTSTRAP_KEY]);
      expect(demo.stderr).toBe('');
      expect(demo.status).toBe(0);
      expect(JSON.parse(demo.stdout).accepted).toBeGreaterThan(3);
      // Its temporary producer key is revoked afterwards.
      const keys = (await request(server.url, 'GET', '/v1/keys')).json.items as {
        name: string;
        revokedAt: string | null;
      }[];
      const temporary = keys.filter((k) => k.name === 'authtrail demo (temporary)');
      expect(temporary).toHaveLength(1);
      expect(temporary[0].revokedAt).not.toBeNull();

      const reader = (
        await request(server.url, 'POST', '/v1/keys', { body: { roles: ['reader'] } })
      ).json.key as string;
      const refused = runCli(dir, ['demo', '--people', '3', '--key', reader]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('needs a key with the role tenant-admin');

      // `/console` (no slash) is where people type: it leads to the console.
      const bare = await fetch(`${server.url}/console?x=1`, { redirect: 'manual' });
      expect(bare.status).toBe(301);
      expect(bare.headers.get('location')).toBe('/console/?x=1');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);

  it('rotates the master key without touching events; data still decrypts afterwards', async () => {
    const dir = fresh();
    dirs.push(dir);
    const file = join(dir, 'one.ndjson');
    writeFileSync(
      file,
      JSON.stringify(
        exampleEvent('sspr.PasswordChanged', {
          eventId: randomUUID(),
          actor: person,
          target: person,
        }),
      ) + '\n',
    );
    expect(runCli(dir, ['tenants', 'opt-in']).status).toBe(0);
    expect(runCli(dir, ['ingest', file]).status).toBe(0);
    const keyBefore = readFileSync(join(dir, 'master.key'), 'utf8');
    const log = async () => {
      const store = openEventStore(dir);
      const all = (await store.readAll({ after: 0, limit: 100_000 })).map(
        (e) => `${e.position}:${e.hash}`,
      );
      await store.close();
      return all;
    };
    const eventsBefore = await log();
    const rotated = runCli(dir, ['rotate-master-key']);
    expect(rotated.status).toBe(0);
    expect(rotated.stdout).toContain('rotated');
    expect(readFileSync(join(dir, 'master.key'), 'utf8')).not.toBe(keyBefore);
    // The log holds exactly what it held before: same events, same bytes (hashes).
    expect(await log()).toEqual(eventsBefore);
    const exported = JSON.parse(runCli(dir, ['export', person.userPrincipalName]).stdout);
    expect(exported.events[0].event.target.userPrincipalName).toBe(person.userPrincipalName);
  }, 120_000);
});

describe('graceful shutdown', () => {
  it('finishes in-flight appends on SIGTERM: every acknowledged batch is stored, the process exits 0', async () => {
    const dir = fresh();
    try {
      const server = await startServe(dir);
      await request(server.url, 'POST', '/v1/tenant/opt-in');
      const producer = (
        await request(server.url, 'POST', '/v1/keys', { body: { roles: ['producer'] } })
      ).json.key as string;
      const acknowledged: string[] = [];
      let stop = false;
      const client = async () => {
        while (!stop) {
          const batch = Array.from({ length: 200 }, () =>
            exampleEvent('mfa.AuthenticationAttempted', { eventId: randomUUID() }),
          );
          try {
            const res = await request(server.url, 'POST', '/v1/events', {
              key: producer,
              body: batch,
            });
            if (res.status === 202) acknowledged.push(...batch.map((e) => e.eventId));
          } catch {
            return;
          }
        }
      };
      const clients = Array.from({ length: 3 }, client);
      await new Promise((r) => setTimeout(r, 800));
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      stop = true;
      await Promise.all(clients);
      expect(acknowledged.length).toBeGreaterThan(0);
      const store = openEventStore(dir);
      const ids = new Set(
        (await store.readAll({ after: 0, limit: 1_000_000 })).map((e) => e.eventId),
      );
      await store.close();
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
      expect(existsSync(join(dir, 'server.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
