import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { exampleEvent, ProducerEvent } from '@authtrail/catalog';
import { loadConfig } from '@authtrail/config';
import { CommandBus } from '@nestjs/cqrs';
import { IngestEventsCommand } from '@authtrail/ingest';
import { Keyring } from '@authtrail/key-vault';
import { BootstrapService, RuntimeModule } from '@authtrail/runtime';
import { TenantsService } from '@authtrail/tenancy';

const BOOT = 'bench-bootstrap-key-0123456789abcdef';

export interface IngestBenchOptions {
  readonly seconds: number;
  readonly out: (line: string) => void;
}

const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** A realistic mix: every producer type, a pool of people so subjects repeat. */
function makeEvents(n: number, people = 5000): ProducerEvent[] {
  const types = [
    'sspr.PasswordResetSelfService',
    'sspr.ResetFlowProgressed',
    'mfa.AuthenticationAttempted',
    'sspr.PasswordResetByAdmin',
    'sspr.Registered',
  ];
  return Array.from({ length: n }, (_, i) => {
    const p = {
      userPrincipalName: `bench.user${i % people}@contoso.example`,
      displayName: `Bench User ${i % people}`,
      role: 'User',
    };
    const type = types[i % types.length];
    if (type === 'mfa.AuthenticationAttempted')
      return exampleEvent(type, {
        eventId: randomUUID(),
        target: { userPrincipalName: p.userPrincipalName },
      });
    if (type === 'sspr.PasswordResetByAdmin') {
      return exampleEvent(type, {
        eventId: randomUUID(),
        actor: {
          userPrincipalName: `admin${i % 7}@contoso.example`,
          role: 'HelpdeskAdministrator',
        },
        target: p,
      });
    }
    return exampleEvent(type, { eventId: randomUUID(), actor: p, target: p });
  });
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(__dirname, '../main.js'), 'serve'], {
    env: {
      // The child server takes its configuration from its environment: ours plus the bench's.
      // eslint-disable-next-line no-restricted-syntax
      ...process.env,
      AUTHTRAIL_DATA_DIR: dataDir,
      AUTHTRAIL_PORT: '0',
      AUTHTRAIL_HOST: '127.0.0.1',
      AUTHTRAIL_BOOTSTRAP_KEY: BOOT,
      AUTHTRAIL_LOG_LEVEL: 'error',
      AUTHTRAIL_RATE_LIMIT_PER_SECOND: '1000000',
      AUTHTRAIL_RATE_LIMIT_BURST: '1000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  return { child, url };
}

async function post(url: string, key: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Drives `concurrency` clients for `seconds`, each posting batches of `batch`. */
async function load(
  url: string,
  key: string,
  batch: number,
  concurrency: number,
  seconds: number,
  pool: ProducerEvent[],
) {
  const latencies: number[] = [];
  let events = 0;
  let errors = 0;
  let next = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  const worker = async () => {
    while (Date.now() < until) {
      const body = Array.from({ length: batch }, () => ({
        ...pool[next++ % pool.length],
        eventId: randomUUID(),
      }));
      const t0 = performance.now();
      const status = await post(url, key, body);
      latencies.push(performance.now() - t0);
      if (status === 202) events += batch;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - started) / 1000;
  return {
    eventsPerSecond: events / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    errors,
  };
}

/** The ingest pipeline without HTTP (validate, resolve subjects, seal, append), sealing on or off. */
async function pipeline(encrypt: boolean, events: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-bench-pipe-'));
  const app = await NestFactory.createApplicationContext(
    RuntimeModule.forRoot({
      config: loadConfig({
        AUTHTRAIL_DATA_DIR: dir,
        AUTHTRAIL_LOG_LEVEL: 'error',
        AUTHTRAIL_BOOTSTRAP_KEY: BOOT,
      }),
    }),
    { logger: false },
  );
  try {
    await app.get(BootstrapService).ensure();
    await app.get(TenantsService).optIn('default', { keyId: 'bench' });
    if (!encrypt) {
      // Benchmark only: measure what sealing costs by replacing it with plain encoding.
      const keyring = app.get(Keyring);
      keyring.seal = (_key, payload) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    }
    const bus = app.get(CommandBus);
    const pool = makeEvents(events);
    const started = performance.now();
    for (let i = 0; i < pool.length; i += 1000)
      await bus.execute(new IngestEventsCommand('default', pool.slice(i, i + 1000), 'bench'));
    return events / ((performance.now() - started) / 1000);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `authtrail bench ingest`: ingest throughput over HTTP and the cost of encryption. */
export async function benchIngest(options: IngestBenchOptions): Promise<Record<string, unknown>> {
  const out = options.out;
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-bench-'));
  const { child, url } = await startServer(dir);
  try {
    const hdr = { authorization: `Bearer ${BOOT}`, 'content-type': 'application/json' };
    const optIn = await fetch(`${url}/v1/tenant/opt-in`, {
      method: 'POST',
      headers: { authorization: hdr.authorization },
    });
    if (optIn.status !== 200) throw new Error(`opt-in failed: ${optIn.status}`);
    const key = (
      (await (
        await fetch(`${url}/v1/keys`, {
          method: 'POST',
          headers: hdr,
          body: JSON.stringify({ roles: ['producer'] }),
        })
      ).json()) as { key: string }
    ).key;
    const pool = makeEvents(20_000);
    await load(url, key, 1000, 2, 2, pool); // warm-up
    const batched = await load(url, key, 1000, 4, options.seconds, pool);
    const single = await load(url, key, 1, 64, options.seconds, pool);
    const withEnc = await pipeline(true, 30_000);
    const withoutEnc = await pipeline(false, 30_000);
    const rows: [string, string, string, string][] = [
      [
        'HTTP, batches of 1000 (4 clients)',
        batched.eventsPerSecond.toFixed(0),
        batched.p50.toFixed(1),
        batched.p95.toFixed(1),
      ],
      [
        'HTTP, 1 event per request (64 clients)',
        single.eventsPerSecond.toFixed(0),
        single.p50.toFixed(1),
        single.p95.toFixed(1),
      ],
      ['pipeline, encryption on (no HTTP)', withEnc.toFixed(0), '-', '-'],
      ['pipeline, encryption off (bench only)', withoutEnc.toFixed(0), '-', '-'],
    ];
    out(
      `authtrail ingest benchmark — ${cpus().length} cores, ${options.seconds}s per HTTP run, embedded SQLite (synchronous=FULL)`,
    );
    out(
      `${'run'.padEnd(42)}${'events/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}`,
    );
    for (const r of rows)
      out(`${r[0].padEnd(42)}${r[1].padStart(10)}${r[2].padStart(9)}${r[3].padStart(9)}`);
    out(
      `encryption cost: ${((1 - withEnc / withoutEnc) * 100).toFixed(1)}% of pipeline throughput`,
    );
    return {
      cores: cpus().length,
      batched,
      single,
      pipeline: { encryptionOn: withEnc, encryptionOff: withoutEnc },
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
