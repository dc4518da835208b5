import type { WindowQuery } from '../../../domain/read-model.types';
import { defineReport, list } from '../report-definition';
import { windowOf, windowParam } from '../report-params';
import { TABLES, WINDOW, windowParams } from '../report-sql';
import { BY_ADMIN, SELF_SERVICE } from './sspr-sql';

const DAY_MS = 86_400_000;
/** Days up to this window, weeks beyond (as the console's charts bucket). */
const DAYS_UP_TO = 92;
/** More buckets than a chart can show: a longer window needs weeks. */
const MAX_BUCKETS = 400;

export type ResetsInterval = 'day' | 'week';

export interface ResetsOverTimeQuery extends WindowQuery {
  readonly interval: ResetsInterval;
}

/** One bucket of the series: the successful resets in `[from, to)`. */
export interface ResetsBucket {
  readonly from: Date;
  readonly to: Date;
  readonly users: number;
  readonly resets: number;
  readonly selfService: number;
  readonly byAdmin: number;
}

const stepOf = (interval: ResetsInterval): number => (interval === 'week' ? 7 * DAY_MS : DAY_MS);
/** Bucket 0 ends at the first UTC midnight (or week) after the window's start. */
const baseOf = (from: Date): number => Math.floor(from.getTime() / DAY_MS) * DAY_MS;

/**
 * The window cut on UTC day boundaries (or weeks from the first one): the first bucket
 * starts at the window's start and the last ends at its end, so they add up to the window.
 */
export function resetBuckets(q: ResetsOverTimeQuery): { from: Date; to: Date }[] {
  const step = stepOf(q.interval);
  const base = baseOf(q.from);
  const out: { from: Date; to: Date }[] = [];
  for (let k = 0; base + k * step < q.to.getTime(); k++) {
    const from = Math.max(q.from.getTime(), base + k * step);
    out.push({
      from: new Date(from),
      to: new Date(Math.min(q.to.getTime(), base + (k + 1) * step)),
    });
  }
  return out;
}

/**
 * The successful resets per day (or week) of the window in one answer: the chart of the
 * resets question without one request per bucket. Each bucket counts as `resets` does
 * for the same `[from, to)`; buckets without resets are there with zeros.
 */
export const resetsOverTime = defineReport<ResetsOverTimeQuery, ResetsBucket[]>({
  service: 'sspr',
  name: 'resets-over-time',
  title: 'How many people reset their passwords (successfully), per day or week?',
  defaultDays: 30,
  params: (p, ctx) => {
    const w = windowParam(p, ctx, 30, 'sspr');
    const span = w.to.getTime() - w.from.getTime();
    const interval =
      p.oneOf('interval', ['day', 'week'] as const) ??
      (span > DAYS_UP_TO * DAY_MS ? 'week' : 'day');
    const q = { ...w, interval };
    if (span > 0 && resetBuckets(q).length > MAX_BUCKETS)
      p.fail(
        'interval',
        `gives more than ${MAX_BUCKETS} buckets for this window: use interval=week or a shorter window`,
      );
    return q;
  },
  query: async (sql, q) => {
    const rows = await sql.select(
      `SELECT intDiv(toUnixTimestamp64Milli(occurred_at) - {base:Int64}, {step:Int64}) AS bucket,
  uniqExact(target_id) AS users, count() AS resets,
  countIf(type = '${SELF_SERVICE}') AS selfService, countIf(type = '${BY_ADMIN}') AS byAdmin
FROM ${sql.rows(TABLES.sspr, 'type, target_id, occurred_at', `${WINDOW} AND type IN ('${SELF_SERVICE}', '${BY_ADMIN}') AND status = 'Success'`)}
GROUP BY bucket ORDER BY bucket`,
      { ...windowParams(q), base: baseOf(q.from), step: stepOf(q.interval) },
    );
    const counted = new Map(rows.map((r) => [Number(r.bucket), r]));
    return resetBuckets(q).map((b, k) => {
      const r = counted.get(k);
      return {
        ...b,
        users: Number(r?.users ?? 0),
        resets: Number(r?.resets ?? 0),
        selfService: Number(r?.selfService ?? 0),
        byAdmin: Number(r?.byAdmin ?? 0),
      };
    });
  },
  columns: ['from', 'to', 'users', 'resets', 'selfService', 'byAdmin'],
  present: (buckets, q) =>
    list(
      buckets.map((b) => ({ ...b, from: b.from.toISOString(), to: b.to.toISOString() })),
      { interval: q.interval, ...windowOf(q) },
    ),
});
