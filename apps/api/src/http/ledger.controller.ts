import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ROLES } from '@authtrail/key-vault';
import {
  LedgerService,
  LedgerVerification,
  PublishedSealKey,
  SealList,
  sealsQueryOf,
} from '@authtrail/ledger';

/** The tenant's own seal chain: verification, seals and public key (docs/ledger.md). */
@ApiTags('ledger')
@ApiBearerAuth()
@Controller('v1/ledger')
export class LedgerController {
  constructor(private readonly ledger: LedgerService) {}

  @Get('verify')
  @Access(...ROLES)
  @ApiOperation({
    summary:
      "Recompute the tenant's log against its seals: hashes, Merkle roots, signatures and the chain",
    description:
      'ok: false names the first position where log and seals disagree (changed, deleted, inserted, reordered, forged-seal, broken-chain). Events after the last seal are reported as unsealed.',
  })
  verify(@CurrentPrincipal() p: Principal): Promise<LedgerVerification> {
    return this.ledger.verify({ tenantId: p.tenantId });
  }

  @Get('seals')
  @Access(...ROLES)
  @ApiOperation({
    summary:
      "The tenant's signed seals in chain order (format authtrail.seals.v1), for third parties",
  })
  @ApiQuery({
    name: 'after',
    required: false,
    description: 'sequence of the last seal already held',
  })
  @ApiQuery({ name: 'limit', required: false, description: 'at most this many (default 1000)' })
  seals(
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
  ): Promise<SealList> {
    return this.ledger.seals(p.tenantId, sealsQueryOf(query));
  }

  @Get('public-key')
  @Access(...ROLES)
  @ApiOperation({
    summary: 'The Ed25519 public key that signs seals: JSON, or PEM with ?format=pem',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'pem'] })
  publicKey(
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): PublishedSealKey | string {
    const key = this.ledger.publicKey();
    if (format !== 'pem') return key;
    void reply.header('content-type', 'application/x-pem-file');
    return key.publicKeyPem;
  }
}
