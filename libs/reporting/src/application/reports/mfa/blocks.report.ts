import type { MfaBlockRow } from '../../../domain/read-model.types';
import { defineReport, iso, person } from '../report-definition';
import { TABLES, baseRow, parseNullableDate } from '../report-sql';
import { MfaPage, actorOf, mfaPageAnswer, mfaPageParams } from './mfa-lists';

export const blocks = defineReport<MfaPage, MfaBlockRow[]>({
  service: 'mfa',
  name: 'blocks',
  title: 'Blocks and fraud alerts, active and completed',
  defaultDays: 30,
  params: mfaPageParams,
  query: async (sql, q) =>
    (await sql.page(TABLES.blocks, q.page)).map((r) => ({
      ...baseRow(r),
      blocked: r.blocked === true,
      fraudAlert: r.fraud_alert as boolean | null,
      fraudAlertNotBlocked: r.fraud_alert_not_blocked as boolean | null,
      accountLockout: r.account_lockout as boolean | null,
      blockReason: String(r.block_reason),
      completedAt: parseNullableDate(r.completed_at),
      completionReason: String(r.completion_reason),
    })),
  columns: [
    'eventId',
    'blockedAt',
    'user',
    'subjectId',
    'erased',
    'kind',
    'state',
    'blocked',
    'fraudAlert',
    'fraudAlertNotBlocked',
    'accountLockout',
    'blockReason',
    'blockedBy.user',
    'blockedBy.subjectId',
    'blockedBy.erased',
    'completedAt',
    'completionReason',
  ],
  present: (rows, q, ctx) =>
    mfaPageAnswer(rows, q, ctx, (r, people) => ({
      eventId: r.eventId,
      blockedAt: r.occurredAt.toISOString(),
      ...person(people, r.targetId),
      kind: r.fraudAlert === true ? 'fraud-alert' : 'block',
      state: r.completedAt === null ? 'active' : 'completed',
      blocked: r.blocked,
      fraudAlert: r.fraudAlert,
      fraudAlertNotBlocked: r.fraudAlertNotBlocked,
      accountLockout: r.accountLockout,
      blockReason: r.blockReason || null,
      blockedBy: actorOf(people, r.actorId),
      completedAt: iso(r.completedAt),
      completionReason: r.completionReason || null,
    })),
});
