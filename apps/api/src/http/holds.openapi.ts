import { applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';

/** `POST /v1/holds`. */
export const ApiPlaceHold = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Place a legal hold on a person (by userPrincipalName) or the whole tenant: erasure and retention of what it covers wait for its release',
    }),
  );

/** `GET /v1/holds`. */
export const ApiListHolds = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "The tenant's legal holds, in force and released, newest first, with the erasures they defer",
    }),
  );

/** `DELETE /v1/holds/{id}`. */
export const ApiReleaseHold = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Release a legal hold; the erasures it deferred run now unless another hold still covers the person',
    }),
  );
