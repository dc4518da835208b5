import type { PersonSignal } from '../../../domain/read-model.types';
import { ADMIN_SELF_RESET_MIN, SIGNAL_REPORT_DAYS } from '@authtrail/catalog';
import { defineReport, list, person } from '../report-definition';
import { windowOf, windowParam } from '../report-params';
import { windowParams } from '../report-sql';
import { SignalQuery, adminSelfResetSql, signalOf } from './sspr-sql';

export const adminSelfResets = defineReport<SignalQuery, PersonSignal[]>({
  service: 'sspr',
  name: 'admin-self-resets',
  title: 'Which admins reset their own password (self-service) at least min times?',
  defaultDays: SIGNAL_REPORT_DAYS,
  params: (p, ctx) => ({
    ...windowParam(p, ctx, SIGNAL_REPORT_DAYS, 'sspr'),
    min: p.int('min', 1, 1_000_000) ?? ADMIN_SELF_RESET_MIN,
  }),
  query: async (sql, q) => {
    const rows = await sql.select(`${adminSelfResetSql(sql)} ORDER BY count DESC, subject_id`, {
      ...windowParams(q),
      min: q.min,
    });
    return rows.map(signalOf);
  },
  columns: ['user', 'subjectId', 'erased', 'role', 'count', 'firstAt', 'lastAt'],
  present: async (rows, q, ctx) => {
    const people = await ctx.people(rows.map((r) => r.subjectId));
    const items = rows.map((r) => ({
      ...person(people, r.subjectId),
      role: r.role,
      count: r.count,
      firstAt: r.firstAt.toISOString(),
      lastAt: r.lastAt.toISOString(),
    }));
    return list(items, windowOf(q));
  },
});
