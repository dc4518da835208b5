import { chunkRoots, eventLeaf, merkleRoot } from './merkle';
import {
  NewSealInput,
  SEAL_CHUNK_SIZE,
  SEAL_FORMAT,
  SealDocument,
  SealPayload,
  sealSigningBytes,
  toRuns,
} from './seal';

/** Builds and signs the seal over `input.leaves` (pure but for the signature). */
export function createSeal(
  input: NewSealInput,
  sign: (bytes: Uint8Array) => Uint8Array,
): SealDocument {
  const { leaves } = input;
  if (leaves.length === 0) throw new RangeError('a seal covers at least one event');
  const chunkSize = input.chunkSize ?? SEAL_CHUNK_SIZE;
  let previous = input.afterPosition;
  const hashes = leaves.map((l) => {
    if (!(l.position > previous)) throw new RangeError('leaves must be in increasing position');
    previous = l.position;
    return eventLeaf(l.position, Buffer.from(l.hash, 'hex'));
  });
  const chunks = chunkRoots(hashes, chunkSize);
  const payload: SealPayload = {
    format: SEAL_FORMAT,
    tenantId: input.tenantId,
    sequence: input.sequence,
    afterPosition: input.afterPosition,
    toPosition: leaves[leaves.length - 1].position,
    eventCount: leaves.length,
    positions: toRuns(leaves.map((l) => l.position)),
    chunkSize,
    chunkRoots: chunks.map((c) => c.toString('hex')),
    root: merkleRoot(chunks).toString('hex'),
    prevSealHash: input.prevSealHash,
    sealedAt: input.sealedAt.toISOString(),
    keyId: input.keyId,
  };
  const signature = Buffer.from(sign(sealSigningBytes(payload))).toString('base64');
  return { ...payload, signature };
}
