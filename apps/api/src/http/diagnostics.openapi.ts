import { applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

/** `GET /v1/diagnostics`. */
export const ApiDiagnostics = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Support bundle: version, redacted configuration, store health, worker lags, event counts, recent errors',
      description:
        "Pseudonymous only (seed 001): counts, codes, positions and ids; no person's data. The tenant's own counts and errors.",
    }),
    ApiJson(200, 'The bundle', ref('Diagnostics')),
    ApiProblems(...AUTHENTICATED),
  );
