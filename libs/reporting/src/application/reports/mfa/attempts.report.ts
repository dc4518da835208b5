import type { AttemptsItem, WindowQuery } from '../../../domain/read-model.types';
import { defineReport, list } from '../report-definition';
import { windowOf, windowParam } from '../report-params';
import { TABLES, WINDOW, windowParams } from '../report-sql';

export const attempts = defineReport<WindowQuery, AttemptsItem[]>({
  service: 'mfa',
  name: 'attempts',
  title: 'Authentication attempts by method and result',
  defaultDays: 30,
  params: (p, ctx) => windowParam(p, ctx, 30, 'mfa'),
  query: async (sql, q) => {
    // In `auto`, twins are dropped inside the aggregate: counting distinct log positions
    // per group needs no deduplicated row stream first (10M events: 233 ms against 386).
    const rows = await sql.select(
      sql.dedupe === 'auto'
        ? `SELECT method, status, uniqExact(position) AS count, uniqExact(target_id) AS users
FROM ${sql.table(TABLES.attempts)} WHERE ${WINDOW}
GROUP BY method, status ORDER BY method, status`
        : `SELECT method, status, count() AS count, uniqExact(target_id) AS users
FROM ${sql.rows(TABLES.attempts, 'method, status, target_id', WINDOW)}
GROUP BY method, status ORDER BY method, status`,
      windowParams(q),
    );
    return rows.map((r) => ({
      method: String(r.method),
      status: String(r.status),
      count: Number(r.count),
      users: Number(r.users),
    }));
  },
  columns: ['method', 'status', 'count', 'users'],
  present: (items, q) => list(items, windowOf(q)),
});
