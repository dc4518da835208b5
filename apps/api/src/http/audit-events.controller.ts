import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { QueryBus } from '@nestjs/cqrs';
import { AuditEventsQuery, ReportResult } from '@authtrail/reporting';
import { sendReport } from './report-reply';
import { ApiAuditEvents } from './audit-events.openapi';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access('reader', 'privacy-admin')
  @ApiAuditEvents()
  async list(
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const result = await this.queries.execute<AuditEventsQuery, ReportResult>(
      new AuditEventsQuery(p, query),
    );
    return sendReport(reply, 'audit-events', result);
  }
}
