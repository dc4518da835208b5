import { currentStateParams } from '../report-params';
import { defineReport, single } from '../report-definition';
import { RegistrationScope, registrationParams, successfulRegistrations } from './sspr-sql';

export const registeredCount = defineReport<RegistrationScope, number>({
  service: 'sspr',
  name: 'registered-count',
  title: 'How many people have registered?',
  defaultDays: null,
  params: (p, ctx) => {
    currentStateParams(p);
    return { tenantId: ctx.tenantId, since: ctx.since('sspr') };
  },
  query: async (sql, q) => {
    const rows = await sql.select<{ n: number }>(
      `SELECT count() AS n FROM ${successfulRegistrations(sql)}`,
      registrationParams(q),
    );
    return Number(rows[0]?.n ?? 0);
  },
  columns: ['count'],
  answer: 'figures',
  present: (count) => single({ count }),
});
