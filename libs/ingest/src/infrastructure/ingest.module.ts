import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { TenancyModule } from '@authtrail/tenancy';
import { IngestEventsHandler } from '../application/ingest-events.command-handler';
import { INGEST_LIMITS, IngestLimits } from '../application/ingest-limits';

/**
 * The ingest command (on the CQRS command bus) and its configured limits. Uses the
 * runtime's event store, keyring, catalog and clock; the tenant must be collecting.
 */
@Module({
  imports: [TenancyModule],
  providers: [
    {
      provide: INGEST_LIMITS,
      useFactory: (config: AppConfig): IngestLimits => ({
        maxEvents: config.ingest.maxEvents,
        maxFutureSkewMs: config.ingest.maxFutureSkewMs,
        retentionDays: { mfa: config.retention.mfaDays, sspr: config.retention.ssprDays },
      }),
      inject: [APP_CONFIG],
    },
    IngestEventsHandler,
  ],
  exports: [INGEST_LIMITS, IngestEventsHandler],
})
export class IngestModule {}
