import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import {
  ErasureReceipt,
  ErasureReceiptQuery,
  ErasureView,
  ListErasuresQuery,
} from '@authtrail/privacy';

/** The erasures done in the tenant (subject ids only: the name went with the key). */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/privacy/erasures')
export class ErasuresController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access('privacy-admin')
  @ApiOperation({
    summary: 'Erasures done in the tenant (from the privacy.* events), newest first',
  })
  list(@CurrentPrincipal() p: Principal): Promise<{ items: ErasureView[] }> {
    return this.queries.execute(new ListErasuresQuery(p.tenantId));
  }

  @Get(':id/receipt')
  @Access('privacy-admin')
  @ApiOperation({
    summary:
      'Signed receipt of a finished erasure (id: the subject id): key destroyed at, seal chain head then, log verified; checked offline by tools/verify-export',
  })
  receipt(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<ErasureReceipt> {
    return this.queries.execute(new ErasureReceiptQuery(p.tenantId, id));
  }
}
