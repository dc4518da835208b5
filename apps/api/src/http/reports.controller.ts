import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { QueryBus } from '@nestjs/cqrs';
import {
  MFA_REPORTS,
  ReportInfo,
  ReportResult,
  RunReportQuery,
  SSPR_REPORTS,
  reportCatalog,
} from '@authtrail/reporting';
import { sendReport } from './report-reply';

const WINDOW_DOC =
  'Window on occurredAt: from/to (ISO 8601, [from, to)) or days=N ending now; default 30 days (7 for resets). format=csv for CSV.';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access('reader', 'privacy-admin')
  @ApiOperation({
    summary: 'The prebuilt reports (the registry): path, question, default window, CSV columns',
  })
  list(): { items: ReportInfo[] } {
    return { items: reportCatalog() };
  }

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
    const result = await this.queries.execute<RunReportQuery, ReportResult>(
      new RunReportQuery(p, 'sspr', report, query),
    );
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
    const result = await this.queries.execute<RunReportQuery, ReportResult>(
      new RunReportQuery(p, 'mfa', report, query),
    );
    return sendReport(reply, `mfa-${report}`, result);
  }
}
