import { AppError } from '@authtrail/platform';

/**
 * Sealed data or a wrapped key failed authentication: the bytes were altered, or they were
 * opened with another key or other additional data (event id, subject id, tenant id).
 */
export class SealedDataError extends AppError {
  constructor(what: string, cause?: unknown) {
    super(
      'CRYPTO.OPEN_FAILED',
      'internal',
      `${what} failed authentication: tampered, truncated, or opened with the wrong key or additional data`,
      { cause },
    );
  }
}

/** The tenant has no key: it never opted in, or it was deleted (its data is shredded). */
export class TenantKeyMissingError extends AppError {
  constructor(readonly tenantId: string) {
    super(
      'KEY_VAULT.TENANT_KEY_MISSING',
      'not-found',
      `tenant ${tenantId} has no key (not enabled, or deleted)`,
    );
  }
}

/** A tenant key is wrapped under a master key this process does not hold. */
export class MasterKeyMismatchError extends AppError {
  constructor(
    readonly tenantId: string,
    readonly storedMasterKeyId: string,
    readonly heldMasterKeyIds: readonly string[],
  ) {
    super(
      'KEY_VAULT.MASTER_KEY_MISMATCH',
      'internal',
      `tenant ${tenantId} key is wrapped under master key ${storedMasterKeyId}; this process holds ${heldMasterKeyIds.join(', ')}`,
    );
  }
}

/** The master key could not be loaded or created. The message names the file or setting. */
export class MasterKeyError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('KEY_VAULT.MASTER_KEY_INVALID', 'internal', message, { cause });
  }
}

/** A key-vault operation broke a rule of the port (e.g. rewrapping a tenant that has no key). */
export class KeyVaultConflictError extends AppError {
  constructor(code: string, message: string) {
    super(code, 'conflict', message);
  }
}

/** The key vault's store failed or cannot be reached; the caller may retry. */
export class KeyVaultUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('KEY_VAULT.UNAVAILABLE', 'unavailable', message, { retriable: true, cause });
  }
}
