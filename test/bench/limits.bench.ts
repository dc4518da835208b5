/**
 * The ingest limits alone (see limits.ts), without a server:
 *
 *   node test/bench/run.js limits [--events 50000]
 */
import { measureLimits } from './limits';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--events');
  const events = Number(i > 0 ? process.argv[i + 1] : '50000');
  const r = await measureLimits({ events, log: (l) => process.stderr.write(`${l}\n`) });
  for (const [name, run] of [
    ['parse + validate + seal (no store)', r.pipeline],
    ['SQLite batched append, same schema (1000 per transaction)', r.sqlite],
    ['SQLite batched append, events table only', r.sqliteEventsOnly],
    [`SQLite append, same schema (${r.groupEvents} per transaction)`, r.sqliteGroup],
    ['SIEM forwarding (NDJSON file sink, from position 0)', r.forwarder],
  ] as const)
    process.stdout.write(
      `${name.padEnd(60)} ${Math.round(run.eventsPerSecond).toLocaleString('en-US').padStart(9)} events/s  ${run.microsPerEvent.toFixed(1).padStart(6)} µs/event ${run.cpuMicrosPerEvent.toFixed(1).padStart(6)} µs CPU/event\n`,
    );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
