import type { FollowerCheckpoint } from '../domain/erasure-surfaces';

/**
 * The checkpoints of the log's followers that keep copies of personal data outside the
 * log. Read when an erasure's progress is asked for; each may fail (its store is down),
 * which the progress shows as `unknown`.
 */
export interface ErasureFollowers {
  /** The projector's: the read model holds the log up to this position. */
  readModel(): Promise<number>;
  /**
   * Of these people of the tenant, those whose ciphertext rows the read model still holds.
   * For a person the projector has erased, that is a queued delete not carried out yet.
   */
  ciphertextLeft(tenantId: string, subjectIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** The SIEM forwarder's (batches the broker acknowledged), or `off` when no SIEM sink is configured. */
  siem(): Promise<Exclude<FollowerCheckpoint, null>>;
}

/** Injection token of the deployment's `ErasureFollowers` (provided where the API runs). */
export const ERASURE_FOLLOWERS = Symbol('ErasureFollowers');
