import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessAuditService, type Caller, mayReadNames } from '@authtrail/privacy';
import type { RawQuery } from '../domain/report-params';
import { auditNamedPeople } from './named-people-audit';
import { ReportResult, ReportsService } from './reports.service';

/** `GET /v1/audit-events`: the audit log query with the request's filters. */
export class AuditEventsQuery {
  constructor(
    readonly caller: Caller,
    readonly params: RawQuery,
  ) {}
}

/** Queries the audit log for the caller (names for privacy-admin only) and audits the names it showed. */
@QueryHandler(AuditEventsQuery)
export class AuditEventsHandler implements IQueryHandler<AuditEventsQuery, ReportResult> {
  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AccessAuditService,
  ) {}

  async execute({ caller, params }: AuditEventsQuery): Promise<ReportResult> {
    const result = await this.reports.auditEvents(
      { tenantId: caller.tenantId, revealNames: mayReadNames(caller), keyId: caller.keyId },
      params,
    );
    return auditNamedPeople(this.audit, caller, 'GET /v1/audit-events', result);
  }
}
