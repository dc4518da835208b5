/**
 * `npm run bench`: every benchmark of issue #9 in one process tree, one table, one JSON file.
 *
 *   node test/bench/run.js all [--events 1000000] [--seconds 60] [--only ingest,erasure,replay,reports]
 *        [--erasures 20] [--runs 15] [--batch-clients 4] [--single-clients 64]
 *        [--loads batches,node,wrk]
 *        [--out bench-results/<time>.json] [--dist dist] [--strict] [--keep] [--profile [DIR]]
 *        [--serve-node-flags "--heap-growing-percent=30"]
 *        [--limit-events 100000]
 *
 * The ingest, erasure and replay phases run against `authtrail serve` from the build
 * (`--dist`, so build first) in a child process on a temporary data dir; the reports phase
 * loads `--events` events straight into a fresh store in this process (read-model-bench.ts).
 * Exits 1 when a phase fails or the dedupe strategies disagree (and, with --strict, when a
 * target is missed).
 *
 * With the ingest phase, the limits (limits.ts) are measured first in this process, and
 * every throughput row says what share of each limit it reaches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { formatProfile, summarizeProfiles } from './cpu-profile';
import { LimitsResult, measureLimits } from './limits';
import { ReadModelBenchResult, runReadModelBench } from './read-model-bench';
import { removalWarning, removeScratchDirs } from './scratch-dirs';
import {
  INGEST_LOADS,
  IngestLoad,
  ReplayResult,
  ServeResult,
  ThreadCpu,
  WatchedLoad,
  runServePhases,
} from './serve-phases';

const PHASES = ['ingest', 'erasure', 'replay', 'reports'] as const;
type Phase = (typeof PHASES)[number];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : undefined;
  return value && !value.startsWith('--') ? value : fallback;
}

/** The value of `--name=value` or `--name value`, even one that starts with `--` (node flags). */
function rawArg(name: string): string {
  const joined = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (joined !== undefined) return joined.slice(name.length + 3);
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? '') : '';
}

function count(name: string, fallback: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return v;
}

interface Row {
  readonly measurement: string;
  readonly value: string;
  readonly target: string;
  readonly result: 'met' | 'MISSED' | '—' | 'error';
}

const MIB = 1024 * 1024;
const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');
const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
const check = (ok: boolean): Row['result'] => (ok ? 'met' : 'MISSED');

/** Report targets of the issue: p95 < 100 ms up to 1M events, < 500 ms up to 10M. */
function reportTargetMs(events: number): number | null {
  if (events <= 1_000_000) return 100;
  if (events <= 10_000_000) return 500;
  return null;
}

/**
 * `0.31× parse+validate+seal, 0.45× SQLite append`: a throughput against each limit
 * measured in the same run; with the server's CPU per event, also that CPU against the
 * limits' CPU per event added up (what one event costs at least, whatever the contention).
 */
type Ratios = (
  eventsPerSecond: number,
  serverCpuMicrosPerEvent?: number | null,
  /** One event per request: read against the SQLite limit at a group commit's size. */
  singleEvents?: boolean,
) => string;

function ratiosTo(limits: LimitsResult | null): Ratios {
  if (limits === null) return () => '';
  const r = (x: number, limit: number) => `${(x / limit).toFixed(2)}×`;
  return (x, cpu, singleEvents = false) => {
    const sqlite = singleEvents ? limits.sqliteGroup : limits.sqlite;
    const floor = limits.pipeline.cpuMicrosPerEvent + sqlite.cpuMicrosPerEvent;
    const perTx = singleEvents ? ` (${limits.groupEvents}/tx)` : '';
    return (
      `; ${r(x, limits.pipeline.eventsPerSecond)} parse+validate+seal, ${r(x, sqlite.eventsPerSecond)} SQLite append${perTx}` +
      (cpu === undefined || cpu === null
        ? ''
        : `; ${n0(cpu)} µs server CPU/event = ${(cpu / floor).toFixed(1)}× the limits' ${n0(floor)} µs`)
    );
  };
}

