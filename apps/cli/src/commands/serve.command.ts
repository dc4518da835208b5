import { AppConfig } from '@authtrail/config';
import { ErasureRecovery } from '@authtrail/privacy';
import { BootstrapService } from '@authtrail/runtime';
import { createApi } from '../../../api/src/index';
import { BackgroundJobs, startBackgroundJobs } from '../../../worker/src/index';
import { announceServer } from '../server-lock';

/**
 * `authtrail serve`: API and workers in one process on the configured stores (embedded
 * default: SQLite files and in-process ClickHouse under ./data).
 *
 * Order on the way up: bootstrap, finish erasures a crash cut off (before anything is
 * served), listen, announce, start the workers. On the way down the reverse: stop
 * accepting requests (in-flight ones finish), stop the workers (the sealer seals the
 * tail), then close the stores; the announcement is removed whatever fails.
 */
export async function serve(config: AppConfig): Promise<void> {
  const app = await createApi({ config });
  let jobs: BackgroundJobs | null = null;
  let release: (() => void) | null = null;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: finishing in-flight requests and appends\n`);
    const timer = setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    let code = 0;
    try {
      await app.getHttpAdapter().getInstance().close();
      await jobs?.stop();
      await app.close();
    } catch (error) {
      code = 1;
      process.stderr.write(`shutdown: ${(error as Error)?.message ?? String(error)}\n`);
    } finally {
      release?.();
      clearTimeout(timer);
    }
    process.exit(code);
  };
  // Installed before anything slow, so a signal during start-up still shuts down cleanly.
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const outcome = await app.get(BootstrapService).ensure();
  await app.get(ErasureRecovery).run();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  release = announceServer(config.dataDir, { pid: process.pid, url });
  jobs = await startBackgroundJobs(app);
  process.stdout.write(
    `authtrail listening on http://${config.host}:${port} (data: ${config.dataDir})\n`,
  );
  if (outcome.createdKey) {
    process.stdout.write(
      [
        '',
        'First start: created tenant "default" and its bootstrap admin key (operator, tenant-admin).',
        'It is shown only now; keep it somewhere safe:',
        '',
        `  ${outcome.createdKey}`,
        '',
        'Next: opt the tenant in (seed 002: nothing is collected before), then create a producer key:',
        `  curl -X POST -H "Authorization: Bearer $KEY" ${url}/v1/tenant/opt-in`,
        `  curl -X POST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{"roles":["producer"]}' ${url}/v1/keys`,
        '',
      ].join('\n'),
    );
  }
}
