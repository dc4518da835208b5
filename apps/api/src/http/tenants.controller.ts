import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ROLES } from '@authtrail/key-vault';
import { ValidationError } from '@authtrail/platform';
import { AdminService } from '@authtrail/runtime';
import { TenantState, TenantsService } from '@authtrail/tenancy';

const view = (s: TenantState) => ({
  tenantId: s.tenantId,
  optedIn: s.optedIn,
  optedInAt: s.optedInAt,
  deletionDueAt: s.deletionDueAt,
});

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1')
export class TenantsController {
  constructor(
    private readonly admin: AdminService,
    private readonly tenants: TenantsService,
  ) {}

  @Post('tenants')
  @HttpCode(201)
  @Access('operator')
  @ApiOperation({ summary: 'Create a tenant and its first tenant-admin key (shown once)' })
  async create(
    @Body() body: { tenantId?: unknown } | undefined,
    @CurrentPrincipal() p: Principal,
  ): Promise<{ tenantId: string; adminKey: string }> {
    const tenantId = body && typeof body === 'object' ? body.tenantId : undefined;
    if (typeof tenantId !== 'string')
      throw new ValidationError(
        'tenantId is required',
        [{ path: '/tenantId', message: 'must be a string' }],
        'TENANT.INVALID_ID',
      );
    const created = await this.admin.createTenant(tenantId, p.keyId);
    return { tenantId: created.tenantId, adminKey: created.adminKey };
  }

  @Get('tenant')
  @Access(...ROLES)
  @ApiOperation({ summary: "The caller's tenant: opt-in and scheduled deletion" })
  async get(@CurrentPrincipal() p: Principal) {
    return view(await this.tenants.state(p.tenantId));
  }

  @Post('tenant/opt-in')
  @HttpCode(200)
  @Access('tenant-admin')
  @ApiOperation({ summary: 'Opt in to data collection (seed 002): until then no event is kept' })
  async optIn(@CurrentPrincipal() p: Principal) {
    return view(await this.tenants.optIn(p.tenantId, { keyId: p.keyId }));
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
    return { ...view(state), deleted };
  }

  @Post('tenant/cancel-deletion')
  @HttpCode(200)
  @Access('tenant-admin')
  @ApiOperation({ summary: 'Cancel a scheduled tenant deletion' })
  async cancelDeletion(@CurrentPrincipal() p: Principal) {
    return view(await this.tenants.cancelDeletion(p.tenantId, { keyId: p.keyId }));
  }
}
