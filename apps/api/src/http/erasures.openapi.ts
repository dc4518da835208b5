import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

/** `GET /v1/privacy/erasures`. */
export const ApiErasures = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Erasures done in the tenant (from the privacy.* events), newest first',
    }),
    ApiJson(200, 'Subject ids only: the name went with the key', ref('ErasureList')),
    ApiProblems(...AUTHENTICATED, 503),
  );

/** `GET /v1/privacy/erasures/{id}`. */
export const ApiErasureStatus = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "One subject's erasure (id: the subject id): requested, pending, deferred or erased, and once erased how far each copy's clean-up has got (surfaces); poll it until none is pending",
    }),
    ApiParam({ name: 'id', description: 'the subject id', schema: { type: 'string' } }),
    ApiJson(200, 'The erasure', ref('ErasureView')),
    ApiProblems(...AUTHENTICATED, 404, 503),
  );

/** `GET /v1/privacy/erasures/{id}/receipt`. */
export const ApiErasureReceipt = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Signed receipt of a finished erasure (id: the subject id): key destroyed at, seal chain head then, log verified; checked offline by tools/verify-export',
    }),
    ApiParam({ name: 'id', description: 'the subject id', schema: { type: 'string' } }),
    ApiJson(200, 'The signed receipt', ref('ErasureReceipt')),
    ApiProblems(...AUTHENTICATED, 404, 503),
  );
