import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { IngestEventsCommand, IngestResult, countIngested, ingestBatchOf } from '@authtrail/ingest';
import { Metrics } from '@authtrail/platform';
import { ApiPostEvents } from './events.openapi';

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
  @ApiPostEvents()
  async post(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ accepted: number; duplicates: number }> {
    const events = ingestBatchOf(body);
    try {
      const result: IngestResult = await this.commands.execute(
        new IngestEventsCommand(principal.tenantId, events, principal.keyId),
      );
      countIngested(this.metrics, result);
      return { accepted: result.accepted, duplicates: result.duplicates };
    } catch (e) {
      this.metrics.eventsRejected.inc({ reason: (e as { code?: string }).code ?? 'INTERNAL' });
      throw e;
    }
  }
}
