import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ROLES } from '@authtrail/key-vault';
import { ScheduleTenantDeletionCommand, TenantDeletionScheduled } from '@authtrail/runtime';
import {
  CancelTenantDeletionCommand,
  TenantView,
  TenantsService,
  tenantView,
} from '@authtrail/tenancy';
import {
  ApiCancelTenantDeletion,
  ApiGetTenant,
  ApiOptIn,
  ApiScheduleTenantDeletion,
} from './tenants.openapi';

/** The caller's own tenant: its opt-in and its scheduled deletion (tenant-admin). */
@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1/tenant')
export class TenantController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @Access(...ROLES)
  @ApiGetTenant()
  async get(@CurrentPrincipal() p: Principal): Promise<TenantView> {
    return tenantView(await this.tenants.state(p.tenantId));
  }

  @Post('opt-in')
  @HttpCode(200)
  @Access('tenant-admin')
  @ApiOptIn()
  async optIn(@CurrentPrincipal() p: Principal): Promise<TenantView> {
    return tenantView(await this.tenants.optIn(p.tenantId, { keyId: p.keyId }));
  }

  @Delete()
  @HttpCode(202)
  @Access('tenant-admin')
  @ApiScheduleTenantDeletion()
  scheduleDeletion(@CurrentPrincipal() p: Principal): Promise<TenantDeletionScheduled> {
    return this.commands.execute(new ScheduleTenantDeletionCommand(p.tenantId, p.keyId));
  }

  @Post('cancel-deletion')
  @HttpCode(200)
  @Access('tenant-admin')
  @ApiCancelTenantDeletion()
  cancelDeletion(@CurrentPrincipal() p: Principal): Promise<TenantView> {
    return this.commands.execute(new CancelTenantDeletionCommand(p.tenantId, p.keyId));
  }
}
