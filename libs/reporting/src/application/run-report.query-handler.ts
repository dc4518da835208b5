import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessAuditService, type Caller, mayReadNames } from '@authtrail/privacy';
import type { RawQuery } from '../domain/report-params';
import { auditNamedPeople } from './named-people-audit';
import { ReportResult, ReportsService } from './reports.service';

/** `GET /v1/reports/{service}/{report}`: one prebuilt report with the request's parameters. */
export class RunReportQuery {
  constructor(
    readonly caller: Caller,
    readonly service: 'sspr' | 'mfa',
    readonly report: string,
    readonly params: RawQuery,
  ) {}
}

/** Runs a report for the caller (names for privacy-admin only) and audits the names it showed. */
@QueryHandler(RunReportQuery)
export class RunReportHandler implements IQueryHandler<RunReportQuery, ReportResult> {
  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AccessAuditService,
  ) {}

  async execute({ caller, service, report, params }: RunReportQuery): Promise<ReportResult> {
    const who = { tenantId: caller.tenantId, revealNames: mayReadNames(caller) };
    const result =
      service === 'sspr'
        ? await this.reports.sspr(report, who, params)
        : await this.reports.mfa(report, who, params);
    return auditNamedPeople(this.audit, caller, `GET /v1/reports/${service}/${report}`, result);
  }
}
