/**
 * Benchmark of the ClickHouse read model: loads N events into the embedded event store,
 * projects them (throughput), measures end-to-end lag of live appends through the
 * subscription, and the latency (median, p95) of every report query with each read-time
 * dedupe strategy, after every event was written twice (the worst case a replay leaves
 * before ClickHouse merges).
 *
 *   node test/bench/run.js reports --events 1000000 [--runs 20] [--keep]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventCatalog } from '@authtrail/catalog';
import { AppendToStream, NewEvent, SqliteEventStore, encodeEnvelope } from '@authtrail/event-store';
import {
  ClickHouseReadModel,
  DedupeMode,
  Projector,
  createClickHouseClient,
} from '@authtrail/reporting';
import { mixedTraffic } from './mixed-traffic';

const DAY = 86_400_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (n: number): string => `${n.toFixed(1)} ms`;

/** Producer events → stored envelopes, split by the real catalog; personal fields become random "ciphertext" of realistic size. */
function* envelopes(total: number, now: Date): Generator<{ tenantId: string; event: NewEvent }> {
  const catalog = EventCatalog.default();
  const subjects = new Map<string, string>();
  const subjectOf = (upn: string): string => {
    let id = subjects.get(upn);
    if (!id) subjects.set(upn, (id = `s_${randomBytes(16).toString('base64url')}`));
    return id;
  };
  let made = 0;
  for (let seed = 1; made < total; seed++) {
    const { events } = mixedTraffic({ people: 2000, days: 60, now, seed });
    for (const e of events) {
      if (made >= total) return;
      made++;
      // One event in ten belongs to another tenant: reports filter by tenant.
      const tenantId = made % 10 === 0 ? 'other' : 'bench';
      const split = catalog.split(e);
      const roleSubjects: Record<string, string> = {};
      const sealed: Record<string, string> = {};
      for (const role of ['actor', 'target'] as const) {
        const p = e[role];
        if (!p) continue;
        const sid = subjectOf(`${tenantId}/${seed}/${p.userPrincipalName}`);
        roleSubjects[role] = sid;
        sealed[sid] = randomBytes(120 + JSON.stringify(split.personal[role] ?? {}).length).toString(
          'base64url',
        );
      }
      const def = catalog.get(e.type)!;
      yield {
        tenantId,
        event: {
          eventId: e.eventId.replace(/^.{8}/, randomBytes(4).toString('hex')),
          type: e.type,
          fingerprint: e.eventId,
          subjectIds: Object.values(roleSubjects),
          occurredAt: new Date(e.occurredAt),
          data: encodeEnvelope({
            eventId: e.eventId,
            tenantId,
            type: e.type,
            schemaVersion: def.schemaVersion,
            occurredAt: e.occurredAt,
            recordedAt: now.toISOString(),
            subjects: roleSubjects,
            data: split.data,
            sealed,
          }),
        },
      };
    }
  }
}

