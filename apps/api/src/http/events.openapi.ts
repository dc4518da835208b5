import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

/** `POST /v1/events`. */
export const ApiPostEvents = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Post a batch of SSPR and MFA events (JSON array or application/x-ndjson), all or nothing',
      description:
        'At most AUTHTRAIL_MAX_BATCH_EVENTS (1000) events and AUTHTRAIL_MAX_BODY_BYTES (5 MiB). 202 {accepted, duplicates}; ' +
        '422 problem+json listing every {index, path, message}; 409 when an eventId is reused with other content ' +
        '(indexes named) or the tenant has not opted in. Schemas: GET /v1/schemas.',
    }),
    ApiBody({
      required: true,
      description: 'A JSON array; the same events as application/x-ndjson, one per line',
      schema: { type: 'array', minItems: 1, items: ref('ProducerEvent') },
    }),
    ApiJson(202, 'Stored (or already stored: duplicates)', ref('IngestResult')),
    ApiProblems(400, ...AUTHENTICATED, 409, 413, 415, 422, 503),
  );
