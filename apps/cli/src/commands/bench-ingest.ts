import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@authtrail/config';
import { CommandBus } from '@nestjs/cqrs';
import { IngestEventsCommand } from '@authtrail/ingest';
import { Keyring } from '@authtrail/key-vault';
import { BootstrapService, RuntimeModule } from '@authtrail/runtime';
import { TenantsService } from '@authtrail/tenancy';
import {
  BENCH_BOOTSTRAP_KEY as BOOT,
  driveLoad,
  makeEvents,
  prepareTenant,
  startBenchServer,
  stopBenchServer,
} from './bench-http';

export interface IngestBenchOptions {
  readonly seconds: number;
  readonly out: (line: string) => void;
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
  const server = await startBenchServer({
    mainJs: join(__dirname, '../main.js'),
    dataDir: dir,
    // The child server takes its configuration from its environment: ours plus the bench's.
    // eslint-disable-next-line no-restricted-syntax
    baseEnv: process.env,
  });
  try {
    const { url } = server;
    const key = (await prepareTenant(url)).producer;
    const pool = makeEvents(20_000);
    const load = (batch: number, clients: number, seconds: number) =>
      driveLoad({ url, key, batch, clients, seconds, pool });
    await load(1000, 2, 2); // warm-up
    const batched = await load(1000, 4, options.seconds);
    const single = await load(1, 64, options.seconds);
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
    await stopBenchServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
