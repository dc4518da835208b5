import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiJsonBody, ApiProblems, ref } from './openapi.common';

/** `POST /v1/holds`. */
export const ApiPlaceHold = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Place a legal hold on a person (by userPrincipalName) or the whole tenant: erasure and retention of what it covers wait for its release',
    }),
    ApiJsonBody(ref('LegalHoldRequest')),
    ApiJson(201, 'The hold, in force', ref('LegalHold')),
    ApiProblems(400, ...AUTHENTICATED, 404, 409, 415, 422, 503),
  );

/** `GET /v1/holds`. */
export const ApiListHolds = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "The tenant's legal holds, in force and released, newest first, with the erasures they defer",
    }),
    ApiJson(200, 'The holds', ref('LegalHoldList')),
    ApiProblems(...AUTHENTICATED, 503),
  );

/** `DELETE /v1/holds/{id}`. */
export const ApiReleaseHold = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Release a legal hold; the erasures it deferred run now unless another hold still covers the person',
    }),
    ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } }),
    ApiJson(200, 'The released hold and the erasures that ran', ref('LegalHoldRelease')),
    ApiProblems(...AUTHENTICATED, 404, 409, 422, 503),
  );
