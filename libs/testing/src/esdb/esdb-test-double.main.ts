/**
 * TEST DOUBLE launcher: serves an in-memory EventStoreDB protocol double in its own
 * process, so tests can point real authtrail processes at it by configuration alone
 * (AUTHTRAIL_EVENT_STORE=<printed connection string>). Never part of a deployment.
 *
 *   node -r ./libs/coordination/testing/register-ts.js libs/testing/src/esdb/esdb-test-double.main.ts [port]
 *
 * Prints one JSON line `{"connectionString": …}` when listening; stops on SIGTERM/SIGINT.
 */
import { EsdbTestDouble } from './esdb-test-double';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 0);
  const double = await EsdbTestDouble.start({ port });
  process.stdout.write(`${JSON.stringify({ connectionString: double.connectionString })}\n`);
  const stop = (): void => void double.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
