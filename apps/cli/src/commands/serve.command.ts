import { AppConfig } from '@authtrail/config';
import { createApi } from '../../../api/src/index';
import { BootstrapService } from '@authtrail/runtime';
import { announceServer } from '../server-lock';
import { startBackgroundJobs } from '../../../worker/src/index';

/**
 * `authtrail serve`: API and workers in one process on the configured stores (embedded
 * default: SQLite files and in-process ClickHouse under ./data).
 */
export async function serve(config: AppConfig): Promise<void> {
  const app = await createApi({ config });
  const outcome = await app.get(BootstrapService).ensure();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  const release = announceServer(config.dataDir, { pid: process.pid, url });
  const jobs = await startBackgroundJobs(app);
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
  const shutdown = async (signal: string): Promise<void> => {
    process.stdout.write(`${signal}: finishing in-flight requests and appends\n`);
    const timer = setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    await jobs.stop();
    await app.close();
    release();
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
