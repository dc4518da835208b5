import { EventCatalog, RETENTION_DAYS } from '@authtrail/catalog';
import { Keyring } from '@authtrail/key-vault';
import { AppError, Clock } from '@authtrail/platform';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import { ParamReader, RawQuery, ReportWindow } from '../domain/report-params';
import type { AuditService, BaseRow, PageQuery, WindowQuery } from '../domain/read-model.types';
import { AUDIT_SERVICES } from '../domain/read-model.types';
import type { ReportReader } from './read-model.port';
import { PersonView, SubjectNames } from './subject-names';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const RESETS_DAYS = 7;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** Suspicious-activity items per answer: the most frequent first; `total` tells how many there are. */
const DEFAULT_SIGNALS = 1000;
const MAX_SIGNALS = 100_000;

/** Who asks: the tenant, and whether they may see names (`privacy-admin`). */
export interface ReportCaller {
  readonly tenantId: string;
  readonly revealNames: boolean;
}

export type ReportFormat = 'json' | 'csv';

/** A report's answer: the JSON body, and the flat rows and columns of its CSV. */
export interface ReportResult {
  readonly format: ReportFormat;
  readonly body: Record<string, unknown>;
  readonly rows: readonly Record<string, unknown>[];
  readonly columns: readonly string[];
}

export const SSPR_REPORTS = [
  'registered-count',
  'registrations',
  'registered-methods',
  'resets',
  'reset-methods',
  'problems',
  'admin-self-resets',
  'suspicious',
] as const;
export const MFA_REPORTS = ['attempts', 'blocks', 'bypasses', 'activations', 'changes'] as const;
export type SsprReport = (typeof SSPR_REPORTS)[number];
export type MfaReport = (typeof MFA_REPORTS)[number];

export class UnknownReportError extends AppError {
  constructor(name: string) {
    super('REPORT.NOT_FOUND', 'not-found', `no report named "${name.slice(0, 60)}"`);
  }
}

/** A name filter needs the privacy-admin role (names are theirs to use only). */
export class NameFilterForbiddenError extends AppError {
  constructor(parameter: string) {
    super(
      'REPORT.NAME_FILTER_FORBIDDEN',
      'forbidden',
      `filtering by ${parameter} needs the privacy-admin role`,
      {
        errors: [
          { path: parameter, message: 'needs the privacy-admin role; use actorId/targetId' },
        ],
      },
    );
  }
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export interface ReportsServiceOptions {
  readonly retentionDays?: { readonly sspr: number; readonly mfa: number };
}

/**
 * The prebuilt compliance reports (API.md "Reports") and the audit query: parameters are
 * checked here (every bad one named in one 422), the read model answers with subject ids,
 * and people are shown per the caller's role.
 */
export class ReportsService {
  private readonly names: SubjectNames;
  private readonly retention: { readonly sspr: number; readonly mfa: number };

  constructor(
    private readonly reader: ReportReader,
    private readonly keyring: Keyring,
    private readonly catalog: EventCatalog,
    private readonly clock: Clock,
    options: ReportsServiceOptions = {},
  ) {
    this.names = new SubjectNames(reader, keyring);
    this.retention = options.retentionDays ?? {
      sspr: RETENTION_DAYS.sspr,
      mfa: RETENTION_DAYS.mfa,
    };
  }

