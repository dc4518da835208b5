import { EventCatalog, RETENTION_DAYS } from '@authtrail/catalog';
import { Keyring } from '@authtrail/key-vault';
import { AppError, Clock } from '@authtrail/platform';
import { ParamReader, RawQuery } from '../domain/report-params';
import { type AnswerPage, csvExport, formatParams } from './csv-export';
import type { ReportReader } from './read-model.port';
import {
  AUDIT_EVENTS_COLUMNS,
  auditEventsAnswer,
  auditEventsParams,
  auditEventsQuery,
} from './reports/audit-events.report';
import type { ReportCaller, ReportContext, ReportResult } from './reports/report-definition';
import {
  type AnyReport,
  findReport,
  isReportService,
  reportNames,
} from './reports/report-registry';
import { SubjectNames, subjectsShownAs } from './subject-names';

const DAY_MS = 86_400_000;

/** An unknown report name: the answer lists the service's reports, so the fix is one look away. */
export class UnknownReportError extends AppError {
  constructor(service: string, name: string) {
    const valid = isReportService(service) ? reportNames(service) : [];
    super(
      'REPORT.NOT_FOUND',
      'not-found',
      `no ${service.slice(0, 20)} report named "${name.slice(0, 60)}"; the ${service.slice(0, 20)} reports are: ${valid.join(', ')} (GET /v1/reports lists them all)`,
      {
        extensions: { validReports: valid },
        errors: [{ path: 'report', message: `one of: ${valid.join(', ')}` }],
      },
    );
  }
}

