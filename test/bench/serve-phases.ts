import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  BenchKeys,
  BenchServer,
  LoadResult,
  cpuSecondsOf,
  driveLoad,
  threadCpuOf,
  makeEvents,
  mappedFileRssOf,
  memoryOf,
  prepareTenant,
  startBenchServer,
  stopBenchServer,
} from '../../apps/cli/src/commands/bench-http';
import { ErasureResult, measureErasures } from './erasure-phase';
import {
  Summary,
  WorkerBatchTotals,
  probeProjection,
  sleep,
  summarize,
  workerBatchTotals,
  workerLags,
} from './serve-probes';
import { discardScratchDir, scratchDir } from './scratch-dirs';
import { ensureWrk, wrkGet, wrkLoad } from './wrk-load';
import { SQLITE_WRITER_THREAD_NAME } from '../../libs/event-store/src/infrastructure/sqlite/sqlite-writer';
import { WORKERS_THREAD_NAME } from '../../apps/worker/src/thread/workers-thread';

/**
 * The phases of `npm run bench` that need a real `authtrail serve` (a child process on a
 * temporary data dir: embedded stores, encryption on, SIEM file sink on, projector and
 * forwarder running in it): HTTP ingest under watch, erasure latency, the server's peak
 * RSS, then `authtrail replay` on the same data dir once the server is stopped.
 */

export interface WatchedLoad {
  readonly load: LoadResult;
  /** Append (202) → queryable in the audit query, one marker event per second, ms. */
  readonly projectionLagMs: Summary & { readonly timeouts: number };
  /** The time of the audit query that found each marker (part of the lag), ms. */
  readonly probeQueryMs: Summary;
  /** `authtrail_worker_lag_events` sampled every 500 ms. */
  readonly projectorLagEvents: Summary;
  readonly forwarderLagEvents: Summary;
  readonly serverRssMaxBytes: number | null;
  /** The highest RSS sample split into anonymous and file-backed memory, bytes. */
  readonly serverRssAtMax: { readonly anonBytes: number; readonly fileBytes: number } | null;
  /** CPU the server used during the run, in cores (user + system seconds per second). */
  readonly serverCpuCores: number | null;
  /** The same CPU by thread group, in CPU seconds over the run (Linux), or null. */
  readonly serverCpuByThread: ThreadCpu | null;
  /** Batches the projector and the forwarder handled during the run (from `/metrics`). */
  readonly workerBatches: Readonly<Record<'projector' | 'forwarder', WorkerBatchTotals | null>>;
}

/** CPU seconds of the server's threads, grouped by what they run. */
export interface ThreadCpu {
  /** The API's event loop: HTTP, validation, sealing (and the workers, with the thread off). */
  readonly eventLoop: number;
  /** The thread that commits appends to the SQLite log. */
  readonly sqliteWriter: number;
  /** The workers' thread: projector, SIEM forwarder, sealer, … (0 with it off). */
  readonly workers: number;
  /** V8's helper threads: garbage collection and compilation, for every isolate. */
  readonly v8Helpers: number;
  /** Everything else: the embedded ClickHouse's threads, libuv's pool, threads that exited. */
  readonly other: number;
  /** Of `other`, the CPU seconds of the live threads by name (ClickHouse names its pools), largest first. */
  readonly otherByName: Readonly<Record<string, number>>;
}

/** The CPU the threads of `pid` used between two `threadCpuOf` readings, grouped. */
export function groupThreadCpu(
  before: ReturnType<typeof threadCpuOf>,
  after: ReturnType<typeof threadCpuOf>,
  totalSeconds: number,
): ThreadCpu | null {
  if (before === null || after === null) return null;
  const sums = { eventLoop: 0, sqliteWriter: 0, workers: 0, v8Helpers: 0 };
  const byName = new Map<string, number>();
  for (const [tid, t] of after) {
    const used = t.seconds - (before.get(tid)?.seconds ?? 0);
    if (t.name === 'MainThread') sums.eventLoop += used;
    else if (t.name === SQLITE_WRITER_THREAD_NAME) sums.sqliteWriter += used;
    else if (t.name === WORKERS_THREAD_NAME) sums.workers += used;
    else if (t.name === 'V8Worker') sums.v8Helpers += used;
    else if (used > 0) byName.set(t.name, (byName.get(t.name) ?? 0) + used);
  }
  const named = sums.eventLoop + sums.sqliteWriter + sums.workers + sums.v8Helpers;
  const otherByName = Object.fromEntries(
    [...byName]
      .sort((a, b) => b[1] - a[1])
      .map(([name, seconds]) => [name, Math.round(seconds * 100) / 100]),
  );
  return { ...sums, other: Math.max(0, totalSeconds - named), otherByName };
}

