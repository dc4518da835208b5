import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent } from '@authtrail/catalog';
import { startServe } from '../support/serve-process';
import { request } from '../support/test-server';

/**
 * Every metric `authtrail serve` exposes (HTTP, ingest, the workers, Node's defaults) passes
 * Prometheus' own linter, `promtool check metrics`, without a warning. promtool is Debian's
 * package `prometheus`; `.ci/run` installs it, and this test fails saying so where it is missing.
 */
const promtool = (): string => {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(
      'promtool is not installed: `apt-get install prometheus` (Debian) gives it; .ci/run installs it',
    );
  }
  return found.stdout.trim();
};

describe('/metrics of a running server', () => {
  it('passes promtool check metrics with no warning', async () => {
    const bin = promtool();
    const dir = mkdtempSync(join(tmpdir(), 'authtrail-metrics-'));
    const server = await startServe(dir);
    try {
      await request(server.url, 'POST', '/v1/tenant/opt-in');
      const producer = (
        await request(server.url, 'POST', '/v1/keys', { body: { roles: ['producer'] } })
      ).json.key as string;
      const ok = exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() });
      expect(
        (await request(server.url, 'POST', '/v1/events', { key: producer, body: [ok] })).status,
      ).toBe(202);
      // A refused request and a duplicate too, so their series exist.
      await request(server.url, 'POST', '/v1/events', { key: producer, body: [{}] });
      await request(server.url, 'POST', '/v1/events', { key: producer, body: [ok] });
      await new Promise((r) => setTimeout(r, 1500)); // the workers report their lag
      const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
      expect(metrics).toContain('authtrail_events_accepted_total');
      expect(metrics).toContain('authtrail_worker_lag_events');
      let out = '';
      try {
        out = execFileSync(bin, ['check', 'metrics'], {
          input: metrics,
          encoding: 'utf8',
          stdio: 'pipe',
        });
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string };
        out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
      }
      expect(out.trim()).toBe('');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
