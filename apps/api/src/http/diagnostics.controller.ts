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
  bundle(@CurrentPrincipal() p: Principal): Promise<DiagnosticsBundle> {
    return this.diagnostics.bundle(p.tenantId);
  }
}
