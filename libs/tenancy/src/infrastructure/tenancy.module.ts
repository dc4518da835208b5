import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { CLOCK, Clock, ID_SOURCE, IdSource } from '@authtrail/platform';
import { CancelTenantDeletionHandler } from '../application/cancel-tenant-deletion.command-handler';
import { TenantsService } from '../application/tenants.service';

/** Tenants' lifecycle (create, opt-in, scheduled deletion) on the runtime's event store and logger. */
@Module({
  providers: [
    {
      provide: TenantsService,
      useFactory: (store: EventStore, clock: Clock, ids: IdSource, config: AppConfig) =>
        new TenantsService(store, clock, ids, config.tenantDeletionGraceMs),
      inject: [EVENT_STORE, CLOCK, ID_SOURCE, APP_CONFIG],
    },
    CancelTenantDeletionHandler,
  ],
  exports: [TenantsService],
})
export class TenancyModule {}