function limitRows(l: LimitsResult): Row[] {
  const row = (measurement: string, run: LimitsResult['pipeline']): Row => ({
    measurement,
    value: `${n0(run.eventsPerSecond)} events/s, ${run.microsPerEvent.toFixed(1)} µs/event, ${run.cpuMicrosPerEvent.toFixed(1)} µs CPU/event`,
    target: '—',
    result: '—',
  });
  return [
    row(
      `limit: parse + validate + seal, no store (${n0(l.pipeline.events)} events, 1 thread)`,
      l.pipeline,
    ),
    row('limit: SQLite batched append of those envelopes, same schema, 1000/tx', l.sqlite),
    row('  the same, events table only (the rest is what the indexes cost)', l.sqliteEventsOnly),
    row(
      `  the same, ${l.groupEvents}/tx (a group commit at ${l.groupEvents * 2} connections)`,
      l.sqliteGroup,
    ),
    row(
      'limit: SIEM forwarding of those envelopes (NDJSON file sink, from position 0)',
      l.forwarder,
    ),
  ];
}

/** Events per second of the batch target, for the floor row. */
const BATCH_TARGET = 20_000;

/**
 * What one batch event costs at least, from the limits and the projection alone measured
 * in this run: the steps every accepted event goes through, each at its isolated cost,
 * added up (the ledger's sealer and HTTP are not in it). Read against
 * the cores, it bounds the batch throughput whatever the layout of threads and processes.
 */
function floorRows(l: LimitsResult, replay: ReplayResult | null, cores: number): Row[] {
  if (replay === null || replay.cpuMicrosPerEvent === null) return [];
  const floor =
    l.pipeline.cpuMicrosPerEvent +
    l.sqlite.cpuMicrosPerEvent +
    replay.cpuMicrosPerEvent +
    l.forwarder.cpuMicrosPerEvent;
  const budget = (cores * 1e6) / BATCH_TARGET;
  return [
    {
      measurement: 'floor: parse+validate+seal + SQLite append + projection + SIEM, CPU',
      value: `${n0(floor)} µs/event (${n0(l.pipeline.cpuMicrosPerEvent)} + ${n0(l.sqlite.cpuMicrosPerEvent)} + ${n0(replay.cpuMicrosPerEvent)} + ${n0(l.forwarder.cpuMicrosPerEvent)}): at most ${n0((cores * 1e6) / floor)} events/s on ${cores} cores; ${n0(BATCH_TARGET)}/s leaves ${n0(budget)} µs`,
      target: '—',
      result: '—',
    },
  ];
}

function ingestRows(
  label: string,
  w: WatchedLoad,
  target: number | null,
  lagTarget: boolean,
  ratios: Ratios,
): Row[] {
  const l = w.load;
  const cpu = w.serverCpuCores === null ? '' : `, server ${w.serverCpuCores.toFixed(1)} cores`;
  const cpuPerEvent =
    w.serverCpuCores === null || l.eventsPerSecond === 0
      ? null
      : (w.serverCpuCores * 1e6) / l.eventsPerSecond;
  const lag = w.projectionLagMs;
  const lagOk = lag.timeouts === 0 && lag.n > 0 && lag.max < 2000;
  return [
    {
      measurement: `${label} (${l.clients} clients, ${l.seconds.toFixed(0)} s)`,
      value: `${n0(l.eventsPerSecond)} events/s, p50 ${ms(l.p50)}, p95 ${ms(l.p95)}${cpu}${ratios(l.eventsPerSecond, cpuPerEvent, l.batch === 1)}`,
      target: target === null ? '—' : `≥ ${n0(target)} events/s`,
      result: target === null ? '—' : check(l.eventsPerSecond >= target),
    },
    {
      measurement: `  projection lag, append → queryable (${lag.n} probe${lag.n === 1 ? '' : 's'})`,
      value:
        lag.n === 0
          ? `no probe finished (${lag.timeouts} timed out)`
          : `p50 ${ms(lag.p50)}, p95 ${ms(lag.p95)}, max ${ms(lag.max)}${lag.timeouts ? `, ${lag.timeouts} timed out` : ''}; the query that found it p50 ${ms(w.probeQueryMs.p50)}, p95 ${ms(w.probeQueryMs.p95)}`,
      target: lagTarget ? 'max < 2 s' : '—',
      result: lagTarget ? check(lagOk) : '—',
    },
    {
      measurement: '  projector / SIEM forwarder lag (/metrics, events)',
      value: `p95 ${n0(w.projectorLagEvents.p95)} / ${n0(w.forwarderLagEvents.p95)}, max ${n0(w.projectorLagEvents.max)} / ${n0(w.forwarderLagEvents.max)}`,
      target: '—',
      result: '—',
    },
    {
      measurement: '  projector / SIEM forwarder batches (/metrics, mean)',
      value: [w.workerBatches.projector, w.workerBatches.forwarder]
        .map((b) =>
          b === null || b.batches === 0
            ? 'n/a'
            : `${n0(b.events / b.batches)} events in ${(b.seconds / b.batches).toFixed(2)} s`,
        )
        .join(' / '),
      target: '—',
      result: '—',
    },
    ...threadRows(w.serverCpuByThread, cpuPerEvent),
  ];
}

