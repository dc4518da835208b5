/**
 * Where an event already covered by a seal finds its proof at forwarding time (the ledger;
 * docs/siem.md "Verifying records"). Events forwarded before their seal exists carry none:
 * a consumer proves them from the topics alone.
 */
export interface SealProofs {
  /**
   * Inclusion proofs of those `positions` of the tenant that a seal covers already; a
   * position not sealed yet is absent from the answer. Cheap when none is sealed (the
   * forwarder usually runs ahead of the sealer).
   */
  proofs(tenantId: string, positions: readonly number[]): Promise<ReadonlyMap<number, SealProof>>;
}

/** An RFC 9162 §2.1.3 inclusion proof of one event in one seal of its tenant's chain. */
export interface SealProof {
  readonly sealSequence: number;
  /** SHA-256 (hex) of the seal's signed bytes: names the seal on the seals topic. */
  readonly sealHash: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Sibling hashes (hex) from the leaf up. */
  readonly auditPath: readonly string[];
}
