import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import {
  EntraImportResult,
  ImportEntraRecordsCommand,
  entraImportAnswer,
  entraRecordsOf,
} from '@authtrail/entra';
import { INGEST_LIMITS, IngestLimits, countIngested } from '@authtrail/ingest';
import { Metrics } from '@authtrail/platform';
import { ApiPostEntraRecords } from './entra-records.openapi';

/** Entra's own audit records, straight from Graph, an Azure Monitor export or a portal download. */
@ApiTags('sources')
@ApiBearerAuth()
@Controller('v1/sources/entra')
export class EntraRecordsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly metrics: Metrics,
    @Inject(INGEST_LIMITS) private readonly limits: IngestLimits,
  ) {}

  @Post('records')
  @HttpCode(202)
  @Access('producer')
  @ApiPostEntraRecords()
  async post(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Omit<EntraImportResult, 'byCategory'>> {
    const records = entraRecordsOf(body, this.limits.maxEvents);
    const result = await this.commands.execute<ImportEntraRecordsCommand, EntraImportResult>(
      new ImportEntraRecordsCommand(principal.tenantId, records, principal.keyId),
    );
    countIngested(this.metrics, result);
    if (result.rejected > 0)
      this.metrics.eventsRejected.inc({ reason: 'ENTRA.RECORD_INVALID' }, result.rejected);
    return entraImportAnswer(result);
  }
}