/** The server CPU per event split by thread group, when /proc told it. */
function threadRows(t: ThreadCpu | null, cpuPerEvent: number | null): Row[] {
  if (t === null || cpuPerEvent === null) return [];
  const total = t.eventLoop + t.sqliteWriter + t.workers + t.v8Helpers + t.other;
  if (total <= 0) return [];
  const us = (part: number) => n0((part / total) * cpuPerEvent);
  return [
    {
      measurement: '  server CPU per event by thread (µs)',
      value: `event loop ${us(t.eventLoop)}, SQLite writer ${us(t.sqliteWriter)}, workers' thread ${us(t.workers)}, V8 GC/compiler helpers ${us(t.v8Helpers)}, ClickHouse and other ${us(t.other)}`,
      target: '—',
      result: '—',
    },
  ];
}

function serveRows(s: ServeResult, seconds: number, ratios: Ratios): Row[] {
  const rows: Row[] = [];
  if (s.batched)
    rows.push(...ingestRows('ingest, batches of 1000', s.batched, BATCH_TARGET, true, ratios));
  if (s.single)
    rows.push(
      ...ingestRows('ingest, 1 event per request (Node client)', s.single, null, false, ratios),
    );
  if (s.wrk)
    rows.push(...ingestRows('ingest, 1 event per request (wrk)', s.wrk, 5000, false, ratios));
  else if (s.wrkSkipped)
    rows.push({
      measurement: 'ingest, 1 event per request (wrk)',
      value: `skipped: ${s.wrkSkipped}`,
      target: '≥ 5,000 events/s',
      result: '—',
    });
  if (s.ceiling)
    rows.push({
      measurement: `  HTTP ceiling: ${s.ceiling.what}, ${s.ceiling.clients} connections`,
      value: `${n0(s.ceiling.requestsPerSecond)} requests/s${s.ceiling.serverCores === null ? '' : `, server ${s.ceiling.serverCores.toFixed(1)} cores, ${n0((s.ceiling.serverCores * 1e6) / s.ceiling.requestsPerSecond)} µs CPU/request`}${s.wrk ? `; wrk ingest reaches ${(s.wrk.load.eventsPerSecond / s.ceiling.requestsPerSecond).toFixed(2)}× of it` : ''}`,
      target: '—',
      result: '—',
    });
  if (s.batched) {
    const bytes = s.batched.load.eventBytes;
    rows.push({
      measurement: '  event size (producer JSON, HTTP phases)',
      value: `${n0(bytes)} bytes`,
      target: '—',
      result: '—',
    });
  }
  if (s.batchedCatchUpSeconds !== null && s.batched)
    rows.push({
      measurement: '  catch-up after the batches of 1000 (projector, forwarder)',
      value: `${s.batchedCatchUpSeconds.toFixed(1)} s`,
      target: '—',
      result: '—',
    });
  if (s.catchUpSeconds !== null && s.batched)
    rows.push({
      measurement: '  catch-up after the load (projector, forwarder)',
      value: `${s.catchUpSeconds.toFixed(1)} s`,
      target: '—',
      result: '—',
    });
  if (s.batched && s.serverPeakRssBytes !== null) {
    rows.push({
      measurement: 'peak RSS of authtrail serve (VmHWM)',
      value: `${n0(s.serverPeakRssBytes / MIB)} MiB (${seconds} s per load run)${rssSplit(s)}`,
      target: '< 768 MiB',
      result: check(s.serverPeakRssBytes < 768 * MIB),
    });
  }
  if (s.erasure) {
    const e = s.erasure;
    rows.push({
      measurement: `erasure → every surface scrubbed (${e.people} people)`,
      value: `p50 ${ms(e.total.p50)}, p95 ${ms(e.total.p95)}, max ${ms(e.total.max)}`,
      target: 'p95 < 2 s',
      result: check(e.total.p95 < 2000),
    });
    rows.push({
      measurement: '  API / ClickHouse tables / SIEM sink, p95',
      value: `${ms(e.api.p95)} / ${ms(e.tables.p95)} / ${ms(e.siem.p95)}`,
      target: '—',
      result: '—',
    });
  }
  if (s.replay) {
    const r = s.replay;
    const cpu = r.cpuMicrosPerEvent === null ? '' : `, ${n0(r.cpuMicrosPerEvent)} µs CPU/event`;
    rows.push({
      measurement: 'authtrail replay (rebuild every table)',
      value: `${n0(r.eventsPerSecond)} events/s (${n0(r.position)} events in ${r.seconds.toFixed(1)} s${cpu})${ratios(r.eventsPerSecond)}`,
      target: '—',
      result: '—',
    });
  }
  return rows;
}

