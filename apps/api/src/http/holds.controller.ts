import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import {
  LegalHold,
  LegalHoldRelease,
  LegalHoldView,
  ListLegalHoldsQuery,
  PlaceLegalHoldCommand,
  ReleaseLegalHoldCommand,
  legalHoldRequestOf,
} from '@authtrail/privacy';
import { ApiListHolds, ApiPlaceHold, ApiReleaseHold } from './holds.openapi';

/** Legal holds of the tenant (privacy-admin). */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/holds')
export class HoldsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @Access('privacy-admin')
  @ApiPlaceHold()
  place(@Body() body: unknown, @CurrentPrincipal() p: Principal): Promise<LegalHold> {
    return this.commands.execute(
      new PlaceLegalHoldCommand(p.tenantId, legalHoldRequestOf(body), p.keyId),
    );
  }

  @Get()
  @Access('privacy-admin')
  @ApiListHolds()
  list(@CurrentPrincipal() p: Principal): Promise<{ items: LegalHoldView[] }> {
    return this.queries.execute(new ListLegalHoldsQuery(p.tenantId));
  }

  @Delete(':id')
  @Access('privacy-admin')
  @ApiReleaseHold()
  release(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<LegalHoldRelease> {
    return this.commands.execute(new ReleaseLegalHoldCommand(p.tenantId, id, p.keyId));
  }
}
