import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { DiagnosticsBundle, DiagnosticsService } from '@authtrail/diagnostics';
import { ApiDiagnostics } from './diagnostics.openapi';

@ApiTags('diagnostics')
@ApiBearerAuth()
@Controller('v1/diagnostics')
export class DiagnosticsController {
  constructor(private readonly diagnostics: DiagnosticsService) {}

  @Get()
  @Access('tenant-admin')
  @ApiDiagnostics()
  async bundle(@CurrentPrincipal() p: Principal): Promise<DiagnosticsBundle> {
    const bundle = await this.diagnostics.bundle(p.tenantId);
    // The deployment's configuration (hosts, paths, brokers) is the operator's business,
    // not every tenant's: a tenant admin gets the bundle without it.
    if (p.roles.includes('operator')) return bundle;
    return { ...bundle, config: { shownTo: 'operator' } };
  }
}