function reportRows(r: ReadModelBenchResult, ratios: Ratios): Row[] {
  const target = reportTargetMs(r.events);
  const rows: Row[] = [
    {
      measurement: `reports phase: ${n0(r.eventsInLog)} events loaded into the log`,
      value: `stored envelope ${n0(r.envelopeBytes)} bytes on average`,
      target: '~700 bytes',
      result: '—',
    },
    {
      measurement: '  projection throughput, live lag p95 (no HTTP)',
      value: `${n0(r.projection.eventsPerSecond)} events/s, ${ms(r.liveLag.p95)}${ratios(r.projection.eventsPerSecond)}`,
      target: '—',
      result: '—',
    },
  ];
  for (const t of r.reports) {
    const { p50, p95 } = t.latency.auto;
    rows.push({
      measurement: `  ${t.report}`,
      value: `p50 ${ms(p50)}, p95 ${ms(p95)}`,
      target: target === null ? '—' : `p95 < ${target} ms`,
      result: target === null ? '—' : check(p95 < target),
    });
  }
  const agree = r.reports.filter((t) => t.agree).length;
  rows.push({
    measurement: '  dedupe strategies agree (LIMIT 1 BY, FINAL, auto)',
    value: `${agree} of ${r.reports.length} reports`,
    target: 'all',
    result: agree === r.reports.length ? 'met' : 'MISSED',
  });
  return rows;
}

