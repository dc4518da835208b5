import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
import { ApiLedgerPublicKey, ApiLedgerSeals, ApiLedgerVerify } from './ledger.openapi';

/** The tenant's own seal chain: verification, seals and public key (docs/ledger.md). */
@ApiTags('ledger')
@ApiBearerAuth()
@Controller('v1/ledger')
export class LedgerController {
  constructor(private readonly ledger: LedgerService) {}

  @Get('verify')
  @Access(...ROLES)
  @ApiLedgerVerify()
  verify(@CurrentPrincipal() p: Principal): Promise<LedgerVerification> {
    return this.ledger.verify({ tenantId: p.tenantId });
  }

  @Get('seals')
  @Access(...ROLES)
  @ApiLedgerSeals()
  seals(
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
  ): Promise<SealList> {
    return this.ledger.seals(p.tenantId, sealsQueryOf(query));
  }

  @Get('public-key')
  @Access(...ROLES)
  @ApiLedgerPublicKey()
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
