/**
 * One position of the log as the ledger sees it: a stored event, or an event removed by
 * retention of which only the hash was kept.
 */
export interface LedgerEntry {
  readonly position: number;
  readonly tenantId: string;
  readonly streamId: string;
  /** The stored envelope bytes; absent for a pruned event. */
  readonly data?: Uint8Array;
  /** SHA-256 (hex) of the envelope recorded at append (or kept at pruning). */
  readonly hash: string;
}

/** A pruned event's hash, kept so the seals that cover it still verify. */
export interface PrunedHash {
  readonly position: number;
  readonly tenantId: string;
  readonly streamId: string;
  readonly hash: string;
}

/**
 * Where retention keeps the hashes of events it deleted (the planned `pruned_hashes`
 * table, written in the same transaction as the delete). Same paging as `readAll`.
 */
export interface PrunedHashes {
  read(options: { after: number; limit: number; tenantId?: string }): Promise<PrunedHash[]>;
}

/** Until retention pruning exists, no event has been pruned. */
export const NO_PRUNED_HASHES: PrunedHashes = { read: () => Promise.resolve([]) };

/** `t-{tenant}-ledger` (same naming as the event store's `ledgerStream`). */
export const isLedgerStream = (tenantId: string, streamId: string): boolean =>
  streamId === `t-${tenantId}-ledger`;
