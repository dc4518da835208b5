import { verify } from 'node:crypto';
import { SealDocument, SealLeafInput, canonicalJson, expandRuns, sealHash } from './seal';
import type { SealPublicKey } from './seal-key';

/** Format tag of a seal's retention annex; a new shape gets a new tag. */
export const SEAL_RETENTION_FORMAT = 'authtrail.seal-retention.v1';

const HASH_BYTES = 32;

/**
 * `count` consecutive leaves of a seal (in leaf order) of one retention `category` (null:
 * kept for good), recorded at `recordedAt` (ms since the epoch). Runs, because the events
 * of one append share category and recording time.
 */
export type RetentionRun = readonly [count: number, category: string | null, recordedAt: number];

/**
 * What the verifier needs to tell an event the store expired by retention from one that
 * was deleted (docs/ledger.md "Retention"). EventStoreDB drops events past their stream's
 * `$maxAge` and keeps nothing of them, so the sealer keeps it, beside each seal: per leaf
 * its category, recording time and envelope hash, and the windows in force. Signed with
 * the seal key and bound to its seal by `sealHash`, so whoever can edit the log cannot
 * pass a deleted event off as an expired one.
 */
export interface SealRetentionPayload {
  readonly format: typeof SEAL_RETENTION_FORMAT;
  /** `sealHash` of the seal this annex belongs to. */
  readonly sealHash: string;
  /** Category → seconds an event is kept after it was recorded. */
  readonly windows: Readonly<Record<string, number>>;
  readonly runs: readonly RetentionRun[];
  /** Base64 of the 32-byte SHA-256 of each leaf's envelope, in leaf order. */
  readonly hashes: string;
  readonly keyId: string;
}

export interface SealRetention extends SealRetentionPayload {
  /** Base64 Ed25519 signature of the canonical JSON of the payload. */
  readonly signature: string;
}

/** A leaf as the sealer sees it: what a seal needs plus what its retention annex needs. */
export interface RetainedLeafInput extends SealLeafInput {
  readonly recordedAt: Date;
  /** Retention category (`mfa`, `sspr` …), or null for what is kept for good. */
  readonly category: string | null;
}

/** Builds and signs the retention annex of `seal` (pure but for the signature). */
export function createSealRetention(
  seal: SealDocument,
  leaves: readonly RetainedLeafInput[],
  windows: Readonly<Record<string, number>>,
  sign: (bytes: Uint8Array) => Uint8Array,
): SealRetention {
  if (leaves.length !== seal.eventCount)
    throw new RangeError('a retention annex lists every leaf of its seal');
  const runs: [number, string | null, number][] = [];
  for (const leaf of leaves) {
    const at = leaf.recordedAt.getTime();
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === leaf.category && last[2] === at) last[0]++;
    else runs.push([1, leaf.category, at]);
  }
  const payload: SealRetentionPayload = {
    format: SEAL_RETENTION_FORMAT,
    sealHash: sealHash(seal),
    windows: { ...windows },
    runs,
    hashes: Buffer.concat(leaves.map((l) => Buffer.from(l.hash, 'hex'))).toString('base64'),
    keyId: seal.keyId,
  };
  const signature = Buffer.from(sign(retentionSigningBytes(payload))).toString('base64');
  return { ...payload, signature };
}

export function retentionSigningBytes(payload: SealRetentionPayload): Buffer {
  const { format, sealHash: boundTo, windows, runs, hashes, keyId } = payload;
  return Buffer.from(canonicalJson({ format, sealHash: boundTo, windows, runs, hashes, keyId }));
}

/** One leaf of a checked annex. */
export interface RetainedLeaf {
  readonly category: string | null;
  readonly recordedAt: number;
  /** SHA-256 (hex) of the envelope, as recorded when it was sealed. */
  readonly hash: string;
  /** When the store may drop it (ms), or null when it is kept for good. */
  readonly expiresAt: number | null;
}

/** A seal's annex, checked against the seal and the key: leaf `i` of the seal is `leaf(i)`. */
export interface CheckedRetention {
  leaf(index: number): RetainedLeaf;
}

/**
 * Checks an annex read from the log: shape, binding to `seal`, signature and size.
 * Returns the reason it is unusable as a string.
 */
export function checkSealRetention(
  value: unknown,
  seal: SealDocument,
  key: SealPublicKey,
): CheckedRetention | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'retention annex is not an object';
  const a = value as Record<string, unknown>;
  if (a.format !== SEAL_RETENTION_FORMAT) return 'retention annex of an unknown format';
  if (typeof a.signature !== 'string' || typeof a.hashes !== 'string')
    return 'retention annex is incomplete';
  const windows = a.windows as Record<string, unknown> | null;
  const windowsOk =
    windows !== null &&
    typeof windows === 'object' &&
    Object.values(windows).every((s) => Number.isSafeInteger(s) && (s as number) >= 0);
  const runs = a.runs;
  const runsOk =
    Array.isArray(runs) &&
    runs.every(
      (r) =>
        Array.isArray(r) &&
        r.length === 3 &&
        Number.isSafeInteger(r[0]) &&
        (r[0] as number) > 0 &&
        (r[1] === null || typeof r[1] === 'string') &&
        Number.isSafeInteger(r[2]),
    );
  if (!windowsOk || !runsOk) return 'retention annex is malformed';
  const payload = a as unknown as SealRetention;
  if (payload.sealHash !== sealHash(seal)) return 'retention annex belongs to another seal';
  let signed = false;
  try {
    signed = verify(
      null,
      retentionSigningBytes(payload),
      key.publicKey,
      Buffer.from(payload.signature, 'base64'),
    );
  } catch {
    signed = false;
  }
  if (!signed) return `retention annex is not signed by seal key ${key.keyId}`;
  const hashes = Buffer.from(payload.hashes, 'base64');
  const count = payload.runs.reduce((n, r) => n + r[0], 0);
  if (count !== seal.eventCount || hashes.length !== count * HASH_BYTES)
    return 'retention annex does not list every leaf of its seal';

  // Leaf index → run, by the runs' cumulative counts.
  const starts: number[] = [];
  let start = 0;
  for (const r of payload.runs) {
    starts.push(start);
    start += r[0];
  }
  return {
    leaf(index) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= index) lo = mid;
        else hi = mid - 1;
      }
      const [, category, recordedAt] = payload.runs[lo];
      const window = category === null ? undefined : payload.windows[category];
      return {
        category,
        recordedAt,
        hash: hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES).toString('hex'),
        expiresAt: window === undefined ? null : recordedAt + window * 1000,
      };
    },
  };
}

/**
 * The envelope hash the annex kept for each position of `seal` (what an inclusion proof
 * needs of an event retention removed); null when the annex is unusable.
 */
export function retainedHashes(
  annex: unknown,
  seal: SealDocument,
  key: SealPublicKey,
): ((position: number) => string | undefined) | null {
  const checked = checkSealRetention(annex, seal, key);
  if (typeof checked === 'string') return null;
  const index = new Map(expandRuns(seal.positions).map((p, i) => [p, i]));
  return (position) => {
    const i = index.get(position);
    return i === undefined ? undefined : checked.leaf(i).hash;
  };
}
