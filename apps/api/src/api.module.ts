import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthGuard } from '@authtrail/auth';
import { ProblemFilter } from '@authtrail/platform';
import { ErasureFollowersModule, RuntimeModule, RuntimeOptions } from '@authtrail/runtime';
import { ReportingModule } from '@authtrail/reporting';
import { DiagnosticsModule } from '@authtrail/diagnostics';
import { EntraModule } from '@authtrail/entra';
import { EventsController } from './http/events.controller';
import { HealthController } from './http/health.controller';
import { KeysController } from './http/keys.controller';
import { SchemasController } from './http/schemas.controller';
import { SubjectsController } from './http/subjects.controller';
import { TenantController } from './http/tenant.controller';
import { TenantsController } from './http/tenants.controller';
import { ReportsController } from './http/reports.controller';
import { AuditEventsController } from './http/audit-events.controller';
import { LedgerController } from './http/ledger.controller';
import { ConsoleController } from './http/console.controller';
import { WhoamiController } from './http/whoami.controller';
import { DiagnosticsController } from './http/diagnostics.controller';
import { ErasuresController } from './http/erasures.controller';
import { HoldsController } from './http/holds.controller';
import { EntraRecordsController } from './http/entra-records.controller';

/** HTTP transport only: controllers over the runtime's use cases. */
@Module({})
export class ApiModule {
  static forRoot(options: RuntimeOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        RuntimeModule.forRoot(options),
        ReportingModule,
        DiagnosticsModule,
        EntraModule,
        ErasureFollowersModule,
      ],
      controllers: [
        EventsController,
        KeysController,
        TenantsController,
        TenantController,
        SchemasController,
        SubjectsController,
        HealthController,
        ReportsController,
        AuditEventsController,
        LedgerController,
        ConsoleController,
        WhoamiController,
        DiagnosticsController,
        ErasuresController,
        HoldsController,
        EntraRecordsController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
