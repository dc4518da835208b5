import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { Inject } from '@nestjs/common';
import { NotFoundError, ValidationError } from '@authtrail/platform';
import { AccessAuditService } from '@authtrail/runtime';
import {
  EraseSubjectCommand,
  ErasureResult,
  EventReader,
  ExportSubjectQuery,
  SubjectExport,
  isPersonEventType,
} from '@authtrail/privacy';

function upnOf(body: unknown): string {
  const upn =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as { userPrincipalName?: unknown }).userPrincipalName
      : undefined;
  const extra =
    body && typeof body === 'object'
      ? Object.keys(body).filter((k) => k !== 'userPrincipalName')
      : [];
  const errors = [
    ...(typeof upn === 'string' && upn.trim() !== '' && upn.length <= 320
      ? []
      : [
          {
            path: '/userPrincipalName',
            message: 'must be a non-empty string of at most 320 characters',
          },
        ]),
    ...extra.map((k) => ({ path: `/${k}`, message: 'unknown field' })),
  ];
  if (errors.length > 0) throw new ValidationError('invalid request', errors, 'SUBJECT.INVALID');
  return upn as string;
}

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/subjects')
export class SubjectsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly reader: EventReader,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly audit: AccessAuditService,
  ) {}

  @Post('erase')
  @HttpCode(200)
  @Access('privacy-admin')
  @ApiOperation({
    summary:
      'Erase a person: shred their key so every copy of their personal data is unreadable; the log stays intact',
  })
  async erase(@Body() body: unknown, @CurrentPrincipal() p: Principal): Promise<ErasureResult> {
    return this.commands.execute(new EraseSubjectCommand(p.tenantId, upnOf(body), p.keyId));
  }

  @Post('export')
  @HttpCode(200)
  @Access('privacy-admin')
  @ApiOperation({
    summary:
      'Export every stored event about a person: their own fields decrypted, others as subject ids',
  })
  async export(@Body() body: unknown, @CurrentPrincipal() p: Principal): Promise<SubjectExport> {
    return this.queries.execute(new ExportSubjectQuery(p.tenantId, upnOf(body), p.keyId));
  }

  @Get(':subjectId/events')
  @Access('reader', 'privacy-admin')
  @ApiOperation({
    summary: 'Events about a subject id: names only for privacy-admin; erased people marked erased',
  })
  async events(@Param('subjectId') subjectId: string, @CurrentPrincipal() p: Principal) {
    const records = (await this.store.readBySubject(p.tenantId, subjectId)).filter((r) =>
      isPersonEventType(r.type),
    );
    if (records.length === 0)
      throw new NotFoundError('no events for this subject', 'SUBJECT.NOT_FOUND');
    const reveal = p.roles.includes('privacy-admin')
      ? ({ kind: 'all' } as const)
      : ({ kind: 'none' } as const);
    const views = await this.reader.views(p.tenantId, records, reveal);
    if (reveal.kind === 'all') {
      await this.audit.personalDataRead(
        p,
        'GET /v1/subjects/{subjectId}/events',
        views.flatMap((v) => Object.values(v.subjects)),
      );
    }
    return { subjectId, erased: views.every((v) => v.erased.includes(subjectId)), items: views };
  }
}
