/**
 * Benchmark of the ClickHouse read model alone: loads N events into the embedded event
 * store, projects them (throughput), measures end-to-end lag of live appends through the
 * subscription, and the latency (median, p95) of every report query with each read-time
 * dedupe strategy, after part of the log was written twice (the worst case a replay
 * leaves before ClickHouse merges). Exits 1 when the strategies disagree.
 * `npm run bench` runs the same as its `reports` phase (all.bench.ts).
 *
 *   node test/bench/run.js reports --events 1000000 [--runs 20] [--keep]
 */
import { DEDUPE_MODES, runReadModelBench } from './read-model-bench';
import { removalWarning, removeScratchDirs } from './scratch-dirs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const total = Number(arg('events', '100000'));
  const runs = Number(arg('runs', '15'));
  const fsNote = removalWarning();
  if (fsNote !== null) process.stderr.write(`${fsNote}\n`);
  const r = await runReadModelBench({
    events: total,
    runs,
    keep: process.argv.includes('--keep'),
  }).finally(() => removeScratchDirs());
  const out: [string, string][] = [
    ['events in the log', String(r.eventsInLog)],
    ['stored envelope, average', `${Math.round(r.envelopeBytes)} bytes`],
    ['log load (SQLite append)', `${Math.round(r.loadEventsPerSecond)} events/s`],
    [
      'projection throughput',
      `${Math.round(r.projection.eventsPerSecond)} events/s (${r.projection.seconds.toFixed(1)} s)`,
    ],
    ['duplicate rows written (replayed 50k)', `${r.duplicateRowsSeconds.toFixed(1)} s`],
    [
      'end-to-end lag (append → queryable), 10-event batches',
      `p50 ${ms(r.liveLag.p50)}, p95 ${ms(r.liveLag.p95)}`,
    ],
  ];
  const width = Math.max(...out.map(([k]) => k.length));
  process.stdout.write(
    `\nauthtrail read-model benchmark: ${total} events, ${runs} runs per report (node ${process.version})\n\n`,
  );
  for (const [k, v] of out) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  const header = [
    'report (30-day window)',
    'LIMIT 1 BY p50 / p95',
    'FINAL p50 / p95',
    'auto (default) p50 / p95',
    'answers',
  ];
  const rows = r.reports.map((t) => [
    t.report,
    ...DEDUPE_MODES.map((m) => `${ms(t.latency[m].p50)} / ${ms(t.latency[m].p95)}`),
    t.agree ? 'same' : 'DIFFERENT',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(
    `\n${line(header)}\n${line(widths.map((n) => '-'.repeat(n)))}\n${rows.map(line).join('\n')}\n`,
  );
  // The three ways of removing duplicates must give one answer; CI checks this at a small size.
  if (r.reports.some((t) => !t.agree)) {
    process.stderr.write('the dedupe strategies disagree on at least one report\n');
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
