import type { FollowerCheckpoint } from '../domain/erasure-surfaces';

/**
 * The checkpoints of the log's followers that keep copies of personal data outside the
 * log. Read when an erasure's progress is asked for; each may fail (its store is down),
 * which the progress shows as `unknown`.
 */
export interface ErasureFollowers {
  /** The projector's: the read model holds the log up to this position. */
  readModel(): Promise<number>;
  /** The SIEM forwarder's (batches the broker acknowledged), or `off` when no SIEM sink is configured. */
  siem(): Promise<Exclude<FollowerCheckpoint, null>>;
}

/** Injection token of the deployment's `ErasureFollowers` (provided where the API runs). */
export const ERASURE_FOLLOWERS = Symbol('ErasureFollowers');
