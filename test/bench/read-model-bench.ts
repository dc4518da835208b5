/**
 * The read model at scale: N events straight into the embedded event store (no HTTP),
 * projected into the in-process ClickHouse, then every report timed under each read-time
 * dedupe strategy. Used by `reports.bench.ts` (its own table) and `all.bench.ts` (the
 * `reports` phase of `npm run bench`).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { EventCatalog } from '@authtrail/catalog';
import { AppendToStream, NewEvent, SqliteEventStore, encodeEnvelope } from '@authtrail/event-store';
import {
  ClickHouseCheckpointStore,
  ClickHouseClientExecutor,
  ClickHouseProjectionWriter,
  DedupeMode,
  Projector,
  createClickHouseClient,
  migrateReadModel,
  readModelSettings,
  AnyReport,
  ParamReader,
  REPORTS,
  ReportContext,
  ReportSql,
  SqlReportReader,
  auditEventsQuery,
} from '@authtrail/reporting';
import { mixedTraffic } from './mixed-traffic';
import { discardScratchDir, scratchDir } from './scratch-dirs';

const DAY = 86_400_000;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

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

async function load(
  store: SqliteEventStore,
  total: number,
  now: Date,
): Promise<{ seconds: number; envelopeBytes: number }> {
  const started = Date.now();
  let bytes = 0;
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
    bytes += e.event.data.byteLength;
    batch.push(e);
    if (batch.length === 1000) await flush();
  }
  await flush();
  return { seconds: (Date.now() - started) / 1000, envelopeBytes: total === 0 ? 0 : bytes / total };
}

export const DEDUPE_MODES = ['limit-by', 'final', 'auto'] as const;

export interface ReportTiming {
  readonly report: string;
  /** Latency in ms per read-time dedupe strategy. */
  readonly latency: Record<DedupeMode, { readonly p50: number; readonly p95: number }>;
  /** The three strategies gave the same answer. */
  readonly agree: boolean;
}

export interface ReadModelBenchResult {
  readonly events: number;
  readonly runs: number;
  readonly eventsInLog: number;
  /** Average stored envelope (the bytes appended to the log per event). */
  readonly envelopeBytes: number;
  readonly loadEventsPerSecond: number;
  readonly projection: { readonly eventsPerSecond: number; readonly seconds: number };
  readonly duplicateRowsSeconds: number;
  /** Append → queryable through a live projector, 10-event batches, ms. */
  readonly liveLag: { readonly p50: number; readonly p95: number };
  readonly reports: readonly ReportTiming[];
}

/**
 * The read-model benchmark: loads `events` events into a fresh embedded event store,
 * projects them (throughput), measures end-to-end lag of live appends, writes part of the
 * log a second time (the duplicates a replay leaves before ClickHouse merges) and times
 * every report `runs` times under each dedupe strategy, checking they agree.
 */
export async function runReadModelBench(options: {
  readonly events: number;
  readonly runs: number;
  readonly keep?: boolean;
  /** Live appends timed for the end-to-end lag (default 200). */
  readonly lagSamples?: number;
  readonly log?: (line: string) => void;
}): Promise<ReadModelBenchResult> {
  const { events: total, runs } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = scratchDir('authtrail-bench-');
  const now = new Date();
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  const client = new ClickHouseClientExecutor(
    createClickHouseClient({ url: null, path: join(dir, 'clickhouse') }),
  );
  const reader = (dedupe: DedupeMode) =>
    new SqlReportReader(new ReportSql(client, { database: 'authtrail', dedupe }));
  const models: Record<DedupeMode, SqlReportReader> = {
    'limit-by': reader('limit-by'),
    final: reader('final'),
    auto: reader('auto'),
  };
  await migrateReadModel(client, readModelSettings());
  const model = new ClickHouseProjectionWriter(client, readModelSettings());
  const checkpoints = new ClickHouseCheckpointStore(client, readModelSettings());
  try {
    log(`loading ${total} events into the event store…`);
    const loaded = await load(store, total, now);
    const eventsInLog = await store.headPosition();

    log('projecting…');
    const deps = { store, writer: model, checkpoints, catalog: EventCatalog.default() };
    const projector = new Projector(deps, { batchSize: 10_000 });
    let t0 = Date.now();
    await projector.catchUp();
    const projectSeconds = (Date.now() - t0) / 1000;

    // Replay on top: every row now exists twice until ClickHouse merges.
    t0 = Date.now();
    await projector.apply(await store.readAll({ after: 0, limit: Math.min(total, 50_000) }));
    const duplicateRowsSeconds = (Date.now() - t0) / 1000;

    log('measuring live lag…');
    const live = new Projector(deps, { batchSize: 5000 });
    await live.start();
    const lags: number[] = [];
    const lagSamples = options.lagSamples ?? 200;
    const small = envelopes(lagSamples * 10, new Date());
    for (let i = 0; i < lagSamples; i++) {
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

    const w = {
      tenantId: 'bench',
      from: new Date(now.getTime() - 30 * DAY),
      to: new Date(now.getTime() + 60_000),
    };
    const since = new Date(now.getTime() - 365 * DAY);
    // Every report of the registry with its default parameters, as the API runs it.
    const ctx: ReportContext = {
      tenantId: 'bench',
      now,
      retentionDays: { sspr: 365, mfa: 90 },
      since: (category) => new Date(now.getTime() - (category === 'mfa' ? 90 : 365) * DAY),
      people: () => Promise.resolve(new Map()),
    };
    const reports: [string, (m: SqlReportReader) => Promise<unknown>][] = [
      ...(REPORTS as readonly AnyReport[]).map(
        (r): [string, (m: SqlReportReader) => Promise<unknown>] => {
          const params: unknown = r.params(new ParamReader({}), ctx);
          return [`${r.service}/${r.name}`, (m) => m.run(r.query, params)];
        },
      ),
      [
        'audit-events (100)',
        (m) =>
          m.run(auditEventsQuery, {
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
    log('timing reports…');
    const timings: ReportTiming[] = [];
    for (const [name, run] of reports) {
      const answers: string[] = [];
      const latency = {} as Record<DedupeMode, { p50: number; p95: number }>;
      for (const mode of DEDUPE_MODES) {
        const times: number[] = [];
        let answer: unknown;
        // Two unmeasured runs first: the first query of a table pays for loading its parts.
        for (let i = 0; i < runs + 2; i++) {
          const s = process.hrtime.bigint();
          answer = await run(models[mode]);
          if (i >= 2) times.push(Number(process.hrtime.bigint() - s) / 1e6);
        }
        answers.push(JSON.stringify(answer));
        latency[mode] = { p50: pct(times, 50), p95: pct(times, 95) };
      }
      timings.push({ report: name, latency, agree: new Set(answers).size === 1 });
    }
    return {
      events: total,
      runs,
      eventsInLog,
      envelopeBytes: loaded.envelopeBytes,
      loadEventsPerSecond: total / loaded.seconds,
      projection: { eventsPerSecond: total / projectSeconds, seconds: projectSeconds },
      duplicateRowsSeconds,
      liveLag: { p50: pct(lags, 50), p95: pct(lags, 95) },
      reports: timings,
    };
  } finally {
    await client.close();
    await store.close();
    if (!options.keep) discardScratchDir(dir);
  }
}
