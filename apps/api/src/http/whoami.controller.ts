import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ROLES } from '@authtrail/key-vault';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/whoami')
export class WhoamiController {
  @Get()
  @Access(...ROLES)
  @ApiOperation({
    summary:
      "The caller's tenant, key id and roles (the console shows only what these roles may do)",
  })
  whoami(@CurrentPrincipal() p: Principal): {
    tenantId: string;
    keyId: string;
    roles: readonly string[];
  } {
    return { tenantId: p.tenantId, keyId: p.keyId, roles: [...p.roles] };
  }
}
