import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ErasePersonCommand, ExportPersonQuery } from '@authtrail/runtime';
import {
  ErasureResult,
  SubjectEvents,
  SubjectEventsQuery,
  SubjectExport,
  personRequestOf,
} from '@authtrail/privacy';
import { ApiEraseSubject, ApiExportSubject, ApiSubjectEvents } from './subjects.openapi';

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/subjects')
export class SubjectsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('erase')
  @HttpCode(200)
  @Access('privacy-admin')
  @ApiEraseSubject()
  async erase(
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ErasureResult> {
    const result: ErasureResult = await this.commands.execute(
      new ErasePersonCommand(p.tenantId, personRequestOf(body), p.keyId),
    );
    // A legal hold defers it: recorded, run at the hold's release.
    if (result.status === 'deferred') void reply.status(202);
    return result;
  }

  @Post('export')
  @HttpCode(200)
  @Access('privacy-admin')
  @ApiExportSubject()
  async export(@Body() body: unknown, @CurrentPrincipal() p: Principal): Promise<SubjectExport> {
    return this.queries.execute(new ExportPersonQuery(p.tenantId, personRequestOf(body), p.keyId));
  }

  @Get(':subjectId/events')
  @Access('reader', 'privacy-admin')
  @ApiSubjectEvents()
  events(
    @Param('subjectId') subjectId: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<SubjectEvents> {
    return this.queries.execute(new SubjectEventsQuery(p, subjectId));
  }
}