function table(rows: readonly Row[]): string {
  const header: Row = { measurement: 'measurement', value: 'value', target: 'target', result: '—' };
  const cells = (r: Row) => [r.measurement, r.value, r.target, r === header ? 'result' : r.result];
  const all = [header, ...rows].map(cells);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(all[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...all.slice(1).map(line),
  ].join('\n');
}

function gitRevision(): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const only = arg('only', PHASES.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of only)
    if (!(PHASES as readonly string[]).includes(p))
      throw new Error(`--only: unknown phase "${p}" (phases: ${PHASES.join(', ')})`);
  const on = (p: Phase) => only.includes(p);
  // The ingest phase's loads: one alone (e.g. `--loads wrk`) for a profile of just that load.
  const loads = arg('loads', INGEST_LOADS.join(','))
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const l of loads)
    if (!(INGEST_LOADS as readonly string[]).includes(l))
      throw new Error(`--loads: unknown load "${l}" (loads: ${INGEST_LOADS.join(', ')})`);
  const options = {
    events: count('events', 1_000_000),
    seconds: count('seconds', 60),
    erasures: count('erasures', 20),
    runs: count('runs', 15),
    batchClients: count('batch-clients', 4),
    singleClients: count('single-clients', 64),
    only,
    dist: resolve(arg('dist', join(__dirname, '../../dist'))),
    out: resolve(
      arg('out', join('bench-results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)),
    ),
    strict: process.argv.includes('--strict'),
    keep: process.argv.includes('--keep'),
    // Node/V8 flags for `authtrail serve` alone, e.g. "--heap-growing-percent=30": a
    // memory/throughput trade-off measured with the same bench (README "Memory").
    serveNodeFlags: rawArg('serve-node-flags').split(' ').filter(Boolean),
    profile: process.argv.includes('--profile')
      ? resolve(
          arg(
            'profile',
            join('bench-results', `profile-${startedAt.toISOString().replace(/[:.]/g, '-')}`),
          ),
        )
      : null,
  };
  const log = (line: string) =>
    process.stderr.write(
      `[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)}s] ${line}\n`,
    );
  const errors: { phase: string; message: string }[] = [];
  const fail = (phase: string, e: unknown) => {
    const message = (e as Error)?.stack ?? String(e);
    errors.push({ phase, message });
    log(`${phase} failed: ${message}`);
  };

  // Read before this run removes anything: a recent removal makes new files dearer (scratch-dirs.ts).
  const fsNote = removalWarning(startedAt);
  if (fsNote !== null) log(fsNote);

  // Before any server runs, in this process: the limits the ingest rows are read against.
  let limits: LimitsResult | null = null;
  if (on('ingest')) {
    try {
      limits = await measureLimits({
        events: count('limit-events', Math.min(options.events, 100_000)),
        // What the group commit holds at that many single-event connections: half of them
        // queue while the other half's commit is in flight (measured: 32 at 64).
        groupEvents: Math.max(1, Math.floor(options.singleClients / 2)),
        log,
      });
    } catch (e) {
      fail('limits', e);
    }
  }

  let serve: ServeResult | null = null;
  if (on('ingest') || on('erasure') || on('replay')) {
    const mainJs = join(options.dist, 'apps/cli/src/main.js');
    if (!existsSync(mainJs)) {
      fail('serve', new Error(`${mainJs} is missing: run \`npm run build\` first`));
    } else {
      serve = await runServePhases({
        mainJs,
        ingest: on('ingest'),
        erasure: on('erasure'),
        replay: on('replay'),
        seconds: options.seconds,
        batchClients: options.batchClients,
        singleClients: options.singleClients,
        loads: loads as IngestLoad[],
        erasures: options.erasures,
        keep: options.keep,
        serveNodeFlags: options.serveNodeFlags,
        log,
        fail,
        ...(options.profile ? { profileDir: options.profile } : {}),
      });
    }
  }
  let reports: ReadModelBenchResult | null = null;
  if (on('reports')) {
    try {
      log(`reports: ${options.events} events…`);
      reports = await runReadModelBench({
        events: options.events,
        runs: options.runs,
        keep: options.keep,
        // The HTTP phases measure lag as users see it; this is the projector alone.
        lagSamples: 50,
        log,
      });
    } catch (e) {
      fail('reports', e);
    }
  }

  // Every phase's data dir at once, now that none is measured any more.
  removeScratchDirs();

  const rows: Row[] = [
    ...(limits ? limitRows(limits) : []),
    ...(serve ? serveRows(serve, options.seconds, ratiosTo(limits)) : []),
    ...(serve && limits ? floorRows(limits, serve.replay, cpus().length) : []),
    ...(reports ? reportRows(reports, ratiosTo(limits)) : []),
  ];
  for (const e of errors)
    rows.push({
      measurement: `${e.phase} phase`,
      value: e.message.split('\n')[0].slice(0, 100),
      target: 'runs',
      result: 'error',
    });
  const cpu = cpus();
  const host = {
    cores: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 / MIB),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const git = gitRevision();
  const heading =
    `authtrail benchmark — ${host.cores} cores (${host.cpuModel}), ${host.memoryGiB} GiB, node ${host.node}, ${startedAt.toISOString()}` +
    `${git.commit ? `, ${git.commit}${git.dirty ? '+dirty' : ''}` : ''}\n` +
    `phases ${only.join(',')}:` +
    (serve ? ` ${options.seconds} s per load run, ${options.erasures} erasures;` : '') +
    (on('reports') ? ` reports at ${n0(options.events)} events, ${options.runs} runs each;` : '') +
    ' embedded stores, encryption on, SIEM file sink on' +
    (serve ? `; serve's workers ${workersLayout()}` : '') +
    (serve && options.serveNodeFlags.length > 0
      ? `; serve run as node ${options.serveNodeFlags.join(' ')}`
      : '') +
    (fsNote !== null ? `\n${fsNote}` : '');
  process.stdout.write(`\n${heading}\n\n${table(rows)}\n`);

  // One .cpuprofile per thread that ran JavaScript (the event loop, the SQLite writer):
  // open them in Chrome DevTools or speedscope for the flame graph.
  const profiles = options.profile
    ? ['serve', 'replay'].flatMap((name) => {
        const dir = join(options.profile!, name);
        return existsSync(dir)
          ? summarizeProfiles(dir, resolve(__dirname, '../..')).map((p) => ({
              process: name,
              ...p,
            }))
          : [];
      })
    : [];
  for (const p of profiles)
    process.stdout.write(`\nCPU profile of authtrail ${p.process}, ${formatProfile(p)}\n`);

  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(
    options.out,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        host,
        git,
        options,
        fsNote,
        rows,
        errors,
        limits,
        serve,
        reports,
        profiles,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nresults: ${options.out}\n`);

  const disagree = reports !== null && reports.reports.some((t) => !t.agree);
  if (disagree) process.stderr.write('the dedupe strategies disagree on at least one report\n');
  const missed = rows.some((r) => r.result === 'MISSED');
  if (errors.length > 0 || disagree || (options.strict && missed)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});

/**
 * What the highest RSS sample of any load was made of: anonymous memory (the V8 heaps,
 * ClickHouse's and SQLite's caches, stacks) and file-backed pages, most of them the
 * embedded ClickHouse library's code, which the kernel may drop but counts as resident.
 */
function rssSplit(s: ServeResult): string {
  const top = [s.batched, s.single, s.wrk]
    .filter((w): w is NonNullable<typeof w> => w !== null && w.serverRssAtMax !== null)
    .sort((a, b) => (b.serverRssMaxBytes ?? 0) - (a.serverRssMaxBytes ?? 0))[0];
  if (!top?.serverRssAtMax) return '';
  const chdb =
    s.serverChdbLibraryRssBytes === null
      ? ''
      : `, ${n0(s.serverChdbLibraryRssBytes / MIB)} of it libchdb.so`;
  return `; highest sample ${n0((top.serverRssMaxBytes ?? 0) / MIB)} MiB: ${n0(top.serverRssAtMax.anonBytes / MIB)} anonymous, ${n0(top.serverRssAtMax.fileBytes / MIB)} file-backed${chdb}`;
}

/** Where serve runs its workers in this run (AUTHTRAIL_WORKERS_THREAD, handed on to it). */
function workersLayout(): string {
  const v = process.env.AUTHTRAIL_WORKERS_THREAD?.toLowerCase();
  if (v && ['0', 'false', 'off', 'no'].includes(v))
    return "on the API's event loop (AUTHTRAIL_WORKERS_THREAD=off)";
  const nice = process.env.AUTHTRAIL_API_NICE;
  return nice === undefined
    ? 'on their own thread'
    : `on their own thread, the API at AUTHTRAIL_API_NICE=${nice}`;
}
