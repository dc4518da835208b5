import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ReportInfo, ReportResult, RunReportQuery, reportCatalog } from '@authtrail/reporting';
import { sendReport } from './report-reply';
import { ApiMfaReport, ApiReportList, ApiSsprReport } from './reports.openapi';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access('reader', 'privacy-admin')
  @ApiReportList()
  list(): { items: ReportInfo[] } {
    return { items: reportCatalog() };
  }

  @Get('sspr/:report')
  @Access('reader', 'privacy-admin')
  @ApiSsprReport()
  sspr(
    @Param('report') report: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.run(reply, new RunReportQuery(p, 'sspr', report, query));
  }

  @Get('mfa/:report')
  @Access('reader', 'privacy-admin')
  @ApiMfaReport()
  mfa(
    @Param('report') report: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.run(reply, new RunReportQuery(p, 'mfa', report, query));
  }

  private async run(reply: FastifyReply, query: RunReportQuery): Promise<unknown> {
    const result = await this.queries.execute<RunReportQuery, ReportResult>(query);
    return sendReport(reply, `${query.service}-${query.report}`, result);
  }
}
