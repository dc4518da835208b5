import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiJsonBody, ApiProblems, ref } from './openapi.common';

/** `POST /v1/keys`. */
export const ApiCreateKey = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Create an API key of this tenant; the key is shown only in this response',
    }),
    ApiJsonBody(ref('CreateKeyRequest')),
    ApiJson(201, 'The new key, its secret shown once', ref('CreatedKey')),
    ApiProblems(400, ...AUTHENTICATED, 415, 422),
  );

/** `GET /v1/keys`. */
export const ApiListKeys = () =>
  applyDecorators(
    ApiOperation({ summary: "List this tenant's API keys (never their secrets)" }),
    ApiJson(200, 'The keys', ref('KeyList')),
    ApiProblems(...AUTHENTICATED),
  );

/** `DELETE /v1/keys/{id}`. */
export const ApiRevokeKey = () =>
  applyDecorators(
    ApiOperation({ summary: 'Revoke an API key of this tenant' }),
    ApiParam({ name: 'id', schema: { type: 'string' } }),
    ApiResponse({ status: 204, description: 'Revoked' }),
    ApiProblems(...AUTHENTICATED, 404),
  );
