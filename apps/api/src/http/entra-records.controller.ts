import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { EntraImportResult, ImportEntraRecordsCommand, recordsOf } from '@authtrail/entra';
import { INGEST_LIMITS, IngestLimits } from '@authtrail/ingest';
import { AppError, Metrics, ValidationError } from '@authtrail/platform';

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
  @ApiOperation({
    summary:
      'Post Microsoft Entra audit records (Graph directoryAudit or Azure Monitor AuditLogs records), mapped to SSPR events',
    description:
      'A JSON array of records of either shape (or {"records": [...]} / {"value": [...]} as Azure Monitor and Graph wrap them), ' +
      'at most 1000 records and 5 MiB. Per record, not all or nothing: 202 {received, accepted, duplicates, skipped, skippedBy, rejected, errors}; ' +
      'records of other services are counted in skipped, a malformed record is listed in errors by {index, path, message} while the good ones are stored. ' +
      '422 problem+json when no record at all could be used; 409 when the tenant has not opted in. Re-posting a record is a duplicate (the event id derives from the Graph id).',
  })
  @ApiBody({ schema: { type: 'array', items: { type: 'object' } } })
  async post(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Omit<EntraImportResult, 'byCategory'>> {
    const records = recordsOf(body);
    if (records === null)
      throw new ValidationError(
        'the body must be a JSON array of Entra audit records (or {"records": [...]})',
        [{ path: '', message: 'expected an array of records' }],
        'ENTRA.NOT_A_BATCH',
      );
    if (records.length > this.limits.maxEvents)
      throw new AppError(
        'ENTRA.BATCH_TOO_LARGE',
        'too-large',
        `a batch holds at most ${this.limits.maxEvents} records, this one ${records.length}`,
      );
    if (records.length === 0)
      throw new ValidationError(
        'the batch holds no record',
        [{ path: '', message: 'send at least one record' }],
        'ENTRA.BATCH_EMPTY',
      );
    const result = await this.commands.execute<ImportEntraRecordsCommand, EntraImportResult>(
      new ImportEntraRecordsCommand(principal.tenantId, records, principal.keyId),
    );
    for (const [category, n] of Object.entries(result.byCategory))
      this.metrics.eventsAccepted.inc({ category }, n);
    if (result.duplicates > 0) this.metrics.eventsDuplicate.inc(result.duplicates);
    if (result.rejected > 0)
      this.metrics.eventsRejected.inc({ reason: 'ENTRA.RECORD_INVALID' }, result.rejected);
    // Nothing usable at all (every record malformed): the request itself is bad input.
    if (result.rejected === result.received)
      throw new ValidationError(
        `none of the ${result.received} records could be imported; nothing was stored`,
        result.errors,
        'ENTRA.RECORDS_INVALID',
      );
    const { byCategory: _, ...answer } = result;
    return answer;
  }
}
