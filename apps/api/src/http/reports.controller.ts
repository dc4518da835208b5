import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import {
  MFA_REPORTS,
  ReportResult,
  ReportsService,
  SSPR_REPORTS,
  toCsv,
} from '@authtrail/reporting';

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
  constructor(private readonly reports: ReportsService) {}

  @Get('sspr/:report')
  @Access('reader', 'privacy-admin')
  @ApiOperation({
    summary:
      'SSPR reports of seed 002 (registered-count, registrations, registered-methods, resets, reset-methods, problems, admin-self-resets, suspicious)',
    description: `${WINDOW_DOC} Registration reports are current state (no window). admin-self-resets and suspicious take min (default 3). Lists page with limit and cursor. user is the name for privacy-admin, the subject id for reader, null with erased: true once erased.`,
  })
  @ApiParam({ name: 'report', enum: SSPR_REPORTS })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async sspr(
    @Param('report') report: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return sendReport(reply, `sspr-${report}`, await this.reports.sspr(report, caller(p), query));
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
    return sendReport(reply, `mfa-${report}`, await this.reports.mfa(report, caller(p), query));
  }
}