export interface ReplayResult {
  readonly position: number;
  /** Rebuild time reported by `authtrail replay` (without process start). */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU of every thread of `authtrail replay` over the rebuild (ClickHouse's too), µs per event; null from a build that does not print it. */
  readonly cpuMicrosPerEvent: number | null;
  readonly wallSeconds: number;
  readonly peakRssBytes: number | null;
}

/** What the same machine, server stack and client do for a request that does nothing. */
export interface HttpCeiling {
  /** What was asked, e.g. `GET /v1/whoami (wrk, authenticated)`. */
  readonly what: string;
  readonly clients: number;
  readonly requestsPerSecond: number;
  readonly serverCores: number | null;
}

export interface ServeResult {
  readonly warmup: LoadResult | null;
  readonly ceiling: HttpCeiling | null;
  readonly batched: WatchedLoad | null;
  readonly single: WatchedLoad | null;
  /** One event per request from `wrk` (64 connections, a fresh event id per request). */
  readonly wrk: WatchedLoad | null;
  /** Why there is no wrk run (wrk missing and not installable), or null. */
  readonly wrkSkipped: string | null;
  /** After the load: until the projector's and forwarder's lag gauges read 0. */
  readonly catchUpSeconds: number | null;
  /** The same, after the batches of 1000 (before the single-event run). */
  readonly batchedCatchUpSeconds: number | null;
  readonly erasure: ErasureResult | null;
  /** VmHWM of the server process just before it was stopped. */
  readonly serverPeakRssBytes: number | null;
  /** Resident pages of the embedded ClickHouse library (libchdb.so, ~540 MiB of code) then. */
  readonly serverChdbLibraryRssBytes: number | null;
  readonly eventsDbBytes: number | null;
  readonly siemFileBytes: number | null;
  readonly replay: ReplayResult | null;
}

/** The ingest phase's loads: batches of 1000, one event per request from the Node client, and from wrk. */
export const INGEST_LOADS = ['batches', 'node', 'wrk'] as const;
export type IngestLoad = (typeof INGEST_LOADS)[number];

export interface ServeOptions {
  readonly mainJs: string;
  readonly ingest: boolean;
  readonly erasure: boolean;
  readonly replay: boolean;
  readonly seconds: number;
  readonly batchClients: number;
  readonly singleClients: number;
  /** Which ingest loads run (default all three): profiling one of them alone needs the others off. */
  readonly loads: readonly IngestLoad[];
  readonly erasures: number;
  readonly keep: boolean;
  readonly log: (line: string) => void;
  /** A phase that failed: recorded, and the next phases still run where they can. */
  readonly fail: (phase: string, error: unknown) => void;
  /** Node/V8 flags for `authtrail serve` (not replay), e.g. `--heap-growing-percent=30`. */
  readonly serveNodeFlags?: readonly string[];
  /** Where `authtrail serve` and `authtrail replay` write CPU profiles (`<dir>/serve`, `<dir>/replay`); none when absent. */
  readonly profileDir?: string;
}

/** `node --cpu-prof` into `<profileDir>/<name>`: one `.cpuprofile` per thread, written at exit. */
function profileArgs(options: ServeOptions, name: string): string[] {
  return options.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, name)}`]
    : [];
}

async function watched(
  server: BenchServer,
  keys: BenchKeys,
  run: () => Promise<LoadResult>,
): Promise<WatchedLoad> {
  let done = false;
  // The watchers run beside the load; their failure is kept and thrown after it.
  const watch: { error: Error | null } = { error: null };
  const keep = (e: unknown) => {
    watch.error ??= e instanceof Error ? e : new Error(String(e));
  };
  const projector: number[] = [];
  const forwarder: number[] = [];
  let rssMax: number | null = null;
  let rssAtMax: { anonBytes: number; fileBytes: number } | null = null;
  const sampler = (async () => {
    while (!done) {
      const lags = await workerLags(server.url);
      if (lags.projector !== undefined) projector.push(lags.projector);
      if (lags.forwarder !== undefined) forwarder.push(lags.forwarder);
      const mem = memoryOf(server.pid);
      if (mem && mem.rssBytes > (rssMax ?? 0)) {
        rssMax = mem.rssBytes;
        rssAtMax = { anonBytes: mem.rssAnonBytes, fileBytes: mem.rssFileBytes };
      }
      await sleep(500);
    }
  })().catch(keep);
  const lagMs: number[] = [];
  const queryMs: number[] = [];
  let timeouts = 0;
  const prober = (async () => {
    while (!done) {
      const started = performance.now();
      const probe = await probeProjection({
        url: server.url,
        producerKey: keys.producer,
        readerKey: keys.reader,
      });
      if (probe.lagMs === null) timeouts++;
      else lagMs.push(probe.lagMs);
      if (probe.queryMs !== null) queryMs.push(probe.queryMs);
      await sleep(Math.max(0, 1000 - (performance.now() - started)));
    }
  })().catch(keep);
  const batches0 = await workerBatchTotals(server.url);
  const cpu0 = cpuSecondsOf(server.pid);
  const threads0 = threadCpuOf(server.pid);
  const t0 = performance.now();
  try {
    const load = await run();
    const cpu1 = cpuSecondsOf(server.pid);
    const threads1 = threadCpuOf(server.pid);
    const batches1 = await workerBatchTotals(server.url);
    const during = (w: string): WorkerBatchTotals | null => {
      const a = batches0[w] ?? { batches: 0, seconds: 0, events: 0 };
      const b = batches1[w];
      return b === undefined
        ? null
        : {
            batches: b.batches - a.batches,
            seconds: b.seconds - a.seconds,
            events: b.events - a.events,
          };
    };
    const cores =
      cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / ((performance.now() - t0) / 1000);
    const byThread =
      cpu0 === null || cpu1 === null ? null : groupThreadCpu(threads0, threads1, cpu1 - cpu0);
    done = true;
    await Promise.all([sampler, prober]);
    if (watch.error !== null) throw watch.error;
    return {
      load,
      projectionLagMs: { ...summarize(lagMs), timeouts },
      probeQueryMs: summarize(queryMs),
      projectorLagEvents: summarize(projector),
      forwarderLagEvents: summarize(forwarder),
      serverRssMaxBytes: rssMax,
      serverRssAtMax: rssAtMax,
      serverCpuCores: cores,
      serverCpuByThread: byThread,
      workerBatches: { projector: during('projector'), forwarder: during('forwarder') },
    };
  } finally {
    done = true;
    await Promise.all([sampler, prober]);
  }
}

/** Until the projector and the SIEM forwarder have caught up with the log (gauges at 0). */
async function catchUp(url: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const lags = await workerLags(url);
    if ((lags.projector ?? 0) === 0 && (lags.forwarder ?? 0) === 0)
      return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs)
      throw new Error(
        `workers still behind ${timeoutMs / 1000} s after the load: ${JSON.stringify(lags)}`,
      );
    await sleep(200);
  }
}

const fileSize = (path: string): number | null => {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
};

/**
 * The calibration row: GET /healthz (no auth, no store) with the ingest phase's client and
 * concurrency, so that one event per request reads against what HTTP alone allows here.
 */
async function httpCeiling(
  server: { url: string; pid: number },
  clients: number,
  seconds: number,
): Promise<HttpCeiling> {
  const cpu0 = cpuSecondsOf(server.pid);
  const started = performance.now();
  const until = started + seconds * 1000;
  let requests = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const res = await fetch(`${server.url}/healthz`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET /healthz answered ${res.status}`);
        requests++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu1 = cpuSecondsOf(server.pid);
  return {
    what: 'GET /healthz (Node client)',
    clients,
    requestsPerSecond: requests / elapsed,
    serverCores: cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / elapsed,
  };
}

