import type { PersonSignal } from '../../../domain/read-model.types';
import { ADMIN_SELF_RESET_MIN, SIGNAL_REPORT_DAYS, SUSPICIOUS_SIGNALS } from '@authtrail/catalog';
import { defineReport, list, person } from '../report-definition';
import { windowOf, windowParam } from '../report-params';
import { ReportSql, TABLES, WINDOW, windowParams } from '../report-sql';
import { SignalQuery, adminSelfResetSql, signalOf } from './sspr-sql';

/** Items per answer: the most frequent first; `total` tells how many there are. */
const DEFAULT_SIGNALS = 1000;
const MAX_SIGNALS = 100_000;
const { blocked, resetAttempts, failureBurst } = SUSPICIOUS_SIGNALS;

/**
 * For each k, how many of the sorted times `t` (ms) fall in [t[k], t[k] + span): one sort
 * per array instead of comparing every pair. The times doubled plus one are merged with
 * each window end doubled, so an end sorts before a time at the same instant; the times
 * before each end, less the k - 1 before its start, are its count. Among equal times
 * this undercounts all but the first, which keeps the true count and the first index, so
 * the peak and where it starts come out right.
 */
function windowCounts(t: string, spanMs: number): string {
  const merged = `arraySort(arrayConcat(arrayMap(x -> (x + ${spanMs}) * 2, ${t}), arrayMap(x -> x * 2 + 1, ${t})))`;
  return `arrayMap((below, k) -> below - k + 1, arrayFilter((c, x) -> x % 2 = 0, arrayCumSum(arrayMap(x -> x % 2, ${merged})), ${merged}), arrayEnumerate(${t}))`;
}

/**
 * The `reset-attempts` and `failure-burst` signals in one pass over the window. Each row
 * of a person (actor) is packed into one UInt128 — time in ms, kind bits (1 reset
 * attempt, 2 failure), log position — so a twin row is the same number, one array per
 * person holds both kinds, and sorting it is numeric. Arrays are kept only for people
 * who could show a signal (counts include twins, so none is missed).
 *
 * A burst is the most of a person's events in any [t, t + span) starting at one of their
 * events. Rather than window functions, which sort every row of the window by person
 * first (most of this report's time), it comes from the sorted times of each person.
 */
function burstsSql(sql: ReportSql): string {
  const times = (bit: number) =>
    `arrayMap(e -> toInt64(bitShiftRight(e, 66)), arrayFilter(e -> bitAnd(toUInt8(bitShiftRight(e, 64) % 4), ${bit}) != 0, ev))`;
  // Per person and signal, a tuple (signal, count, first ms, last ms); count 0 = none.
  const burst = (name: string, t: string, n: string, over: number) =>
    `('${name}', toUInt64(if(arrayMax(${n}) > ${over}, arrayMax(${n}), 0)), ${t}[arrayFirstIndex(x -> x = arrayMax(${n}), ${n})], ${t}[arrayFirstIndex(x -> x = arrayMax(${n}), ${n}) + arrayMax(${n}) - 1])`;
  const attempt = `type IN (${resetAttempts.types.map((t) => `'${t}'`).join(', ')})`;
  const failure = `status = '${failureBurst.status}'`;
  return `SELECT subject_id, s.1 AS signal, s.2 AS count,
  s.3 AS first_ms, s.4 AS last_ms, '' AS role
FROM (
  SELECT subject_id, arrayJoin(arrayFilter(s -> s.2 > 0, [
    ${burst(resetAttempts.name, 'rt', 'rn', resetAttempts.moreThan)},
    ${burst(failureBurst.name, 'ft', 'fn', failureBurst.moreThan)}])) AS s
  FROM (
    SELECT subject_id, rt, ft, ${windowCounts('rt', resetAttempts.withinMs)} AS rn, ${windowCounts('ft', failureBurst.withinMs)} AS fn
    FROM (
      SELECT subject_id, ${times(1)} AS rt, ${times(2)} AS ft
      FROM (
        SELECT subject_id, arraySort(arrayDistinct(events)) AS ev
        FROM (
          SELECT actor_id AS subject_id,
            groupArray(bitShiftLeft(toUInt128(toUnixTimestamp64Milli(occurred_at)), 66)
              + bitShiftLeft(toUInt128((${attempt}) + 2 * (${failure})), 64)
              + position) AS events
          FROM ${sql.table(TABLES.sspr)}
          WHERE ${WINDOW} AND (${attempt} OR ${failure})
          GROUP BY subject_id
          HAVING countIf(${attempt}) > ${resetAttempts.moreThan} OR countIf(${failure}) > ${failureBurst.moreThan}
        )
      )
    )
  )
)`;
}

interface SuspiciousQuery extends SignalQuery {
  readonly limit: number;
}

export const suspicious = defineReport<SuspiciousQuery, { items: PersonSignal[]; total: number }>({
  service: 'sspr',
  name: 'suspicious',
  title:
    'Suspicious activity: blocked from reset, bursts of attempts or failures, admins resetting their own password',
  defaultDays: SIGNAL_REPORT_DAYS,
  params: (p, ctx) => ({
    ...windowParam(p, ctx, SIGNAL_REPORT_DAYS, 'sspr'),
    min: p.int('min', 1, 1_000_000) ?? ADMIN_SELF_RESET_MIN,
    limit: p.int('limit', 1, MAX_SIGNALS) ?? DEFAULT_SIGNALS,
  }),
  query: async (sql, q) => {
    // Only the first `limit` items leave ClickHouse: at 10M events a 30-day window holds
    // ~170k items, and moving them out took longer than finding them.
    const rows = await sql.select(
      `SELECT *, count() OVER () AS total FROM (
SELECT target_id AS subject_id, '${blocked.name}' AS signal, count() AS count,
  toUnixTimestamp64Milli(min(occurred_at)) AS first_ms, toUnixTimestamp64Milli(max(occurred_at)) AS last_ms, '' AS role
FROM ${sql.rows(TABLES.sspr, 'target_id, occurred_at', `${WINDOW} AND type = '${blocked.types[0]}'`)}
GROUP BY subject_id
UNION ALL ${burstsSql(sql)}
UNION ALL ${adminSelfResetSql(sql, "'admin-self-reset' AS signal, ")}
) ORDER BY count DESC, signal, subject_id LIMIT {limit:UInt32}`,
      { ...windowParams(q), min: q.min, limit: q.limit },
    );
    return { items: rows.map(signalOf), total: Number(rows[0]?.total ?? 0) };
  },
  columns: ['user', 'subjectId', 'erased', 'signal', 'count', 'firstAt', 'lastAt'],
  present: async ({ items: rows, total }, q, ctx) => {
    const people = await ctx.people(rows.map((r) => r.subjectId));
    const items = rows.map((r) => ({
      ...person(people, r.subjectId),
      signal: r.signal,
      count: r.count,
      firstAt: r.firstAt.toISOString(),
      lastAt: r.lastAt.toISOString(),
    }));
    return list(items, { ...windowOf(q), total });
  },
});
