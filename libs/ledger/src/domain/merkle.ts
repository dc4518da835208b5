import { createHash } from 'node:crypto';

/**
 * Merkle trees as RFC 9162 §2.1 (Certificate Transparency v2, same shape as RFC 6962):
 * leaves and inner nodes are hashed with different prefixes (0x00 / 0x01), so a leaf can
 * never be passed off as a node, and the tree splits at the largest power of two.
 */

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

export function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/**
 * The leaf of one event: `SHA-256(0x00 ‖ uint64be(position) ‖ SHA-256(envelope bytes))`.
 * Binding the position makes a deleted, inserted or moved event change the root.
 */
export function eventLeaf(position: number, eventHash: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(41);
  b[0] = LEAF_PREFIX;
  b.writeBigUInt64BE(BigInt(position), 1);
  b.set(eventHash, 9);
  return sha256(b);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(NODE_PREFIX)).update(left).update(right).digest();
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Merkle tree hash over hashes that are already leaves (or roots of aligned subtrees:
 * the tree over the roots of power-of-two chunks equals the tree over all their leaves).
 */
export function merkleRoot(hashes: readonly Uint8Array[], lo = 0, hi = hashes.length): Buffer {
  const n = hi - lo;
  if (n <= 0) return sha256(Buffer.alloc(0));
  if (n === 1) return Buffer.from(hashes[lo]);
  const k = split(n);
  return nodeHash(merkleRoot(hashes, lo, lo + k), merkleRoot(hashes, lo + k, hi));
}

/** Audit path of leaf `index` (RFC 9162 §2.1.3.1), siblings from the leaf up. */
export function auditPath(leaves: readonly Uint8Array[], index: number): Buffer[] {
  return new MerkleTree(leaves).auditPath(index);
}

/**
 * A tree over fixed leaves whose subtree roots are computed once: the RFC 9162 tree has
 * 2n − 1 nodes, so any number of audit paths costs O(n) hashing in all and O(log n) each
 * after that (a path per leaf by `merkleRoot` alone would cost O(n) each: 500 paths in a
 * seal of 8192 events took 17 s).
 */
export class MerkleTree {
  private readonly memo = new Map<number, Buffer>();

  constructor(private readonly leaves: readonly Uint8Array[]) {}

  get size(): number {
    return this.leaves.length;
  }

  root(): Buffer {
    return Buffer.from(this.range(0, this.leaves.length));
  }

  auditPath(index: number): Buffer[] {
    if (index < 0 || index >= this.leaves.length) throw new RangeError('leaf index out of range');
    const path: Buffer[] = [];
    const walk = (lo: number, hi: number): void => {
      const n = hi - lo;
      if (n <= 1) return;
      const k = split(n);
      if (index - lo < k) {
        walk(lo, lo + k);
        path.push(Buffer.from(this.range(lo + k, hi)));
      } else {
        walk(lo + k, hi);
        path.push(Buffer.from(this.range(lo, lo + k)));
      }
    };
    walk(0, this.leaves.length);
    return path;
  }

  /** `merkleRoot(leaves, lo, hi)`, remembered (callers copy before handing it out). */
  private range(lo: number, hi: number): Buffer {
    const n = hi - lo;
    if (n <= 0) return sha256(Buffer.alloc(0));
    if (n === 1) return Buffer.from(this.leaves[lo]);
    const key = lo * (this.leaves.length + 1) + hi;
    let r = this.memo.get(key);
    if (r === undefined) {
      const k = split(n);
      r = nodeHash(this.range(lo, lo + k), this.range(lo + k, hi));
      this.memo.set(key, r);
    }
    return r;
  }
}

/** Root implied by a leaf, its index, the tree size and an audit path (RFC 9162 §2.1.3.2); null if the path does not fit. */
export function rootFromAuditPath(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  path: readonly Uint8Array[],
): Buffer | null {
  if (index < 0 || index >= treeSize) return null;
  let fn = index;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** Roots of consecutive chunks of `chunkSize` leaves (a power of two); the last may be shorter. */
export function chunkRoots(leaves: readonly Uint8Array[], chunkSize: number): Buffer[] {
  const out: Buffer[] = [];
  for (let lo = 0; lo < leaves.length; lo += chunkSize)
    out.push(merkleRoot(leaves, lo, Math.min(leaves.length, lo + chunkSize)));
  return out;
}