export async function runServePhases(options: ServeOptions): Promise<ServeResult> {
  const { log, fail } = options;
  const dataDir = scratchDir('authtrail-bench-serve-');
  const siemFile = join(dataDir, 'siem', 'events.ndjson');
  let warmup: LoadResult | null = null;
  let ceiling: HttpCeiling | null = null;
  let batched: WatchedLoad | null = null;
  let single: WatchedLoad | null = null;
  let wrk: WatchedLoad | null = null;
  let wrkSkipped: string | null = null;
  let catchUpSeconds: number | null = null;
  let batchedCatchUpSeconds: number | null = null;
  let erasure: ErasureResult | null = null;
  let serverPeakRssBytes: number | null = null;
  let serverChdbLibraryRssBytes: number | null = null;
  let replay: ReplayResult | null = null;
  let served = false;
  try {
    log(`starting authtrail serve on ${dataDir}…`);
    const server = await startBenchServer({
      mainJs: options.mainJs,
      dataDir,
      baseEnv: process.env,
      env: {
        AUTHTRAIL_SIEM_FILE: siemFile,
        // The bench's own AUTHTRAIL_* are not handed on, but the workers' layout and the
        // API's priority are: the same bench, once with AUTHTRAIL_WORKERS_THREAD=off or
        // AUTHTRAIL_API_NICE=0, compares the two (issue #15).
        ...Object.fromEntries(
          ['AUTHTRAIL_WORKERS_THREAD', 'AUTHTRAIL_API_NICE'].flatMap((k) =>
            process.env[k] !== undefined ? [[k, process.env[k]]] : [],
          ),
        ),
      },
      nodeArgs: [...(options.serveNodeFlags ?? []), ...profileArgs(options, 'serve')],
    });
    try {
      const keys = await prepareTenant(server.url);
      const pool = makeEvents(20_000);
      const load = (batch: number, clients: number, seconds: number) =>
        driveLoad({ url: server.url, key: keys.producer, batch, clients, seconds, pool });
      // Also the data the erasure and replay phases work on when ingest is not measured:
      // its first batches hold every person the erasure phase picks.
      warmup = await load(1000, 2, 2);
      if (warmup.errors > 0) throw new Error(`warm-up load failed: ${warmup.firstError}`);
      if (options.ingest) {
        try {
          // With wrk: an authenticated GET through the whole stack (TLS aside), the most
          // any single-event POST can reach; else the Node client on /healthz.
          const ceilingTool = ensureWrk(log);
          if ('path' in ceilingTool) {
            log(`HTTP ceiling: wrk, GET /v1/whoami, ${options.singleClients} connections, 5 s…`);
            const cpu0 = cpuSecondsOf(server.pid);
            const r = await wrkGet({
              wrk: ceilingTool.path,
              url: server.url,
              path: '/v1/whoami',
              key: keys.producer,
              connections: options.singleClients,
              seconds: 5,
            });
            const cpu1 = cpuSecondsOf(server.pid);
            ceiling = {
              what: 'GET /v1/whoami (wrk, authenticated)',
              clients: options.singleClients,
              requestsPerSecond: r.requestsPerSecond,
              serverCores: cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / r.seconds,
            };
          } else {
            log(`HTTP ceiling: GET /healthz, ${options.singleClients} clients, 5 s…`);
            ceiling = await httpCeiling(server, options.singleClients, 5);
          }
          const runs = (l: IngestLoad) => options.loads.includes(l);
          if (runs('batches')) {
            log(`ingest: batches of 1000, ${options.batchClients} clients, ${options.seconds} s…`);
            batched = await watched(server, keys, () =>
              load(1000, options.batchClients, options.seconds),
            );
            // The single-event runs start from an idle server: a backlog the projector and
            // forwarder still owe the batch run would take their CPU.
            log('waiting for the projector and the SIEM forwarder to catch up…');
            batchedCatchUpSeconds = await catchUp(server.url, 600_000);
          }
          if (runs('node')) {
            log(
              `ingest: 1 event per request, ${options.singleClients} clients, ${options.seconds} s…`,
            );
            single = await watched(server, keys, () =>
              load(1, options.singleClients, options.seconds),
            );
          }
          const tool = runs('wrk') ? ensureWrk(log) : null;
          if (tool !== null && 'skipped' in tool) {
            wrkSkipped = tool.skipped;
            log(`wrk row skipped: ${tool.skipped}`);
          } else if (tool !== null) {
            log('waiting for the projector and the SIEM forwarder to catch up…');
            await catchUp(server.url, 600_000);
            log(
              `ingest: wrk, 1 event per request, ${options.singleClients} connections, ${options.seconds} s…`,
            );
            wrk = await watched(server, keys, () =>
              wrkLoad({
                wrk: tool.path,
                url: server.url,
                key: keys.producer,
                connections: options.singleClients,
                seconds: options.seconds,
                pool,
              }),
            );
          }
          for (const w of [batched, single, wrk])
            if (w !== null && w.load.errors > 0)
              throw new Error(`${w.load.errors} ingest requests failed: ${w.load.firstError}`);
        } catch (e) {
          fail('ingest', e);
        }
      }
      log('waiting for the projector and the SIEM forwarder to catch up…');
      catchUpSeconds = await catchUp(server.url, 600_000);
      if (options.erasure) {
        try {
          log(`erasure: ${options.erasures} people…`);
          erasure = await measureErasures({
            url: server.url,
            keys,
            people: options.erasures,
            siemFile,
            log,
          });
          if (erasure.siemFileNames > 0)
            throw new Error(`the SIEM file holds ${erasure.siemFileNames} names`);
        } catch (e) {
          fail('erasure', e);
        }
      }
      serverPeakRssBytes = memoryOf(server.pid)?.peakRssBytes ?? null;
      serverChdbLibraryRssBytes = mappedFileRssOf(server.pid, 'libchdb');
      served = true;
    } finally {
      log('stopping authtrail serve…');
      const code = await stopBenchServer(server);
      if (code !== 0) fail('serve', new Error(`authtrail serve exited with code ${code}`));
    }
  } catch (e) {
    fail(served ? 'serve' : 'ingest', e);
  }
  const eventsDbBytes = fileSize(join(dataDir, 'events.db'));
  const siemFileBytes = fileSize(siemFile);
  if (options.replay && served) {
    try {
      log('replay: authtrail replay on the stopped server’s data dir…');
      replay = await runReplay(options.mainJs, dataDir, profileArgs(options, 'replay'));
    } catch (e) {
      fail('replay', e);
    }
  }
  if (options.keep) log(`kept ${dataDir}`);
  else discardScratchDir(dataDir);
  return {
    warmup,
    ceiling,
    batched,
    single,
    wrk,
    wrkSkipped,
    catchUpSeconds,
    batchedCatchUpSeconds,
    erasure,
    serverPeakRssBytes,
    serverChdbLibraryRssBytes,
    eventsDbBytes,
    siemFileBytes,
    replay,
  };
}

