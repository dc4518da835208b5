import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** A kmock broker a test owns: it can freeze it, kill it and start another on the same port. */
export interface KmockBroker {
  readonly brokers: string[];
  readonly port: number;
  /** SIGSTOP: the broker stops answering but keeps its data (an outage). */
  pause(): void;
  /** SIGCONT after pause. */
  resume(): void;
  /** SIGTERM: the broker and everything it held are gone (kmock keeps nothing on disk). */
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(__dirname, '../../../..');

/** The kmock binary: KMOCK_BIN from the global setup, else built now (fails loudly if it cannot be). */
export function kmockBinary(): string {
  const fromEnv = process.env.KMOCK_BIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const setup = require(join(REPO_ROOT, 'test/setup/kmock.js')) as { buildKmock(): string };
  return setup.buildKmock();
}

/** A free loopback port (kmock is then started on it, and restarted on it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

/** Starts kmock (one broker) on `port` (0 = any) with extra arguments, e.g. `-A` (no auto topic creation). */
export async function startKmockBroker(
  port = 0,
  args: readonly string[] = [],
): Promise<KmockBroker> {
  const proc: ChildProcess = spawn(kmockBinary(), ['-P', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (l.startsWith('BOOTSTRAP=')) res(l.slice('BOOTSTRAP='.length));
    });
    proc.once('error', rej);
    proc.once('exit', (code) => rej(new Error(`kmock exited with ${code} (port ${port} taken?)`)));
  });
  const brokers = line.split(',');
  const signal = (s: NodeJS.Signals): void => {
    if (proc.exitCode === null && proc.pid !== undefined) process.kill(proc.pid, s);
  };
  return {
    brokers,
    port: Number(brokers[0].split(':')[1]),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop: () =>
      new Promise<void>((res) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return res();
        proc.once('exit', () => res());
        signal('SIGCONT');
        signal('SIGTERM');
      }),
  };
}
