import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { ROLES } from '@authtrail/key-vault';
import { ApiWhoAmI } from './whoami.openapi';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/whoami')
export class WhoamiController {
  @Get()
  @Access(...ROLES)
  @ApiWhoAmI()
  whoami(@CurrentPrincipal() p: Principal): {
    tenantId: string;
    keyId: string;
    roles: readonly string[];
  } {
    return { tenantId: p.tenantId, keyId: p.keyId, roles: [...p.roles] };
  }
}