/** `authtrail replay` in a child process; its peak RSS sampled every 200 ms. */
async function runReplay(
  mainJs: string,
  dataDir: string,
  nodeArgs: readonly string[],
): Promise<ReplayResult> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AUTHTRAIL_')),
  );
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, mainJs, 'replay'], {
    env: { ...env, AUTHTRAIL_DATA_DIR: dataDir, AUTHTRAIL_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  // Progress lines: keep only the tail, for the error message.
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let peak: number | null = null;
  const timer = setInterval(() => {
    const mem = memoryOf(child.pid!);
    if (mem) peak = Math.max(peak ?? 0, mem.peakRssBytes);
  }, 200);
  const code = await new Promise<number>((r) => child.once('close', (c) => r(c ?? -1)));
  clearInterval(timer);
  const wallSeconds = (performance.now() - t0) / 1000;
  const m = /replayed the log up to position (\d+) in ([\d.]+) s/.exec(stdout);
  if (code !== 0 || !m)
    throw new Error(`authtrail replay exited with code ${code}: ${stdout}${stderr}`.trim());
  const position = Number(m[1]);
  const seconds = Number(m[2]);
  const cpu = /\(CPU ([\d.]+) s\)/.exec(stdout);
  return {
    position,
    seconds,
    eventsPerSecond: position / Math.max(seconds, 0.1),
    cpuMicrosPerEvent: cpu && position > 0 ? (Number(cpu[1]) * 1e6) / position : null,
    wallSeconds,
    peakRssBytes: peak,
  };
}
