import type { PersonSignal, WindowQuery } from '../../../domain/read-model.types';
import {
  ReportSql,
  TABLES,
  WINDOW,
  formatDateTime64,
  type SqlParams,
  type SqlRow,
} from '../report-sql';

import { SSPR_SIGNAL_TYPES } from '@authtrail/catalog';

/** Event types the SSPR reports single out (seed 002). */
export const SELF_SERVICE = SSPR_SIGNAL_TYPES.selfService;
export const BY_ADMIN = SSPR_SIGNAL_TYPES.byAdmin;
export const FLOW = SSPR_SIGNAL_TYPES.flow;
export const BLOCKED = SSPR_SIGNAL_TYPES.blocked;

/** Whose registrations count: the tenant's, within retention. */
export interface RegistrationScope {
  readonly tenantId: string;
  readonly since: Date;
}

export const registrationParams = (q: RegistrationScope): SqlParams => ({
  tenant: q.tenantId,
  since: formatDateTime64(q.since),
});

/**
 * Each person's latest registration (by occurredAt, then log position) when it succeeded
 * within retention. FINAL keeps that one row per person before the status filter
 * applies; a registration before `since` can never be anyone's latest that is after it,
 * so that filter may cut rows before or after.
 */
export function successfulRegistrations(sql: ReportSql): string {
  return `${sql.table(TABLES.registrations)} FINAL
WHERE tenant_id = {tenant:String} AND registered_at >= {since:DateTime64(3, 'UTC')} AND status = 'Success'`;
}

/** Admins' own self-service resets per person in the window, at least `{min}` (also a signal of `suspicious`). */
export function adminSelfResetSql(sql: ReportSql, signal = ''): string {
  return `SELECT subject_id, ${signal}count() AS count,
  toUnixTimestamp64Milli(min(occurred_at)) AS first_ms, toUnixTimestamp64Milli(max(occurred_at)) AS last_ms,
  argMax(role, (occurred_at, position)) AS role
FROM ${sql.rows(TABLES.adminSelfResets, 'subject_id, occurred_at, position, role', WINDOW)}
GROUP BY subject_id HAVING count >= {min:UInt32}`;
}

/** A person's signal row (times as ms since the epoch: these reports return thousands of rows). */
export function signalOf(r: SqlRow): PersonSignal {
  return {
    subjectId: String(r.subject_id),
    signal: (r.signal ?? 'admin-self-reset') as PersonSignal['signal'],
    count: Number(r.count),
    firstAt: new Date(Number(r.first_ms)),
    lastAt: new Date(Number(r.last_ms)),
    role: typeof r.role === 'string' ? r.role : '',
  };
}

/** The window and the least count of the signal reports. */
export interface SignalQuery extends WindowQuery {
  readonly min: number;
}
