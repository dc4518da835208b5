import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import {
  ErasureReceipt,
  ErasureReceiptQuery,
  ErasureView,
  ListErasuresQuery,
} from '@authtrail/privacy';
import { ApiErasures, ApiErasureReceipt } from './erasures.openapi';

/** The erasures done in the tenant (subject ids only: the name went with the key). */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/privacy/erasures')
export class ErasuresController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access('privacy-admin')
  @ApiErasures()
  list(@CurrentPrincipal() p: Principal): Promise<{ items: ErasureView[] }> {
    return this.queries.execute(new ListErasuresQuery(p.tenantId));
  }

  @Get(':id/receipt')
  @Access('privacy-admin')
  @ApiErasureReceipt()
  receipt(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<ErasureReceipt> {
    return this.queries.execute(new ErasureReceiptQuery(p.tenantId, id));
  }
}