  async sspr(name: string, caller: ReportCaller, query: RawQuery): Promise<ReportResult> {
    if (!(SSPR_REPORTS as readonly string[]).includes(name)) throw new UnknownReportError(name);
    const p = new ParamReader(query);
    const format = p.oneOf('format', ['json', 'csv'] as const) ?? 'json';
    const now = this.clock.now();
    const since = this.since('sspr', now);
    if (name.startsWith('registr')) {
      for (const param of ['days', 'from', 'to']) {
        if (query[param] === undefined) continue;
        p.string(param);
        p.fail(
          param,
          "registration reports show the current state (each person's latest registration, at any time): no time window applies",
        );
      }
    }
    switch (name as SsprReport) {
      case 'registered-count': {
        p.done();
        const count = await this.reader.registeredCount(caller.tenantId, since);
        return single(format, { count });
      }
      case 'registrations': {
        const limit = p.int('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
        const after = this.cursor(p);
        p.done();
        const rows = await this.reader.registrations({
          tenantId: caller.tenantId,
          since,
          limit: limit + 1,
          after,
        });
        const page = rows.slice(0, limit);
        const people = await this.people(
          caller,
          page.map((r) => r.subjectId),
        );
        const items = page.map((r) => ({
          ...person(people, r.subjectId),
          role: r.role,
          registeredAt: r.registeredAt.toISOString(),
          methods: r.methods,
        }));
        const last = page[page.length - 1];
        const nextCursor =
          rows.length > limit && last
            ? encodeCursor({ at: last.registeredAt.getTime(), id: last.subjectId })
            : null;
        return list(
          format,
          items,
          ['user', 'subjectId', 'erased', 'role', 'registeredAt', 'methods'],
          { nextCursor },
        );
      }
      case 'registered-methods': {
        p.done();
        const items = await this.reader.registeredMethods(caller.tenantId, since);
        return list(format, items, ['methods', 'users']);
      }
      case 'resets': {
        const q = this.windowQuery(p, caller, now, RESETS_DAYS, since);
        p.done();
        return single(format, { ...(await this.reader.resets(q)) }, this.windowOf(q));
      }
      case 'reset-methods': {
        const q = this.windowQuery(p, caller, now, DEFAULT_DAYS, since);
        p.done();
        return list(
          format,
          await this.reader.resetMethods(q),
          ['method', 'count'],
          this.windowOf(q),
        );
      }
      case 'problems': {
        const q = this.windowQuery(p, caller, now, DEFAULT_DAYS, since);
        p.done();
        return list(
          format,
          await this.reader.problems(q),
          ['type', 'reason', 'count'],
          this.windowOf(q),
        );
      }
      case 'admin-self-resets': {
        const q = this.windowQuery(p, caller, now, DEFAULT_DAYS, since);
        const min = p.int('min', 1, 1_000_000) ?? 3;
        p.done();
        const rows = await this.reader.adminSelfResets(q, min);
        const people = await this.people(
          caller,
          rows.map((r) => r.subjectId),
        );
        const items = rows.map((r) => ({
          ...person(people, r.subjectId),
          role: r.role,
          count: r.count,
          firstAt: r.firstAt.toISOString(),
          lastAt: r.lastAt.toISOString(),
        }));
        return list(
          format,
          items,
          ['user', 'subjectId', 'erased', 'role', 'count', 'firstAt', 'lastAt'],
          this.windowOf(q),
        );
      }
      case 'suspicious': {
        const q = this.windowQuery(p, caller, now, DEFAULT_DAYS, since);
        const min = p.int('min', 1, 1_000_000) ?? 3;
        const limit = p.int('limit', 1, MAX_SIGNALS) ?? DEFAULT_SIGNALS;
        p.done();
        const { items: rows, total } = await this.reader.suspicious(q, min, limit);
        const people = await this.people(
          caller,
          rows.map((r) => r.subjectId),
        );
        const items = rows.map((r) => ({
          ...person(people, r.subjectId),
          signal: r.signal,
          count: r.count,
          firstAt: r.firstAt.toISOString(),
          lastAt: r.lastAt.toISOString(),
        }));
        return list(
          format,
          items,
          ['user', 'subjectId', 'erased', 'signal', 'count', 'firstAt', 'lastAt'],
          { ...this.windowOf(q), total },
        );
      }
    }
  }

  async mfa(name: string, caller: ReportCaller, query: RawQuery): Promise<ReportResult> {
    if (!(MFA_REPORTS as readonly string[]).includes(name)) throw new UnknownReportError(name);
    const p = new ParamReader(query);
    const format = p.oneOf('format', ['json', 'csv'] as const) ?? 'json';
    const now = this.clock.now();
    const w = this.windowQuery(p, caller, now, DEFAULT_DAYS, this.since('mfa', now));
    if (name === 'attempts') {
      p.done();
      return list(
        format,
        await this.reader.mfaAttempts(w),
        ['method', 'status', 'count', 'users'],
        this.windowOf(w),
      );
    }
    const limit = p.int('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
    const q: PageQuery = { ...w, limit: limit + 1, after: this.cursor(p) };
    p.done();
    const paged = async <R extends BaseRow>(
      rows: R[],
      item: (r: R, people: Map<string, PersonView>) => Record<string, unknown>,
      columns: string[],
    ): Promise<ReportResult> => {
      const page = rows.slice(0, limit);
      const people = await this.people(
        caller,
        page.flatMap((r) => [r.targetId, r.actorId]),
      );
      const last = page[page.length - 1];
      const nextCursor =
        rows.length > limit && last
          ? encodeCursor({ at: last.occurredAt.getTime(), id: last.eventId })
          : null;
      return list(
        format,
        page.map((r) => item(r, people)),
        columns,
        { ...this.windowOf(w), nextCursor },
      );
    };
    const by = (people: Map<string, PersonView>, id: string) =>
      id === '' ? null : (people.get(id) ?? null);
    switch (name as MfaReport) {
      case 'blocks':
        return paged(
          await this.reader.mfaBlocks(q),
          (r, people) => ({
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
            blockedBy: by(people, r.actorId),
            completedAt: iso(r.completedAt),
            completionReason: r.completionReason || null,
          }),
          [
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
        );
      case 'bypasses':
        return paged(
          await this.reader.mfaBypasses(q),
          (r, people) => ({
            eventId: r.eventId,
            grantedAt: r.occurredAt.toISOString(),
            ...person(people, r.targetId),
            state: bypassState(r.occurredAt, r.bypassSeconds, r.completedAt, now),
            bypassSeconds: r.bypassSeconds,
            bypassReason: r.bypassReason || null,
            bypassUsed: r.bypassUsed,
            grantedBy: by(people, r.actorId),
            completedAt: iso(r.completedAt),
            completionReason: r.completionReason || null,
          }),
          [
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
        );
      case 'activations':
        return paged(
          await this.reader.mfaActivations(q),
          (r, people) => ({
            eventId: r.eventId,
            activatedAt: r.occurredAt.toISOString(),
            ...person(people, r.targetId),
            status: r.status,
            error: r.reason || null,
            deviceType: r.deviceType || null,
            appVersion: r.appVersion || null,
            oathTokenEnabled: r.oathTokenEnabled,
            getActivationCodeResult: r.getActivationCodeResult || null,
            activationStatusResult: r.activationStatusResult || null,
          }),
          [
            'eventId',
            'activatedAt',
            'user',
            'subjectId',
            'erased',
            'status',
            'error',
            'deviceType',
            'appVersion',
            'oathTokenEnabled',
            'getActivationCodeResult',
            'activationStatusResult',
          ],
        );
      case 'changes':
        return paged(
          await this.reader.mfaChanges(q),
          (r, people) => ({
            eventId: r.eventId,
            changedAt: r.occurredAt.toISOString(),
            ...person(people, r.targetId),
            newCountryCode: r.newCountryCode || null,
            newBackupCountryCode: r.newBackupCountryCode || null,
            pinChanged: r.pinChanged,
            pinChangeRequired: r.pinChangeRequired,
          }),
          [
            'eventId',
            'changedAt',
            'user',
            'subjectId',
            'erased',
            'newCountryCode',
            'newBackupCountryCode',
            'pinChanged',
            'pinChangeRequired',
          ],
        );
      default:
        throw new UnknownReportError(name);
    }
  }

  /**
   * `GET /v1/audit-events`: SSPR and MFA events and authtrail's own privacy, tenant and
   * access records, newest first, with filters and cursor pages.
   */
  async auditEvents(caller: ReportCaller, query: RawQuery): Promise<ReportResult> {
    const p = new ParamReader(query);
    const format = p.oneOf('format', ['json', 'csv'] as const) ?? 'json';
    const now = this.clock.now();
    const service = p.oneOf('service', AUDIT_SERVICES);
    const types = this.types(p, service);
    const status = p.oneOf('status', ['Success', 'Failure'] as const) ?? null;
    const actorId = p.string('actorId', 128) ?? null;
    const targetId = p.string('targetId', 128) ?? null;
    const actorName = p.string('actor', 320);
    const targetName = p.string('target', 320);
    const limit = p.int('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
    const after = this.cursor(p);
    const longest = Math.max(this.retention.sspr, this.retention.mfa);
    const window = p.window(now, longest);
    if (actorName !== undefined && actorId !== null)
      p.fail('actor', 'give either actor or actorId');
    if (targetName !== undefined && targetId !== null)
      p.fail('target', 'give either target or targetId');
    p.done();
    if (!caller.revealNames) {
      if (actorName !== undefined) throw new NameFilterForbiddenError('actor');
      if (targetName !== undefined) throw new NameFilterForbiddenError('target');
    }
    // A name filter becomes a subject id here; the name reaches neither ClickHouse nor a log.
    const resolveName = async (name: string | undefined): Promise<string | null | undefined> =>
      name === undefined
        ? undefined
        : ((await this.keyring.findSubject(caller.tenantId, name))?.subjectId ?? null);
    const actorSubject = await resolveName(actorName);
    const targetSubject = await resolveName(targetName);
    const empty = actorSubject === null || targetSubject === null;
    const rows = empty
      ? []
      : await this.reader.auditEvents({
          tenantId: caller.tenantId,
          from: window.from,
          to: window.to,
          since: { sspr: this.since('sspr', now), mfa: this.since('mfa', now) },
          services: service ? [service] : AUDIT_SERVICES,
          types,
          status,
          actorId: actorSubject ?? actorId,
          targetId: targetSubject ?? targetId,
          limit: limit + 1,
          after,
        });
    const page = rows.slice(0, limit);
    const people = await this.people(
      caller,
      page.flatMap((r) => [r.actorId, r.targetId]),
    );
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
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor({ at: last.occurredAt.getTime(), id: last.eventId })
        : null;
    const csvRows = items.map((i) => ({ ...i, details: JSON.stringify(i.details) }));
    const person3 = (w: string) => [`${w}.user`, `${w}.subjectId`, `${w}.erased`, `${w}.role`];
    return {
      format,
      body: { items, nextCursor, from: window.from.toISOString(), to: window.to.toISOString() },
      rows: csvRows,
      columns: [
        'eventId',
        'type',
        'service',
        'occurredAt',
        'recordedAt',
        'status',
        'reason',
        ...person3('actor'),
        ...person3('target'),
        'correlationId',
        'details',
      ],
    };
  }

  private types(p: ParamReader, service: AuditService | undefined): string[] {
    const raw = p.string('type', 2000);
    if (raw === undefined) return [];
    const types = raw
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    for (const t of types) {
      const def = this.catalog.get(t);
      if (!def || !(AUDIT_SERVICES as readonly string[]).includes(def.category)) {
        p.fail('type', `unknown event type "${t.slice(0, 80)}"`);
      } else if (service !== undefined && def.category !== service) {
        p.fail('type', `${t} is not a ${service} event type`);
      }
    }
    return types;
  }

  private cursor(p: ParamReader): { at: Date; id: string } | null {
    const raw = p.string('cursor', 400);
    if (raw === undefined) return null;
    const c = decodeCursor(raw);
    if (c === null) {
      p.fail('cursor', 'is not a cursor from a previous page (nextCursor)');
      return null;
    }
    return { at: new Date(c.at), id: c.id };
  }

  /** The caller's window, narrowed to the category's retention (reports agree with the pruned log). */
  private windowQuery(
    p: ParamReader,
    caller: ReportCaller,
    now: Date,
    defaultDays: number,
    since: Date,
  ): WindowQuery {
    const w: ReportWindow = p.window(now, defaultDays);
    return {
      tenantId: caller.tenantId,
      from: w.from.getTime() < since.getTime() ? since : w.from,
      to: w.to,
    };
  }

  private windowOf(q: WindowQuery): { from: string; to: string } {
    return { from: q.from.toISOString(), to: q.to.toISOString() };
  }

  private since(category: 'sspr' | 'mfa', now: Date): Date {
    return new Date(now.getTime() - this.retention[category] * DAY_MS);
  }

  private people(caller: ReportCaller, ids: readonly string[]): Promise<Map<string, PersonView>> {
    return this.names.resolve(caller.tenantId, ids, caller.revealNames);
  }
}

function person(
  people: Map<string, PersonView>,
  id: string,
): { user: string | null; subjectId: string; erased: boolean } {
  const p = people.get(id);
  return { user: p?.user ?? null, subjectId: id, erased: p?.erased ?? false };
}

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

function single(
  format: ReportFormat,
  body: Record<string, unknown>,
  window?: { from: string; to: string },
): ReportResult {
  const columns = Object.keys(body);
  return { format, body: { ...body, ...(window ?? {}) }, rows: [body], columns };
}

function list(
  format: ReportFormat,
  items: readonly object[],
  columns: readonly string[],
  extra: Record<string, unknown> = {},
): ReportResult {
  return {
    format,
    body: { items, ...extra },
    rows: items as Record<string, unknown>[],
    columns,
  };
}
