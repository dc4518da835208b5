import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { EVENT_RETENTION, EVENT_STORE, EventRetention, EventStore } from '@authtrail/event-store';
import { CLOCK, Clock } from '@authtrail/platform';
import { LedgerService } from '../application/ledger.service';
import type { SealSigningKey } from '../domain/seal-key';
import { SEAL_KEY, loadOrCreateSealKey } from './seal-key.loader';
import { SealerFactory } from './sealer.factory';

/** The seal key, the ledger's reads (verify, seals, inclusion proofs) and the sealer's factory. */
@Module({
  providers: [
    {
      // Created 0600 on first start, in its own file apart from the event log.
      provide: SEAL_KEY,
      useFactory: (config: AppConfig) => loadOrCreateSealKey(config.sealKeyFile),
      inject: [APP_CONFIG],
    },
    {
      provide: LedgerService,
      // Hashes of events removed by retention keep older seals verifiable; the clock
      // tells which sealed events a store that expires them itself may have dropped.
      useFactory: (
        store: EventStore,
        key: SealSigningKey,
        retention: EventRetention | null,
        clock: Clock,
      ) =>
        new LedgerService(
          store,
          key,
          retention ? { read: (o) => retention.readPruned(o) } : undefined,
          clock,
        ),
      inject: [EVENT_STORE, SEAL_KEY, EVENT_RETENTION, CLOCK],
    },
    SealerFactory,
  ],
  exports: [SEAL_KEY, LedgerService, SealerFactory],
})
export class LedgerModule {}