async function load(store: SqliteEventStore, total: number, now: Date): Promise<number> {
  const started = Date.now();
  let batch: { tenantId: string; event: NewEvent }[] = [];
  const flush = async () => {
    for (const tenantId of ['bench', 'other']) {
      const streams: AppendToStream[] = batch
        .filter((b) => b.tenantId === tenantId)
        .map((b) => ({
          streamId: `t-${tenantId}-${b.event.type.split('.')[0]}-${b.event.subjectIds[0] ?? 'none'}`,
          expectedRevision: 'any',
          events: [b.event],
        }));
      if (streams.length > 0) await store.append(tenantId, streams);
    }
    batch = [];
  };
  for (const e of envelopes(total, now)) {
    batch.push(e);
    if (batch.length === 1000) await flush();
  }
  await flush();
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const total = Number(arg('events', '100000'));
  const runs = Number(arg('runs', '15'));
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-bench-'));
  const now = new Date();
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  const client = createClickHouseClient({ url: null, path: join(dir, 'clickhouse') });
  const models: Record<DedupeMode, ClickHouseReadModel> = {
    'limit-by': new ClickHouseReadModel(client, { dedupe: 'limit-by' }),
    final: new ClickHouseReadModel(client, { dedupe: 'final' }),
    auto: new ClickHouseReadModel(client, { dedupe: 'auto' }),
  };
  const model = models['limit-by'];
  await model.init();
  const out: [string, string][] = [];
  try {
    process.stderr.write(`loading ${total} events into the event store…\n`);
    const loadSeconds = await load(store, total, now);
    out.push(['events in the log', String(await store.headPosition())]);
    out.push(['log load (SQLite append)', `${Math.round(total / loadSeconds)} events/s`]);

    process.stderr.write('projecting…\n');
    const projector = new Projector(
      store,
      model,
      EventCatalog.default(),
      {},
      { batchSize: 10_000 },
    );
    let t0 = Date.now();
    await projector.catchUp();
    const projectSeconds = (Date.now() - t0) / 1000;
    out.push([
      'projection throughput',
      `${Math.round(total / projectSeconds)} events/s (${projectSeconds.toFixed(1)} s)`,
    ]);

    // Replay on top: every row now exists twice until ClickHouse merges.
    t0 = Date.now();
    await projector.apply(await store.readAll({ after: 0, limit: Math.min(total, 50_000) }));
    out.push([
      'duplicate rows written (replayed 50k)',
      `${((Date.now() - t0) / 1000).toFixed(1)} s`,
    ]);

    process.stderr.write('measuring live lag…\n');
    const live = new Projector(store, model, EventCatalog.default(), {}, { batchSize: 5000 });
    await live.start();
    const lags: number[] = [];
    const small = envelopes(200 * 10, new Date());
    for (let i = 0; i < 200; i++) {
      const events: NewEvent[] = [];
      for (let k = 0; k < 10; k++) {
        const next = small.next();
        if (!next.done && next.value.tenantId === 'bench') events.push(next.value.event);
      }
      if (events.length === 0) continue;
      const appended = Date.now();
      const r = await store.append(
        'bench',
        events.map((event) => ({
          streamId: `t-bench-lag-${event.eventId}`,
          expectedRevision: 'any',
          events: [event],
        })),
      );
      while (live.position < (r.lastPosition ?? 0)) await new Promise((res) => setImmediate(res));
      lags.push(Date.now() - appended);
      await new Promise((res) => setTimeout(res, 5));
    }
    await live.stop();
    out.push([
      'end-to-end lag (append → queryable), 10-event batches',
      `p50 ${ms(pct(lags, 50))}, p95 ${ms(pct(lags, 95))}`,
    ]);

    const w = {
      tenantId: 'bench',
      from: new Date(now.getTime() - 30 * DAY),
      to: new Date(now.getTime() + 60_000),
    };
    const since = new Date(now.getTime() - 365 * DAY);
    const reports: [string, (m: ClickHouseReadModel) => Promise<unknown>][] = [
      ['sspr/registered-count', (m) => m.registeredCount('bench', since)],
      [
        'sspr/registrations (100)',
        (m) => m.registrations({ tenantId: 'bench', since, limit: 101, after: null }),
      ],
      ['sspr/registered-methods', (m) => m.registeredMethods('bench', since)],
      ['sspr/resets (7 days)', (m) => m.resets({ ...w, from: new Date(now.getTime() - 7 * DAY) })],
      ['sspr/reset-methods', (m) => m.resetMethods(w)],
      ['sspr/problems', (m) => m.problems(w)],
      ['sspr/admin-self-resets', (m) => m.adminSelfResets(w, 3)],
      ['sspr/suspicious', (m) => m.suspicious(w, 3)],
      ['mfa/attempts', (m) => m.mfaAttempts(w)],
      ['mfa/blocks (100)', (m) => m.mfaBlocks({ ...w, limit: 101, after: null })],
      ['mfa/bypasses (100)', (m) => m.mfaBypasses({ ...w, limit: 101, after: null })],
      ['mfa/activations (100)', (m) => m.mfaActivations({ ...w, limit: 101, after: null })],
      ['mfa/changes (100)', (m) => m.mfaChanges({ ...w, limit: 101, after: null })],
      [
        'audit-events (100)',
        (m) =>
          m.auditEvents({
            ...w,
            since: { sspr: since, mfa: new Date(now.getTime() - 90 * DAY) },
            services: ['sspr', 'mfa'],
            types: [],
            status: null,
            actorId: null,
            targetId: null,
            limit: 101,
            after: null,
          }),
      ],
    ];
    process.stderr.write('timing reports…\n');
    const rows: string[][] = [];
    for (const [name, run] of reports) {
      const cells = [name];
      const answers: string[] = [];
      for (const mode of ['limit-by', 'final', 'auto'] as const) {
        const times: number[] = [];
        let answer: unknown;
        for (let i = 0; i < runs + 2; i++) {
          const s = process.hrtime.bigint();
          answer = await run(models[mode]);
          if (i >= 2) times.push(Number(process.hrtime.bigint() - s) / 1e6);
        }
        answers.push(JSON.stringify(answer));
        cells.push(`${ms(pct(times, 50))} / ${ms(pct(times, 95))}`);
      }
      cells.push(new Set(answers).size === 1 ? 'same' : 'DIFFERENT');
      rows.push(cells);
    }

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
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
    process.stdout.write(
      `\n${line(header)}\n${line(widths.map((n) => '-'.repeat(n)))}\n${rows.map(line).join('\n')}\n`,
    );
    // The three ways of removing duplicates must give one answer; CI runs this small.
    if (rows.some((r) => r[r.length - 1] !== 'same')) {
      process.stderr.write('the dedupe strategies disagree on at least one report\n');
      process.exitCode = 1;
    }
  } finally {
    await client.close();
    await store.close();
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
