import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiProblems, ref } from './openapi.common';

/** `GET /v1/ledger/verify`. */
export const ApiLedgerVerify = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "Recompute the tenant's log against its seals: hashes, Merkle roots, signatures and the chain",
      description:
        'ok: false names the first position where log and seals disagree (changed, deleted, inserted, reordered, forged-seal, broken-chain). Events after the last seal are reported as unsealed.',
    }),
    ApiJson(200, 'The verification report', ref('LedgerVerification')),
    ApiProblems(...AUTHENTICATED, 503),
  );

/** `GET /v1/ledger/seals`. */
export const ApiLedgerSeals = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "The tenant's signed seals in chain order (format authtrail.seals.v1), for third parties",
    }),
    ApiQuery({
      name: 'limit',
      required: false,
      description: 'at most this many (default 1000)',
      schema: { type: 'integer', minimum: 1 },
    }),
    ApiQuery({
      name: 'after',
      required: false,
      description: 'sequence of the last seal already held',
      schema: { type: 'integer', minimum: 0 },
    }),
    ApiJson(200, 'Seals in chain order', ref('SealList')),
    ApiProblems(...AUTHENTICATED, 422, 503),
  );

/** `GET /v1/ledger/public-key`. */
export const ApiLedgerPublicKey = () =>
  applyDecorators(
    ApiOperation({
      summary: 'The Ed25519 public key that signs seals: JSON, or PEM with ?format=pem',
    }),
    ApiQuery({
      name: 'format',
      required: false,
      schema: { type: 'string', enum: ['json', 'pem'] },
    }),
    ApiProduces('application/json', 'application/x-pem-file'),
    ApiJson(200, 'The public key (PEM text with format=pem)', ref('SealKey')),
    ApiProblems(...AUTHENTICATED),
  );
