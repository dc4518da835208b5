/**
 * Retention (DESIGN.md invariant 1): the one way events ever leave the log. Events of a
 * category older than its window are deleted; each one's position, tenant, stream and
 * hash are kept so the ledger's seals over them still verify.
 */
export interface PrunedEvent {
  readonly position: number;
  readonly tenantId: string;
  readonly streamId: string;
  /** SHA-256 (hex) recorded when the event was appended. */
  readonly hash: string;
}

/** What pruning must leave alone (legal holds): whole tenants, and events about given people. */
export interface RetentionExemptions {
  readonly tenants: readonly string[];
  readonly subjects: readonly { readonly tenantId: string; readonly subjectId: string }[];
}

export const NO_EXEMPTIONS: RetentionExemptions = { tenants: [], subjects: [] };

export interface EventRetention {
  /**
   * Deletes the events whose type starts with `typePrefix` (e.g. `mfa.`) and whose
   * `occurredAt` is before `before`, keeping their hashes, except the events of an exempt
   * tenant and those naming an exempt person in any role. Returns how many were deleted.
   */
  prune(typePrefix: string, before: Date, except?: RetentionExemptions): Promise<number>;
  /** Kept hashes of pruned events in position order; same paging as `readAll`. */
  readPruned(options: { after: number; limit: number; tenantId?: string }): Promise<PrunedEvent[]>;
}

export const EVENT_RETENTION = Symbol('EventRetention');
