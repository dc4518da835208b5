import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';

/** `POST /v1/events`. */
export const ApiPostEvents = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Post a batch of SSPR and MFA events (JSON array or application/x-ndjson), all or nothing',
      description:
        'At most 1000 events and 5 MiB. 202 {accepted, duplicates}; 422 problem+json listing every {index, path, message}; ' +
        '409 when an eventId is reused with other content (indexes named) or the tenant has not opted in. Schemas: GET /v1/schemas.',
    }),
    ApiBody({ schema: { type: 'array', items: { type: 'object' } } }),
  );
