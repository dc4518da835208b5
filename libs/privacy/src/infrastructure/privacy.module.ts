import { Module } from '@nestjs/common';
import { EventCatalog } from '@authtrail/catalog';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { KEY_VAULT, KeyVault, Keyring } from '@authtrail/key-vault';
import { LedgerModule } from '@authtrail/ledger';
import { AccessAuditService } from '../application/access-audit.service';
import { EraseSubjectHandler } from '../application/erase-subject.command-handler';
import { ErasureRecovery } from '../application/erasure-recovery';
import { EventReader } from '../application/event-reader';
import { ExportSubjectHandler } from '../application/export-subject.query-handler';
import { ListErasuresHandler } from '../application/list-erasures.query-handler';
import { ErasureStatusHandler } from '../application/erasure-status.query-handler';
import { SubjectEventsHandler } from '../application/subject-events.query-handler';
import { ErasureReceiptHandler } from '../application/erasure-receipt.query-handler';
import { LegalHoldScope } from '../application/legal-hold-scope.service';
import { ListLegalHoldsHandler } from '../application/list-legal-holds.query-handler';
import { PlaceLegalHoldHandler } from '../application/place-legal-hold.command-handler';
import { ReleaseLegalHoldHandler } from '../application/release-legal-hold.command-handler';

/**
 * Data subjects' rights and who read their data: erasure (and its crash recovery),
 * export with inclusion proofs, a person's events, the erasures list, the access audit,
 * legal holds (place, release, list, and what they keep from retention).
 * Uses the runtime's event store, key vault, keyring, catalog, clock and ids.
 */
@Module({
  imports: [LedgerModule],
  providers: [
    {
      provide: EventReader,
      useFactory: (catalog: EventCatalog, keyring: Keyring) => new EventReader(catalog, keyring),
      inject: [EventCatalog, Keyring],
    },
    AccessAuditService,
    EraseSubjectHandler,
    ExportSubjectHandler,
    ListErasuresHandler,
    ErasureStatusHandler,
    SubjectEventsHandler,
    PlaceLegalHoldHandler,
    ReleaseLegalHoldHandler,
    ListLegalHoldsHandler,
    LegalHoldScope,
    ErasureReceiptHandler,
    {
      provide: ErasureRecovery,
      useFactory: (store: EventStore, vault: KeyVault, erase: EraseSubjectHandler) =>
        new ErasureRecovery(store, vault, erase),
      inject: [EVENT_STORE, KEY_VAULT, EraseSubjectHandler],
    },
  ],
  exports: [EventReader, AccessAuditService, ErasureRecovery, LegalHoldScope],
})
export class PrivacyModule {}
