import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import {
  ErasureReceipt,
  ErasureReceiptQuery,
  ErasureStatusQuery,
  ErasureView,
  ListErasuresQuery,
} from '@authtrail/privacy';
import { ApiErasureReceipt, ApiErasureStatus, ApiErasures } from './erasures.openapi';

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

  @Get(':id')
  @Access('privacy-admin')
  @ApiErasureStatus()
  status(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<ErasureView> {
    return this.queries.execute(new ErasureStatusQuery(p.tenantId, id));
  }

  @Get(':id/receipt')
  @Access('privacy-admin')
  @ApiErasureReceipt()
  receipt(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<ErasureReceipt> {
    return this.queries.execute(new ErasureReceiptQuery(p.tenantId, id));
  }
}
