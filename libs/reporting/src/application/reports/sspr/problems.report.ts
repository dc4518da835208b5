import type { WindowQuery } from '../../../domain/read-model.types';
import { defineReport, list } from '../report-definition';
import { windowOf, windowParam } from '../report-params';
import { TABLES, WINDOW, windowParams } from '../report-sql';

type Problem = { type: string; reason: string | null; count: number };

export const problems = defineReport<WindowQuery, Problem[]>({
  service: 'sspr',
  name: 'problems',
  title: 'What problems do people have? (failures by type and reason)',
  defaultDays: 30,
  params: (p, ctx) => windowParam(p, ctx, 30, 'sspr'),
  query: async (sql, q) => {
    const rows = await sql.select<{ type: string; reason: string; count: number }>(
      `SELECT type, reason, count() AS count
FROM ${sql.rows(TABLES.sspr, 'type, reason', `${WINDOW} AND status = 'Failure'`)}
GROUP BY type, reason ORDER BY count DESC, type, reason`,
      windowParams(q),
    );
    return rows.map((r) => ({
      type: r.type,
      reason: r.reason === '' ? null : r.reason,
      count: Number(r.count),
    }));
  },
  columns: ['type', 'reason', 'count'],
  present: (items, q) => list(items, windowOf(q)),
});
