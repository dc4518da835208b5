import type { IdentityFingerprints } from './identity';

/**
 * The forwarder's own record of whose identity it published (per tenant), with keyed
 * fingerprints of the fields, so that it republishes only on change and can tombstone
 * every person of a tenant after the vault has forgotten them (tenant deletion).
 * Holds no personal data: fingerprints are HMACs under the tenant's key.
 */
export interface PublishedSubjectsStore {
  get(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, IdentityFingerprints>>;
  /**
   * Records what one batch published, atomically: `null` forgets a person (erasure, tenant
   * deletion) and leaves no trace of their fingerprints on disk.
   */
  save(tenantId: string, changes: ReadonlyMap<string, IdentityFingerprints | null>): Promise<void>;
  /** Everyone published for a tenant. */
  subjectsOf(tenantId: string): Promise<string[]>;
  close(): Promise<void>;
}
