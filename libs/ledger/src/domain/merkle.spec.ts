import { createHash } from 'node:crypto';
import {
  MerkleTree,
  auditPath,
  chunkRoots,
  eventLeaf,
  merkleRoot,
  rootFromAuditPath,
  sha256,
} from './merkle';

const leafOf = (hex: string) =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.of(0), Buffer.from(hex, 'hex')]))
    .digest();

describe('Merkle trees (RFC 9162 / RFC 6962 shape)', () => {
  // The reference vectors of Certificate Transparency's merkle tree tests.
  const inputs = [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ];
  const roots = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];

  it('computes the reference roots for 1..8 leaves', () => {
    const leaves = inputs.map(leafOf);
    roots.forEach((root, i) =>
      expect(merkleRoot(leaves.slice(0, i + 1)).toString('hex')).toBe(root),
    );
  });

  it('proves every leaf of trees of 1..70 leaves, and no proof survives a changed leaf or index', () => {
    for (let n = 1; n <= 70; n++) {
      const leaves = Array.from({ length: n }, (_, i) =>
        eventLeaf(i + 1, sha256(Buffer.from(`e${i}`))),
      );
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const path = auditPath(leaves, i);
        expect(rootFromAuditPath(leaves[i], i, n, path)?.equals(root)).toBe(true);
        const other = leaves[(i + 1) % n];
        if (n > 1) {
          expect(rootFromAuditPath(other, i, n, path)?.equals(root) ?? false).toBe(false);
          expect(rootFromAuditPath(leaves[i], (i + 1) % n, n, path)?.equals(root) ?? false).toBe(
            false,
          );
        }
      }
    }
  });

  it('gives the same root over power-of-two chunk roots as over all leaves', () => {
    for (const n of [1, 63, 64, 65, 200, 1000]) {
      const leaves = Array.from({ length: n }, (_, i) =>
        eventLeaf(i, sha256(Buffer.from([i % 256]))),
      );
      expect(merkleRoot(chunkRoots(leaves, 64)).equals(merkleRoot(leaves))).toBe(true);
      expect(merkleRoot(chunkRoots(leaves, 16)).equals(merkleRoot(leaves))).toBe(true);
    }
  });

  it('a MerkleTree gives the same root and audit paths as the recursive definition, every leaf of every size', () => {
    for (let n = 1; n <= 70; n++) {
      const leaves = Array.from({ length: n }, (_, i) => eventLeaf(i + 1, sha256(Buffer.of(i, n))));
      const tree = new MerkleTree(leaves);
      const root = merkleRoot(leaves);
      expect(tree.root().equals(root)).toBe(true);
      for (let i = 0; i < n; i++) {
        const path = tree.auditPath(i);
        expect(rootFromAuditPath(leaves[i], i, n, path)?.equals(root)).toBe(true);
        // The memo must not hand out a node another path could corrupt.
        path[0]?.fill(0);
        expect(rootFromAuditPath(leaves[i], i, n, tree.auditPath(i))?.equals(root)).toBe(true);
      }
    }
  });

  it('binds the position into the leaf: the same envelope elsewhere is another leaf', () => {
    const h = sha256(Buffer.from('envelope'));
    expect(eventLeaf(7, h).equals(eventLeaf(8, h))).toBe(false);
  });
});
