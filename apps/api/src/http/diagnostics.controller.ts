import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '@authtrail/auth';
import { DiagnosticsBundle, DiagnosticsService } from '@authtrail/diagnostics';

@ApiTags('diagnostics')
@ApiBearerAuth()
@Controller('v1/diagnostics')
export class DiagnosticsController {
  constructor(private readonly diagnostics: DiagnosticsService) {}

  @Get()
  @Access('tenant-admin')
  @ApiOperation({
    summary:
      'Support bundle: version, redacted configuration, store health, worker lags, event counts, recent errors',
    description:
      "Pseudonymous only (seed 001): counts, codes, positions and ids; no person's data. The tenant's own counts and errors.",
  })
  async bundle(@CurrentPrincipal() p: Principal): Promise<DiagnosticsBundle> {
    const bundle = await this.diagnostics.bundle(p.tenantId);
    // The deployment's configuration (hosts, paths, brokers) is the operator's business,
    // not every tenant's: a tenant admin gets the bundle without it.
    if (p.roles.includes('operator')) return bundle;
    return { ...bundle, config: { shownTo: 'operator' } };
  }
}
