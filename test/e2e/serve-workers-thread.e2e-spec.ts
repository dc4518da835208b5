import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patchedExample } from '@authtrail/catalog';
import { request } from '../support/test-server';
import { startServe } from '../support/serve-process';
import { ON_ESDB } from '../support/event-store-under-test';

const NAME = 'wilhelmina.threadbare-41c9@contoso.example';
const DISPLAY = 'Wilhelmina Threadbare';

/** Name and nice value of each thread of a process whose nice value is above 0 (Linux /proc). */
function loweredThreads(pid: number): string[] {
  const out: string[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Field 19 (nice) is the 17th after the name.
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      if (nice > 0) out.push(`${name} ${nice}`);
    } catch {
      // exited meanwhile
    }
  }
  return out.sort();
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `authtrail serve` runs its workers on a thread of their own, which owns the read model's
 * ClickHouse (issue #15); AUTHTRAIL_WORKERS_THREAD=false keeps them on the API's loop.
 * Either way the user sees one product: what is ingested reaches the reports, an erasure
 * reaches them too, the workers report to /metrics and /healthz, and a stop is clean.
 */
describe.each([
  // On EventStoreDB there is no SQLite writer thread for the log.
  [
    'on their own thread (default)',
    {},
    ON_ESDB ? ['MainThread 10'] : ['MainThread 10', 'sqlite-writer 10'],
  ],
  ["on the API's event loop", { AUTHTRAIL_WORKERS_THREAD: 'false' }, []],
])('serve with the workers %s', (_layout, env: Record<string, string>, lowered: string[]) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-layout-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('projects, reports, erases, reports its workers and stops cleanly', async () => {
    const serve = await startServe(dataDir, env);
    try {
      const url = serve.url;
      expect((await request(url, 'POST', '/v1/tenant/opt-in')).status).toBe(200);
      const key = async (roles: string[]) =>
        (await request(url, 'POST', '/v1/keys', { body: { roles } })).json.key as string;
      const producer = await key(['producer']);
      const reader = await key(['reader']);
      const privacyAdmin = await key(['privacy-admin']);

      const events = Array.from({ length: 25 }, () =>
        patchedExample('mfa.AuthenticationAttempted', {
          eventId: randomUUID(),
          target: { userPrincipalName: NAME, displayName: DISPLAY },
        }),
      );
      const posted = await request(url, 'POST', '/v1/events', { key: producer, body: events });
      expect(posted.status).toBe(202);

      // The projector (on whichever thread) reaches ClickHouse; the report reads it.
      const audit = async () =>
        (await request(url, 'GET', '/v1/audit-events?days=7&limit=100', { key: privacyAdmin }))
          .json as { items: { target: { user: string | null; erased: boolean } | null }[] };
      const named = await until('the events in the audit report', async () => {
        const items = (await audit()).items.filter((i) => i.target?.user === DISPLAY);
        return items.length === events.length ? items : null;
      });
      expect(named).toHaveLength(25);

      // With the workers' thread the API's event loop runs at AUTHTRAIL_API_NICE (10), and
      // its SQLite writer (created at the first append, it inherits it); nothing else does:
      // not the workers, their own writer, ClickHouse's threads or libuv's pool, where
      // ClickHouse's queries run.
      if (process.platform === 'linux') expect(loweredThreads(serve.child.pid!)).toEqual(lowered);

      // Mirrored from the workers' thread: lag, statuses.
      const metrics = (await request(url, 'GET', '/metrics', { key: reader })).text;
      expect(metrics).toMatch(/^authtrail_worker_lag_events\{worker="projector"\} 0$/m);
      expect(metrics.match(/^# HELP authtrail_worker_lag_events /gm)).toHaveLength(1);
      expect(metrics).toMatch(/^authtrail_process_cpu_seconds_total /m);
      const health = (await request(url, 'GET', '/healthz')).json;
      expect(health).toMatchObject({ status: 'ok', checks: { workers: 'ok' } });
      const diagnostics = (await request(url, 'GET', '/v1/diagnostics')).json as {
        workers: { all: { worker: string; state: string; lag: number | null }[] };
      };
      expect(diagnostics.workers.all.find((w) => w.worker === 'projector')).toMatchObject({
        state: 'running',
        lag: expect.any(Number),
      });

      // Erasure: the name leaves the report once the projector has passed the erasure.
      const erased = await request(url, 'POST', '/v1/subjects/erase', {
        key: privacyAdmin,
        body: { userPrincipalName: NAME },
      });
      expect(erased.status).toBe(200);
      await until('the erasure in the audit report', async () => {
        const items = (await audit()).items;
        return items.some((i) => i.target?.user === DISPLAY) ? null : items;
      });
      // The erasure's progress, read from the followers' checkpoints (the projector's
      // through whichever thread owns ClickHouse): the read model is done, no SIEM runs.
      const { subjectId } = erased.json as { subjectId: string };
      const progress = await until('the read model done in the erasure', async () => {
        const r = await request(url, 'GET', `/v1/privacy/erasures/${subjectId}`, {
          key: privacyAdmin,
        });
        expect(r.status).toBe(200);
        const view = r.json as { surfaces: { readModel: string } };
        return view.surfaces.readModel === 'done' ? view : null;
      });
      expect(progress).toMatchObject({
        subjectId,
        status: 'erased',
        events: 25,
        surfaces: { keyVault: 'done', readModel: 'done', siem: 'off' },
      });
    } finally {
      serve.child.kill('SIGTERM');
    }
    expect(await serve.exited).toBe(0);
    expect(serve.output()).not.toMatch(/"level":(50|60)/);
  }, 90_000);
});
