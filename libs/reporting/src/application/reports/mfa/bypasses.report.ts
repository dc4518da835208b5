import type { MfaBypassRow } from '../../../domain/read-model.types';
import { defineReport, iso, person } from '../report-definition';
import { TABLES, baseRow, parseNullableDate } from '../report-sql';
import { MfaPage, actorOf, mfaPageAnswer, mfaPageParams } from './mfa-lists';

/** Completed when the seed's completion timestamp is set; else expired once its seconds ran out. */
export function bypassState(
  grantedAt: Date,
  seconds: number,
  completedAt: Date | null,
  now: Date,
): 'active' | 'completed' | 'expired' {
  if (completedAt !== null) return 'completed';
  return grantedAt.getTime() + seconds * 1000 <= now.getTime() ? 'expired' : 'active';
}

export const bypasses = defineReport<MfaPage, MfaBypassRow[]>({
  service: 'mfa',
  name: 'bypasses',
  title: 'One-time bypasses: granted, used, expired',
  defaultDays: 30,
  params: mfaPageParams,
  query: async (sql, q) =>
    (await sql.page(TABLES.bypasses, q.page)).map((r) => ({
      ...baseRow(r),
      bypassSeconds: Number(r.bypass_seconds),
      bypassReason: String(r.bypass_reason),
      bypassUsed: r.bypass_used as boolean | null,
      completedAt: parseNullableDate(r.completed_at),
      completionReason: String(r.completion_reason),
    })),
  columns: [
    'eventId',
    'grantedAt',
    'user',
    'subjectId',
    'erased',
    'state',
    'bypassSeconds',
    'bypassReason',
    'bypassUsed',
    'grantedBy.user',
    'grantedBy.subjectId',
    'grantedBy.erased',
    'completedAt',
    'completionReason',
  ],
  present: (rows, q, ctx) =>
    mfaPageAnswer(rows, q, ctx, (r, people) => ({
      eventId: r.eventId,
      grantedAt: r.occurredAt.toISOString(),
      ...person(people, r.targetId),
      state: bypassState(r.occurredAt, r.bypassSeconds, r.completedAt, ctx.now),
      bypassSeconds: r.bypassSeconds,
      bypassReason: r.bypassReason || null,
      bypassUsed: r.bypassUsed,
      grantedBy: actorOf(people, r.actorId),
      completedAt: iso(r.completedAt),
      completionReason: r.completionReason || null,
    })),
});
