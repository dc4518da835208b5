import type { RegistrationItem } from '../../../domain/read-model.types';
import { person, defineReport, list } from '../report-definition';
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  currentStateParams,
  cursorParam,
  pageOf,
} from '../report-params';
import { afterParams, parseDateTime64 } from '../report-sql';
import { RegistrationScope, registrationParams, successfulRegistrations } from './sspr-sql';

/** Sorted by `registeredAt` descending, then subject id descending; one more than the page. */
export interface RegistrationPage extends RegistrationScope {
  readonly limit: number;
  readonly after: { readonly at: Date; readonly id: string } | null;
}

export const registrations = defineReport<RegistrationPage, RegistrationItem[]>({
  service: 'sspr',
  name: 'registrations',
  title: 'Who has registered? (user, role, date and time, data registered)',
  defaultDays: null,
  params: (p, ctx) => {
    currentStateParams(p);
    const limit = p.int('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
    return { tenantId: ctx.tenantId, since: ctx.since('sspr'), limit, after: cursorParam(p) };
  },
  query: async (sql, q) => {
    const rows = await sql.select(
      `SELECT subject_id, role, methods, registered_at FROM ${successfulRegistrations(sql)}${q.after ? ` AND (registered_at, subject_id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})` : ''}
ORDER BY registered_at DESC, subject_id DESC
LIMIT {limit:UInt32}`,
      { ...registrationParams(q), limit: q.limit + 1, ...afterParams(q.after) },
    );
    return rows.map((r) => ({
      subjectId: String(r.subject_id),
      role: String(r.role),
      registeredAt: parseDateTime64(r.registered_at),
      methods: (r.methods as string[]).slice().sort(),
    }));
  },
  columns: ['user', 'subjectId', 'erased', 'role', 'registeredAt', 'methods'],
  present: async (rows, q, ctx) => {
    const { page, nextCursor } = pageOf(rows, q.limit, (r) => ({
      at: r.registeredAt,
      id: r.subjectId,
    }));
    const people = await ctx.people(page.map((r) => r.subjectId));
    const items = page.map((r) => ({
      ...person(people, r.subjectId),
      role: r.role,
      registeredAt: r.registeredAt.toISOString(),
      methods: r.methods,
    }));
    return list(items, { nextCursor });
  },
});
