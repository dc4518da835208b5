import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import {
  MFA_REPORTS,
  ReportResult,
  ReportsService,
  SSPR_REPORTS,
  flattenItem,
  toCsv,
} from '@authtrail/reporting';
import { AccessAuditService } from '@authtrail/runtime';

/** How many rows named a person (a `user` shown as a name, not a subject id). */
export function namedPeople(rows: readonly Record<string, unknown>[]): number {
  let n = 0;
  for (const row of rows) {
    const flat = flattenItem(row);
    if (
      Object.entries(flat).some(
        ([k, v]) =>
          (k === 'user' || k.endsWith('.user')) &&
          typeof v === 'string' &&
          v !== '' &&
          !/^s_[A-Za-z0-9_-]{22}$/.test(v),
      )
    )
      n++;
  }
  return n;
}

/**
 * Names shown to a privacy admin are themselves audited (`access.PersonalDataRead`:
 * caller, report, how many rows named someone — never the names).
 */
export async function auditNames(
  audit: AccessAuditService,
  p: Principal,
  resource: string,
  result: ReportResult,
): Promise<void> {
  if (!p.roles.includes('privacy-admin')) return;
  const n = namedPeople(result.rows);
  if (n > 0) await audit.personalDataRead(p, resource, n);
}

/** JSON, or CSV (`?format=csv`) with the same rows and a header line. */
export function sendReport(reply: FastifyReply, name: string, result: ReportResult): unknown {
  if (result.format !== 'csv') return result.body;
  void reply.header('content-type', 'text/csv; charset=utf-8');
  void reply.header('content-disposition', `attachment; filename="${name}.csv"`);
  return toCsv(result.rows, result.columns);
}

const caller = (p: Principal) => ({
  tenantId: p.tenantId,
  revealNames: p.roles.includes('privacy-admin'),
});

const WINDOW_DOC =
  'Window on occurredAt: from/to (ISO 8601, [from, to)) or days=N ending now; default 30 days (7 for resets). format=csv for CSV.';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AccessAuditService,
  ) {}

  @Get('sspr/:report')
  @Access('reader', 'privacy-admin')
  @ApiOperation({
    summary:
      'SSPR reports of seed 002 (registered-count, registrations, registered-methods, resets, reset-methods, problems, admin-self-resets, suspicious)',
    description: `${WINDOW_DOC} Registration reports are current state (no window). admin-self-resets and suspicious take min (default 3). Lists page with limit and cursor. suspicious gives the most frequent items first: limit (default 1000, at most 100000) of them, and total. user is the name for privacy-admin, the subject id for reader, null with erased: true once erased.`,
  })
  @ApiParam({ name: 'report', enum: SSPR_REPORTS })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async sspr(
    @Param('report') report: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const result = await this.reports.sspr(report, caller(p), query);
    await auditNames(this.audit, p, `GET /v1/reports/sspr/${report}`, result);
    return sendReport(reply, `sspr-${report}`, result);
  }

  @Get('mfa/:report')
  @Access('reader', 'privacy-admin')
  @ApiOperation({
    summary:
      'MFA reports of seed 000 (attempts by method and result, blocks and fraud alerts, bypasses, activations, changes)',
    description: `${WINDOW_DOC} Lists page with limit and cursor.`,
  })
  @ApiParam({ name: 'report', enum: MFA_REPORTS })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async mfa(
    @Param('report') report: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const result = await this.reports.mfa(report, caller(p), query);
    await auditNames(this.audit, p, `GET /v1/reports/mfa/${report}`, result);
    return sendReport(reply, `mfa-${report}`, result);
  }
}
