import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BOOTSTRAP_KEY } from './test-server';
import { EventStoreLease, leaseForProcess } from './event-store-under-test';

export const CLI = join(__dirname, '../../dist/apps/cli/src/main.js');

const envFor = (dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  AUTHTRAIL_DATA_DIR: dataDir,
  AUTHTRAIL_PORT: '0',
  AUTHTRAIL_HOST: '127.0.0.1',
  AUTHTRAIL_BOOTSTRAP_KEY: BOOTSTRAP_KEY,
  AUTHTRAIL_LOG_LEVEL: 'warn',
  ...extra,
});

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  output(): string;
}

/**
 * Starts the built `authtrail serve` as a real process and waits for its port. Its event
 * log is the data dir's (event-store-under-test.ts), so a restart finds the same one.
 */
export async function startServe(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const log = logFor(dataDir, env, false);
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: envFor(dataDir, { ...log.env, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  ).then(async (code) => {
    await log.release();
    return code;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { child, url, exited, output: () => out };
}

/** Runs one CLI command to completion, on the data dir's event log. */
export function runCli(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const log = logFor(dataDir, env, true);
  try {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      env: envFor(dataDir, { ...log.env, ...env }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    void log.release();
  }
}

/** The data dir's event log, unless the caller's env names one itself. */
function logFor(dataDir: string, env: Record<string, string>, sync: boolean): EventStoreLease {
  if (env.AUTHTRAIL_EVENT_STORE !== undefined) return { env: {}, release: () => Promise.resolve() };
  return leaseForProcess(dataDir, { sync });
}
