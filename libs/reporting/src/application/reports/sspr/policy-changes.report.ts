import type {
  PageQuery,
  PolicyChangeRow,
  PolicySettingChange,
  WindowQuery,
} from '../../../domain/read-model.types';
import { type ReportAnswer, defineReport, person } from '../report-definition';
import { pageOf, pageParams, windowOf, windowParam } from '../report-params';
import { TABLES, parseDateTime64, type SqlRow } from '../report-sql';

/** The window (default 30 days) and a newest-first page of it. */
export interface PolicyChangesPage {
  readonly window: WindowQuery;
  readonly page: PageQuery;
  readonly limit: number;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The `changes` column: named tuples, as JSON objects (PINNED_SETTINGS). */
function settingChanges(v: unknown): PolicySettingChange[] {
  if (!Array.isArray(v)) return [];
  return v.map((c: Record<string, unknown>) => ({
    property: String(c.property),
    oldValue: text(c.oldValue),
    newValue: text(c.newValue),
  }));
}

function policyChangeOf(r: SqlRow): PolicyChangeRow {
  return {
    eventId: String(r.event_id),
    occurredAt: parseDateTime64(r.occurred_at),
    status: String(r.status),
    reason: String(r.reason),
    actorId: String(r.actor_id),
    actorRole: String(r.actor_role),
    policy: String(r.policy),
    changes: settingChanges(r.changes),
  };
}

/** `property: old → new`, one setting after the other: a spreadsheet cell a person can read. */
export function changesText(changes: readonly PolicySettingChange[]): string {
  const value = (v: string | null) => (v === null ? '(not given)' : JSON.stringify(v));
  return changes
    .map((c) => `${c.property}: ${value(c.oldValue)} → ${value(c.newValue)}`)
    .join('; ');
}

/**
 * The ninth SSPR question of Microsoft's current reporting doc: who changed the SSPR
 * policy, when, with what outcome, and each setting's old and new value. Newest first,
 * in pages; the admin shown as the caller may see them (a name for privacy-admin).
 */
export const policyChanges = defineReport<PolicyChangesPage, PolicyChangeRow[]>({
  service: 'sspr',
  name: 'policy-changes',
  title: 'What changes were made to the SSPR policy? (who, when, each setting old → new)',
  defaultDays: 30,
  params: (p, ctx) => {
    const window = windowParam(p, ctx, 30, 'sspr');
    return { window, ...pageParams(p, window) };
  },
  query: async (sql, q) => (await sql.page(TABLES.policyChanges, q.page)).map(policyChangeOf),
  columns: [
    'eventId',
    'changedAt',
    'user',
    'subjectId',
    'erased',
    'role',
    'status',
    'reason',
    'policy',
    'changes',
  ],
  present: async (rows, q, ctx): Promise<ReportAnswer> => {
    const { page, nextCursor } = pageOf(rows, q.limit, (r) => ({
      at: r.occurredAt,
      id: r.eventId,
    }));
    const people = await ctx.people(page.map((r) => r.actorId));
    const items = page.map((r) => ({
      eventId: r.eventId,
      changedAt: r.occurredAt.toISOString(),
      ...person(people, r.actorId),
      role: r.actorRole || null,
      status: r.status,
      reason: r.reason || null,
      policy: r.policy || null,
      changes: r.changes,
    }));
    return {
      body: { items, ...windowOf(q.window), nextCursor },
      // The settings as one readable cell: the CSV has one row per change of the policy.
      rows: items.map((i) => ({ ...i, changes: changesText(i.changes) })),
    };
  },
});