/** Two or more people share the display name: the filter cannot tell which one is meant. */
export class AmbiguousDisplayNameError extends AppError {
  constructor(parameter: string, people: number) {
    super('REPORT.DISPLAY_NAME_AMBIGUOUS', 'conflict', `${people} people have that display name`, {
      errors: [
        {
          path: parameter,
          message: `${people} people have that display name; filter by their user principal name (actor/target) or subject id instead`,
        },
      ],
    });
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

export interface ReportsServiceOptions {
  readonly retentionDays?: { readonly sspr: number; readonly mfa: number };
}

/**
 * Runs the registry's reports (API.md "Reports") and the audit query: the report's
 * parameters are read (every bad one named in one 422), its query runs on the read
 * model, which answers with subject ids, and people are shown per the caller's role.
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

  /** `GET /v1/reports/{service}/{name}`; with `format=csv`, every page of a list. */
  async run(
    service: string,
    name: string,
    caller: ReportCaller,
    query: RawQuery,
  ): Promise<ReportResult> {
    const report = findReport(service, name);
    if (report === null) throw new UnknownReportError(service, name);
    const { format, bom } = this.options(query);
    const first = await this.reportPage(report, caller, query);
    const result = { format, ...first, columns: report.columns };
    if (format !== 'csv') return result;
    return {
      ...result,
      csv: csvExport({
        report: `${service}/${name}`,
        title: report.title,
        query,
        bom,
        first,
        next: (q) => this.reportPage(report, caller, q),
      }),
    };
  }

  private async reportPage(
    report: AnyReport,
    caller: ReportCaller,
    query: RawQuery,
  ): Promise<AnswerPage> {
    const ctx = this.context(caller);
    const p = new ParamReader(query);
    formatParams(p);
    const params: unknown = report.params(p, ctx);
    p.done();
    const rows: unknown = await this.reader.run(report.query, params);
    return report.present(rows, params, ctx);
  }

  /** `format` and `bom` (each page reads them again, and names a bad one in its 422). */
  private options(query: RawQuery): ReturnType<typeof formatParams> {
    return formatParams(new ParamReader(query));
  }

  sspr(name: string, caller: ReportCaller, query: RawQuery): Promise<ReportResult> {
    return this.run('sspr', name, caller, query);
  }

  mfa(name: string, caller: ReportCaller, query: RawQuery): Promise<ReportResult> {
    return this.run('mfa', name, caller, query);
  }

  /**
   * `GET /v1/audit-events`. A name filter becomes a subject id here; the name reaches
   * neither ClickHouse nor a log.
   */
  async auditEvents(caller: ReportCaller, query: RawQuery): Promise<ReportResult> {
    const { format, bom } = this.options(query);
    const first = await this.auditPage(caller, query);
    const result = { format, ...first, columns: AUDIT_EVENTS_COLUMNS };
    if (format !== 'csv') return result;
    return {
      ...result,
      csv: csvExport({
        report: 'audit-events',
        title: 'The audit log',
        query,
        bom,
        first,
        next: (q) => this.auditPage(caller, q),
      }),
    };
  }

  private async auditPage(caller: ReportCaller, query: RawQuery): Promise<AnswerPage> {
    const ctx = this.context(caller);
    const p = new ParamReader(query);
    formatParams(p);
    const params = auditEventsParams(p, ctx, this.catalog, caller.keyId ?? null);
    p.done();
    if (!caller.revealNames) {
      if (params.actorName !== undefined) throw new NameFilterForbiddenError('actor');
      if (params.targetName !== undefined) throw new NameFilterForbiddenError('target');
      if (params.actorDisplayName !== undefined)
        throw new NameFilterForbiddenError('actorDisplayName');
      if (params.targetDisplayName !== undefined)
        throw new NameFilterForbiddenError('targetDisplayName');
    }
    // Either name filter, never both (the parameters say so): null finds nobody.
    const actor =
      params.actorName !== undefined
        ? await this.subjectOf(caller.tenantId, params.actorName)
        : await this.shownAs(caller.tenantId, 'actorDisplayName', params.actorDisplayName);
    const target =
      params.targetName !== undefined
        ? await this.subjectOf(caller.tenantId, params.targetName)
        : await this.shownAs(caller.tenantId, 'targetDisplayName', params.targetDisplayName);
    const rows =
      actor === null || target === null
        ? []
        : await this.reader.run(auditEventsQuery, {
            ...params.filter,
            actorId: actor ?? params.filter.actorId,
            targetId: target ?? params.filter.targetId,
          });
    return auditEventsAnswer(rows, params, ctx);
  }

  /** The one person shown as this display name (privacy admins' view): null when nobody is; a 409 when several are. */
  async personShownAs(
    tenantId: string,
    parameter: string,
    displayName: string,
  ): Promise<string | null> {
    return (await this.shownAs(tenantId, parameter, displayName)) ?? null;
  }

  /** The one person shown as this display name: undefined without a filter, null when nobody is. */
  private async shownAs(
    tenantId: string,
    parameter: string,
    displayName: string | undefined,
  ): Promise<string | null | undefined> {
    if (displayName === undefined) return undefined;
    const ids = await subjectsShownAs(this.reader, this.names, tenantId, displayName);
    if (ids.length > 1) throw new AmbiguousDisplayNameError(parameter, ids.length);
    return ids[0] ?? null;
  }

  /** The subject of a name filter: undefined without one, null when nobody has that name. */
  private async subjectOf(
    tenantId: string,
    name: string | undefined,
  ): Promise<string | null | undefined> {
    if (name === undefined) return undefined;
    return (await this.keyring.findSubject(tenantId, name))?.subjectId ?? null;
  }

  private context(caller: ReportCaller): ReportContext {
    const now = this.clock.now();
    return {
      tenantId: caller.tenantId,
      now,
      retentionDays: this.retention,
      since: (category) => new Date(now.getTime() - this.retention[category] * DAY_MS),
      people: (ids) => this.names.resolve(caller.tenantId, ids, caller.revealNames),
    };
  }
}

export type { ReportCaller, ReportFormat, ReportResult } from './reports/report-definition';
export { bypassState } from './reports/mfa/bypasses.report';
