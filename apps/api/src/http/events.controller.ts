import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { IngestEventsCommand, IngestResult, ingestBatchOf } from '@authtrail/ingest';
import { Metrics } from '@authtrail/platform';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly metrics: Metrics,
  ) {}

  @Post()
  @HttpCode(202)
  @Access('producer')
  @ApiOperation({
    summary:
      'Post a batch of SSPR and MFA events (JSON array or application/x-ndjson), all or nothing',
    description:
      'At most 1000 events and 5 MiB. 202 {accepted, duplicates}; 422 problem+json listing every {index, path, message}; ' +
      '409 when an eventId is reused with other content (indexes named) or the tenant has not opted in. Schemas: GET /v1/schemas.',
  })
  @ApiBody({ schema: { type: 'array', items: { type: 'object' } } })
  async post(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ accepted: number; duplicates: number }> {
    const events = ingestBatchOf(body);
    try {
      const result: IngestResult = await this.commands.execute(
        new IngestEventsCommand(principal.tenantId, events, principal.keyId),
      );
      for (const [category, n] of Object.entries(result.byCategory))
        this.metrics.eventsAccepted.inc({ category }, n);
      if (result.duplicates > 0) this.metrics.eventsDuplicate.inc(result.duplicates);
      return { accepted: result.accepted, duplicates: result.duplicates };
    } catch (e) {
      this.metrics.eventsRejected.inc({ reason: (e as { code?: string }).code ?? 'INTERNAL' });
      throw e;
    }
  }
}
