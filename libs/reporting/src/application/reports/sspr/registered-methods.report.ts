import type { MethodSetItem } from '../../../domain/read-model.types';
import { currentStateParams } from '../report-params';
import { defineReport, list } from '../report-definition';
import { RegistrationScope, registrationParams, successfulRegistrations } from './sspr-sql';

export const registeredMethods = defineReport<RegistrationScope, MethodSetItem[]>({
  service: 'sspr',
  name: 'registered-methods',
  title: 'What data are people registering?',
  defaultDays: null,
  params: (p, ctx) => {
    currentStateParams(p);
    return { tenantId: ctx.tenantId, since: ctx.since('sspr') };
  },
  query: async (sql, q) => {
    const rows = await sql.select<{ method_set: string[]; users: number }>(
      `SELECT arraySort(methods) AS method_set, count() AS users FROM ${successfulRegistrations(sql)}
GROUP BY method_set
ORDER BY users DESC, toString(method_set)`,
      registrationParams(q),
    );
    return rows.map((r) => ({ methods: r.method_set, users: Number(r.users) }));
  },
  columns: ['methods', 'users'],
  present: (items) => list(items),
});
