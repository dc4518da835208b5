import { AppError } from '@authtrail/platform';

/** The tenant's ledger stream holds something that is not a seal: sealing stops until verify is run. */
export class LedgerCorruptError extends AppError {
  constructor(tenantId: string, position: number) {
    super(
      'LEDGER.CORRUPT',
      'internal',
      `the ledger of tenant ${tenantId} holds an unreadable seal at position ${position}: run authtrail verify`,
      { extensions: { tenantId, position } },
    );
  }
}

/** The seal key file is missing, unreadable or not an Ed25519 key. */
export class SealKeyError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('LEDGER.SEAL_KEY', 'internal', message, { cause });
  }
}
