/**
 * TEST DOUBLE launcher: serves an in-memory EventStoreDB protocol double in its own
 * process, so tests can point real authtrail processes at it by configuration alone
 * (AUTHTRAIL_EVENT_STORE=<printed connection string>). Never part of a deployment.
 *
 *   node -r ./libs/coordination/testing/register-ts.js libs/testing/src/esdb/esdb-test-double.main.ts [port] [--ready-file <path>] [--exit-with-stdin]
 *
 * Prints one JSON line `{"connectionString": …}` when listening (and writes the same JSON
 * to the ready file: a caller that must not yield to its event loop polls for it); stops
 * on SIGTERM/SIGINT, and with `--exit-with-stdin` when its stdin closes — so a double
 * started by a test process dies with it even when that process is killed.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { EsdbTestDouble } from './esdb-test-double';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = Number(args.find((a) => /^\d+$/.test(a)) ?? 0);
  const double = await EsdbTestDouble.start({ port });
  const ready = JSON.stringify({ connectionString: double.connectionString, pid: process.pid });
  const readyFile = flag('--ready-file');
  if (readyFile !== undefined) {
    // Written whole, then renamed: a poller never reads half a line.
    writeFileSync(`${readyFile}.tmp`, ready);
    renameSync(`${readyFile}.tmp`, readyFile);
  }
  process.stdout.write(`${ready}\n`);
  const stop = (): void => void double.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (args.includes('--exit-with-stdin')) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

void main();
