import { MerkleTree, eventLeaf, rootFromAuditPath, sha256 } from './merkle';
import { SealDocument, expandRuns } from './seal';

/** Proof that an event is one of a seal's leaves (docs/ledger.md "Inclusion proofs"). */
export interface SealedProof {
  readonly status: 'sealed';
  readonly sealSequence: number;
  readonly sealHash: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Sibling hashes (hex) from the leaf up, RFC 9162 §2.1.3. */
  readonly auditPath: readonly string[];
}

/** Not sealed yet, or the log no longer holds what the seal needs (`unavailable`). */
export interface OpenProof {
  readonly status: 'pending' | 'unavailable';
  readonly reason: string;
}

export type InclusionProof = SealedProof | OpenProof;

export const PENDING_PROOF: OpenProof = {
  status: 'pending',
  reason: 'not sealed yet: the sealer covers new events within AUTHTRAIL_SEAL_INTERVAL_MS',
};

/**
 * Audit paths for `wanted` positions of one seal, given the recorded hash of every
 * position the seal covers (`hashOf` returns undefined for a position the log lost).
 */
export function proveInSeal(
  seal: SealDocument,
  sealHashHex: string,
  hashOf: (position: number) => string | undefined,
  wanted: readonly number[],
): Map<number, InclusionProof> {
  const positions = expandRuns(seal.positions);
  const out = new Map<number, InclusionProof>();
  const leaves: Buffer[] = [];
  for (const p of positions) {
    const hash = hashOf(p);
    if (hash === undefined) {
      for (const w of wanted)
        out.set(w, {
          status: 'unavailable',
          reason: `position ${p} of seal ${seal.sequence} is missing from the log: run verify`,
        });
      return out;
    }
    leaves.push(eventLeaf(p, Buffer.from(hash, 'hex')));
  }
  const index = new Map(positions.map((p, i) => [p, i]));
  const tree = new MerkleTree(leaves);
  for (const w of wanted) {
    const i = index.get(w);
    if (i === undefined) {
      out.set(w, {
        status: 'unavailable',
        reason: `seal ${seal.sequence} does not list position ${w}`,
      });
      continue;
    }
    out.set(w, {
      status: 'sealed',
      sealSequence: seal.sequence,
      sealHash: sealHashHex,
      leafIndex: i,
      treeSize: positions.length,
      auditPath: tree.auditPath(i).map((h) => h.toString('hex')),
    });
  }
  return out;
}

/** True when the envelope bytes at `position` are leaf `proof.leafIndex` of a seal with this root. */
export function inclusionProofValid(
  envelope: Uint8Array,
  position: number,
  proof: SealedProof,
  root: string,
): boolean {
  const leaf = eventLeaf(position, sha256(envelope));
  const computed = rootFromAuditPath(
    leaf,
    proof.leafIndex,
    proof.treeSize,
    proof.auditPath.map((h) => Buffer.from(h, 'hex')),
  );
  return computed !== null && computed.toString('hex') === root;
}
