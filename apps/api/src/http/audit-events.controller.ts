import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ReportsService } from '@authtrail/reporting';
import { auditNames, sendReport } from './reports.controller';
import { AccessAuditService } from '@authtrail/runtime';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AccessAuditService,
  ) {}

  @Get()
  @Access('reader', 'privacy-admin')
  @ApiOperation({
    summary:
      'Query the audit log (SSPR and MFA events, and privacy, tenant and access records), newest first, with cursor pages',
    description:
      'Filters: service (sspr|mfa|privacy|tenant|access), type (comma-separated), status (Success|Failure), actorId, targetId, from/to or days; ' +
      'privacy-admin may also filter by actor/target user principal name (resolved to a subject id first, never logged). ' +
      'limit (default 100, at most 1000), cursor (nextCursor of the previous page), format=csv.',
  })
  async list(
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const result = await this.reports.auditEvents(
      { tenantId: p.tenantId, revealNames: p.roles.includes('privacy-admin') },
      query,
    );
    await auditNames(this.audit, p, 'GET /v1/audit-events', result);
    return sendReport(reply, 'audit-events', result);
  }
}
