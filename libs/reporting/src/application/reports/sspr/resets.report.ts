import type { ResetsSummary, WindowQuery } from '../../../domain/read-model.types';
import { defineReport, single } from '../report-definition';
import { windowOf, windowParam } from '../report-params';
import { TABLES, WINDOW, windowParams } from '../report-sql';
import { BY_ADMIN, SELF_SERVICE } from './sspr-sql';

export const resets = defineReport<WindowQuery, ResetsSummary>({
  service: 'sspr',
  name: 'resets',
  title: 'How many people reset their passwords (successfully)?',
  defaultDays: 7,
  params: (p, ctx) => windowParam(p, ctx, 7, 'sspr'),
  query: async (sql, q) => {
    const rows = await sql.select(
      `SELECT uniqExact(target_id) AS users, count() AS resets,
  countIf(type = '${SELF_SERVICE}') AS selfService, countIf(type = '${BY_ADMIN}') AS byAdmin
FROM ${sql.rows(TABLES.sspr, 'type, target_id', `${WINDOW} AND type IN ('${SELF_SERVICE}', '${BY_ADMIN}') AND status = 'Success'`)}`,
      windowParams(q),
    );
    const r = rows[0] ?? {};
    return {
      users: Number(r.users ?? 0),
      resets: Number(r.resets ?? 0),
      selfService: Number(r.selfService ?? 0),
      byAdmin: Number(r.byAdmin ?? 0),
    };
  },
  columns: ['users', 'resets', 'selfService', 'byAdmin'],
  answer: 'figures',
  present: (summary, q) => single({ ...summary }, windowOf(q)),
});
