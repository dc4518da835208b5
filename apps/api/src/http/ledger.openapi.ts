import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';

/** `GET /v1/ledger/verify`. */
export const ApiLedgerVerify = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "Recompute the tenant's log against its seals: hashes, Merkle roots, signatures and the chain",
      description:
        'ok: false names the first position where log and seals disagree (changed, deleted, inserted, reordered, forged-seal, broken-chain). Events after the last seal are reported as unsealed.',
    }),
  );

/** `GET /v1/ledger/seals`. */
export const ApiLedgerSeals = () =>
  applyDecorators(
    ApiOperation({
      summary:
        "The tenant's signed seals in chain order (format authtrail.seals.v1), for third parties",
    }),
    ApiQuery({ name: 'limit', required: false, description: 'at most this many (default 1000)' }),
    ApiQuery({
      name: 'after',
      required: false,
      description: 'sequence of the last seal already held',
    }),
  );

/** `GET /v1/ledger/public-key`. */
export const ApiLedgerPublicKey = () =>
  applyDecorators(
    ApiOperation({
      summary: 'The Ed25519 public key that signs seals: JSON, or PEM with ?format=pem',
    }),
    ApiQuery({ name: 'format', required: false, enum: ['json', 'pem'] }),
  );
