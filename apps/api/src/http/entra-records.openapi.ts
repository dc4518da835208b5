import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

/** `POST /v1/sources/entra/records`. */
export const ApiPostEntraRecords = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Post Microsoft Entra audit records (Graph directoryAudit or Azure Monitor AuditLogs records), mapped to SSPR events',
      description:
        'A JSON array of records of either shape (or {"records": [...]} / {"value": [...]} as Azure Monitor and Graph wrap them), ' +
        'at most 1000 records and 5 MiB. Per record, not all or nothing: 202 {received, accepted, duplicates, skipped, skippedBy, rejected, errors}; ' +
        'records of other services are counted in skipped, a malformed record is listed in errors by {index, path, message} while the good ones are stored. ' +
        '422 problem+json when no record at all could be used; 409 when the tenant has not opted in. Re-posting a record is a duplicate (the event id derives from the Graph id).',
    }),
    ApiBody({
      required: true,
      schema: {
        oneOf: [
          { type: 'array', items: ref('EntraRecord') },
          {
            type: 'object',
            properties: { records: { type: 'array', items: ref('EntraRecord') } },
            required: ['records'],
          },
          {
            type: 'object',
            properties: { value: { type: 'array', items: ref('EntraRecord') } },
            required: ['value'],
          },
        ],
      },
    }),
    ApiJson(202, 'Per record: stored, duplicates, skipped and rejected', ref('EntraImportResult')),
    ApiProblems(400, ...AUTHENTICATED, 409, 413, 415, 422, 503),
  );
