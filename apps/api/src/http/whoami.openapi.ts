import { applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

/** `GET /v1/whoami`. */
export const ApiWhoAmI = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "The caller's tenant, key id and roles (the console shows only what these roles may do)",
    }),
    ApiJson(200, 'The caller', ref('WhoAmI')),
    ApiProblems(...AUTHENTICATED),
  );
