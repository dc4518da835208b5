import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { QueryBus } from '@nestjs/cqrs';
import { AuditEventsQuery, ReportResult } from '@authtrail/reporting';
import { sendReport } from './report-reply';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access('reader', 'privacy-admin')
  @ApiOperation({
    summary:
      'Query the audit log (SSPR and MFA events, and privacy, tenant and access records), newest first, with cursor pages',
    description:
      'Filters: service (sspr|mfa|privacy|tenant|access), type (comma-separated), status (Success|Failure), actorId, targetId, from/to or days; ' +
      'privacy-admin may also filter by actor/target user principal name (resolved to a subject id first, never logged). ' +
      'privacy-admin may also filter by actorDisplayName/targetDisplayName (resolved the same way; 409 when two people share it). ' +
      'hideOwnAccess=true leaves out the access records of your own key. ' +
      'limit (default 100, at most 1000), cursor (nextCursor of the previous page), format=csv (every page, streamed; bom=true for spreadsheets).',
  })
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
