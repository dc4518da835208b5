import type { EventCatalog } from '@authtrail/catalog';
import {
  AUDIT_SERVICES,
  type AuditFilter,
  type AuditRow,
  type AuditService,
} from '../../domain/read-model.types';
import type { ParamReader } from '../../domain/report-params';
import type { ReportQuery } from '../read-model.port';
import { type ReportAnswer, type ReportContext, person } from './report-definition';
import { DEFAULT_LIMIT, MAX_LIMIT, cursorParam, pageOf } from './report-params';
import {
  TABLES,
  WINDOW,
  formatDateTime64,
  baseRow,
  parseDateTime64,
  windowParams,
} from './report-sql';

/**
 * `GET /v1/audit-events`: SSPR and MFA events and authtrail's own privacy, tenant and
 * access records, newest first, with filters and cursor pages. Like a report, whole in
 * this file; it has its own route and a name filter, so it is not in the registry.
 */
export interface AuditEventsParams {
  /** The filter, with actor and target still to be resolved when given by name. */
  readonly filter: AuditFilter;
  readonly actorName: string | undefined;
  readonly targetName: string | undefined;
  /** By the display name a privacy admin sees (resolved like the user principal name). */
  readonly actorDisplayName: string | undefined;
  readonly targetDisplayName: string | undefined;
  /** Items per page (the filter reads one more). */
  readonly limit: number;
}

function typesParam(
  p: ParamReader,
  catalog: EventCatalog,
  service: AuditService | undefined,
): string[] {
  const raw = p.string('type', 2000);
  if (raw === undefined) return [];
  const types = raw
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  for (const t of types) {
    const def = catalog.get(t);
    if (!def || !(AUDIT_SERVICES as readonly string[]).includes(def.category)) {
      p.fail('type', `unknown event type "${t.slice(0, 80)}"`);
    } else if (service !== undefined && def.category !== service) {
      p.fail('type', `${t} is not a ${service} event type`);
    }
  }
  return types;
}

export function auditEventsParams(
  p: ParamReader,
  ctx: ReportContext,
  catalog: EventCatalog,
  callerKeyId: string | null = null,
): AuditEventsParams {
  const service = p.oneOf('service', AUDIT_SERVICES);
  const types = typesParam(p, catalog, service);
  const status = p.oneOf('status', ['Success', 'Failure'] as const) ?? null;
  const actorId = p.string('actorId', 128) ?? null;
  const targetId = p.string('targetId', 128) ?? null;
  const actorName = p.string('actor', 320);
  const targetName = p.string('target', 320);
  const actorDisplayName = p.string('actorDisplayName', 256);
  const targetDisplayName = p.string('targetDisplayName', 256);
  if (actorDisplayName !== undefined && (actorName !== undefined || actorId !== null))
    p.fail('actorDisplayName', 'give one of actor, actorId or actorDisplayName');
  if (targetDisplayName !== undefined && (targetName !== undefined || targetId !== null))
    p.fail('targetDisplayName', 'give one of target, targetId or targetDisplayName');
  // A privacy admin's own reads of names are audited too; this hides them from their view.
  const hideOwnAccess = p.oneOf('hideOwnAccess', ['true', 'false'] as const) === 'true';
  if (hideOwnAccess && callerKeyId === null)
    p.fail('hideOwnAccess', 'needs an API key caller (access records name the key)');
  const limit = p.int('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  const after = cursorParam(p);
  const window = p.window(ctx.now, Math.max(ctx.retentionDays.sspr, ctx.retentionDays.mfa));
  if (actorName !== undefined && actorId !== null) p.fail('actor', 'give either actor or actorId');
  if (targetName !== undefined && targetId !== null)
    p.fail('target', 'give either target or targetId');
  return {
    filter: {
      tenantId: ctx.tenantId,
      from: window.from,
      to: window.to,
      since: { sspr: ctx.since('sspr'), mfa: ctx.since('mfa') },
      services: service ? [service] : AUDIT_SERVICES,
      types,
      status,
      actorId,
      targetId,
      hideAccessOfKey: hideOwnAccess ? callerKeyId : null,
      limit: limit + 1,
      after,
    },
    actorName,
    targetName,
    actorDisplayName,
    targetDisplayName,
    limit,
  };
}

export const auditEventsQuery: ReportQuery<AuditFilter, AuditRow[]> = async (sql, q) => {
  const where = [
    WINDOW,
    `service IN {services:Array(String)}`,
    `occurred_at >= if(service = 'mfa', {sinceMfa:DateTime64(3, 'UTC')}, {sinceSspr:DateTime64(3, 'UTC')})`,
  ];
  if (q.types.length > 0) where.push('type IN {types:Array(String)}');
  if (q.status !== null) where.push('status = {status:String}');
  if (q.actorId !== null) where.push('actor_id = {actorId:String}');
  if (q.targetId !== null) where.push('target_id = {targetId:String}');
  if (q.hideAccessOfKey)
    where.push(
      `NOT (service = 'access' AND JSONExtractString(details, 'actorKeyId') = {hideKey:String})`,
    );
  const rows = await sql.newestFirst(TABLES.audit, where.join(' AND '), q.limit, q.after, {
    ...windowParams(q),
    services: q.services,
    sinceMfa: formatDateTime64(q.since.mfa),
    sinceSspr: formatDateTime64(q.since.sspr),
    types: q.types,
    status: q.status,
    actorId: q.actorId,
    targetId: q.targetId,
    hideKey: q.hideAccessOfKey ?? null,
  });
  return rows.map((r) => ({
    ...baseRow(r),
    service: r.service as AuditService,
    recordedAt: parseDateTime64(r.recorded_at),
    correlationId: String(r.correlation_id),
    details: String(r.details),
  }));
};

const personColumns = (w: string) => [`${w}.user`, `${w}.subjectId`, `${w}.erased`, `${w}.role`];

export const AUDIT_EVENTS_COLUMNS: readonly string[] = [
  'eventId',
  'type',
  'service',
  'occurredAt',
  'recordedAt',
  'status',
  'reason',
  ...personColumns('actor'),
  ...personColumns('target'),
  'correlationId',
  'details',
];

export async function auditEventsAnswer(
  rows: readonly AuditRow[],
  q: AuditEventsParams,
  ctx: ReportContext,
): Promise<ReportAnswer> {
  const { page, nextCursor } = pageOf(rows, q.limit, (r) => ({ at: r.occurredAt, id: r.eventId }));
  const people = await ctx.people(page.flatMap((r) => [r.actorId, r.targetId]));
  const who = (id: string, role: string) =>
    id === '' ? null : { ...person(people, id), role: role || null };
  const items = page.map((r) => ({
    eventId: r.eventId,
    type: r.type,
    service: r.service,
    occurredAt: r.occurredAt.toISOString(),
    recordedAt: r.recordedAt.toISOString(),
    status: r.status,
    reason: r.reason || null,
    actor: who(r.actorId, r.actorRole),
    target: who(r.targetId, r.targetRole),
    correlationId: r.correlationId || null,
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
  return {
    body: {
      items,
      nextCursor,
      from: q.filter.from.toISOString(),
      to: q.filter.to.toISOString(),
    },
    rows: items.map((i) => ({ ...i, details: JSON.stringify(i.details) })),
  };
}
