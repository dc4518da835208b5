import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { AdminService } from '@authtrail/runtime';
import { tenantIdOf } from '@authtrail/tenancy';
import { ApiCreateTenant } from './tenants.openapi';

/** The platform's tenants (operator); a tenant's own lifecycle is `TenantController`'s. */
@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly admin: AdminService) {}

  @Post()
  @HttpCode(201)
  @Access('operator')
  @ApiCreateTenant()
  async create(
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
  ): Promise<{ tenantId: string; adminKey: string }> {
    const { tenantId, adminKey } = await this.admin.createTenant(tenantIdOf(body), p.keyId);
    return { tenantId, adminKey };
  }
}
