import type { WindowQuery } from '../../../domain/read-model.types';
import { defineReport, list } from '../report-definition';
import { windowOf, windowParam } from '../report-params';
import { TABLES, WINDOW, windowParams } from '../report-sql';
import { SELF_SERVICE } from './sspr-sql';

export const resetMethods = defineReport<WindowQuery, { method: string; count: number }[]>({
  service: 'sspr',
  name: 'reset-methods',
  title: 'Most common methods used to reset',
  defaultDays: 30,
  params: (p, ctx) => windowParam(p, ctx, 30, 'sspr'),
  query: async (sql, q) => {
    const rows = await sql.select<{ method: string; count: number }>(
      `SELECT arrayJoin(methods) AS method, count() AS count
FROM ${sql.rows(TABLES.sspr, 'methods', `${WINDOW} AND type = '${SELF_SERVICE}' AND status = 'Success'`)}
GROUP BY method ORDER BY count DESC, method`,
      windowParams(q),
    );
    return rows.map((r) => ({ method: r.method, count: Number(r.count) }));
  },
  columns: ['method', 'count'],
  present: (items, q) => list(items, windowOf(q)),
});
