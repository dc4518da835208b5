import { Body, Controller, Delete, Get, HttpCode, Inject, Post } from '@nestjs/common';
import type { Logger } from 'pino';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ROLES } from '@authtrail/key-vault';
import { LOGGER } from '@authtrail/platform';
import { AdminService } from '@authtrail/runtime';
import { TenantsService, tenantIdOf, tenantView } from '@authtrail/tenancy';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1')
export class TenantsController {
  constructor(
    private readonly admin: AdminService,
    private readonly tenants: TenantsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('tenants')
  @HttpCode(201)
  @Access('operator')
  @ApiOperation({ summary: 'Create a tenant and its first tenant-admin key (shown once)' })
  async create(
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
  ): Promise<{ tenantId: string; adminKey: string }> {
    const created = await this.admin.createTenant(tenantIdOf(body), p.keyId);
    return { tenantId: created.tenantId, adminKey: created.adminKey };
  }

  @Get('tenant')
  @Access(...ROLES)
  @ApiOperation({ summary: "The caller's tenant: opt-in and scheduled deletion" })
  async get(@CurrentPrincipal() p: Principal) {
    return tenantView(await this.tenants.state(p.tenantId));
  }

  @Post('tenant/opt-in')
  @HttpCode(200)
  @Access('tenant-admin')
  @ApiOperation({ summary: 'Opt in to data collection (seed 002): until then no event is kept' })
  async optIn(@CurrentPrincipal() p: Principal) {
    return tenantView(await this.tenants.optIn(p.tenantId, { keyId: p.keyId }));
  }

  @Delete('tenant')
  @HttpCode(202)
  @Access('tenant-admin')
  @ApiOperation({
    summary: 'Schedule deletion of the tenant after the grace period; then its key is shredded',
  })
  async scheduleDeletion(@CurrentPrincipal() p: Principal) {
    const state = await this.tenants.scheduleDeletion(p.tenantId, { keyId: p.keyId });
    // A grace period of 0 deletes at once.
    const deleted = await this.tenants.completeDeletionIfDue(p.tenantId, this.admin);
    this.logger.info(
      { tenantId: p.tenantId, keyId: p.keyId, dueAt: state.deletionDueAt },
      deleted ? 'tenant deleted: key shredded' : 'tenant deletion scheduled',
    );
    return { ...tenantView(state), deleted };
  }

  @Post('tenant/cancel-deletion')
  @HttpCode(200)
  @Access('tenant-admin')
  @ApiOperation({ summary: 'Cancel a scheduled tenant deletion' })
  async cancelDeletion(@CurrentPrincipal() p: Principal) {
    const state = await this.tenants.cancelDeletion(p.tenantId, { keyId: p.keyId });
    this.logger.info({ tenantId: p.tenantId, keyId: p.keyId }, 'tenant deletion cancelled');
    return tenantView(state);
  }
}
