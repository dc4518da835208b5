import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

/** `GET /v1/schemas`. */
export const ApiCatalog = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'The event catalog: every type with its fields (JSON path, type, personal, whose, secret) and JSON Schema',
    }),
    ApiJson(200, 'Every event type', ref('Catalog')),
    ApiProblems(...AUTHENTICATED),
  );

/** `GET /v1/schemas/{type}`. */
export const ApiEventSchema = () =>
  applyDecorators(
    ApiOperation({ summary: 'The JSON Schema of one event type' }),
    ApiParam({
      name: 'type',
      schema: { type: 'string' },
      example: 'sspr.PasswordResetSelfService',
    }),
    ApiJson(200, 'JSON Schema (draft-07)', ref('JsonSchema')),
    ApiProblems(...AUTHENTICATED, 404),
  );
