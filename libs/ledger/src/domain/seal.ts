import { createHash } from 'node:crypto';
import { LEDGER_EVENT } from '@authtrail/catalog';

/** Format tag of a seal; a new shape gets a new tag. */
export const SEAL_FORMAT = 'authtrail.seal.v1';
/** Event type of a seal in `t-{tenant}-ledger` (its schema: the catalog's `LEDGER_EVENTS.sealed`). */
export const SEALED_EVENT_TYPE = LEDGER_EVENT.sealed;
/** Leaves per chunk root: a power of two, so the chunk roots are nodes of the seal's tree. */
export const SEAL_CHUNK_SIZE = 64;

/** Inclusive ranges `[first, last]` of global positions. */
export type PositionRuns = readonly (readonly [number, number])[];

/**
 * What a seal states and signs (docs/ledger.md "Seal format"): the tenant's events with
 * `afterPosition < position <= toPosition`, except its own seals, are exactly `positions`,
 * and their leaves have Merkle root `root`.
 */
export interface SealPayload {
  readonly format: typeof SEAL_FORMAT;
  readonly tenantId: string;
  /** 0 for the tenant's first seal, then +1. */
  readonly sequence: number;
  /** `toPosition` of the previous seal (0 for the first): ranges are contiguous. */
  readonly afterPosition: number;
  readonly toPosition: number;
  readonly eventCount: number;
  readonly positions: PositionRuns;
  readonly chunkSize: number;
  /** Hex roots of each chunk of `chunkSize` leaves: verify uses them to pin a disagreement to a chunk. */
  readonly chunkRoots: readonly string[];
  /** Hex Merkle root over all leaves. */
  readonly root: string;
  /** `sealHash` of the previous seal, hex; null for the first. */
  readonly prevSealHash: string | null;
  readonly sealedAt: string;
  /** First 16 hex digits of SHA-256 of the raw Ed25519 public key. */
  readonly keyId: string;
}

/** A signed seal as stored, served and published: the payload plus a base64 Ed25519 signature. */
export interface SealDocument extends SealPayload {
  readonly signature: string;
}

/**
 * Deterministic JSON: object keys sorted, no whitespace, integers only. Signature and
 * seal hash are over these bytes, so any party re-serialising a seal gets the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON takes integers only');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold ${typeof value}`);
}

/** The signed bytes of a seal. */
export function sealSigningBytes(payload: SealPayload): Buffer {
  return Buffer.from(canonicalJson(payloadOf(payload)), 'utf8');
}

/** SHA-256 (hex) of the signed bytes: what the next seal names as `prevSealHash`. */
export function sealHash(payload: SealPayload): string {
  return createHash('sha256').update(sealSigningBytes(payload)).digest('hex');
}

/** The payload fields of a document (the signature and anything unknown dropped). */
export function payloadOf(doc: SealPayload): SealPayload {
  return {
    format: doc.format,
    tenantId: doc.tenantId,
    sequence: doc.sequence,
    afterPosition: doc.afterPosition,
    toPosition: doc.toPosition,
    eventCount: doc.eventCount,
    positions: doc.positions,
    chunkSize: doc.chunkSize,
    chunkRoots: doc.chunkRoots,
    root: doc.root,
    prevSealHash: doc.prevSealHash,
    sealedAt: doc.sealedAt,
    keyId: doc.keyId,
  };
}

const HEX64 = /^[0-9a-f]{64}$/;
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Reads a seal document from untrusted JSON; null when it is not shaped like one. */
export function parseSealDocument(value: unknown): SealDocument | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const d = value as Record<string, unknown>;
  const runsOk =
    Array.isArray(d.positions) &&
    d.positions.every(
      (r) => Array.isArray(r) && r.length === 2 && isCount(r[0]) && isCount(r[1]) && r[0] <= r[1],
    );
  const ok =
    d.format === SEAL_FORMAT &&
    typeof d.tenantId === 'string' &&
    isCount(d.sequence) &&
    isCount(d.afterPosition) &&
    isCount(d.toPosition) &&
    isCount(d.eventCount) &&
    runsOk &&
    isCount(d.chunkSize) &&
    d.chunkSize > 0 &&
    Array.isArray(d.chunkRoots) &&
    d.chunkRoots.every((h) => typeof h === 'string' && HEX64.test(h)) &&
    typeof d.root === 'string' &&
    HEX64.test(d.root) &&
    (d.prevSealHash === null ||
      (typeof d.prevSealHash === 'string' && HEX64.test(d.prevSealHash))) &&
    typeof d.sealedAt === 'string' &&
    typeof d.keyId === 'string' &&
    typeof d.signature === 'string';
  return ok ? (d as unknown as SealDocument) : null;
}

/** Sorted positions as inclusive runs. */
export function toRuns(positions: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const p of positions) {
    const last = runs[runs.length - 1];
    if (last !== undefined && p === last[1] + 1) last[1] = p;
    else runs.push([p, p]);
  }
  return runs;
}

export function expandRuns(runs: PositionRuns): number[] {
  const out: number[] = [];
  for (const [first, last] of runs) for (let p = first; p <= last; p++) out.push(p);
  return out;
}

/** One event to seal: its position and the SHA-256 (hex) of its envelope recorded at append. */
export interface SealLeafInput {
  readonly position: number;
  readonly hash: string;
}

export interface NewSealInput {
  readonly tenantId: string;
  readonly sequence: number;
  readonly afterPosition: number;
  /** In increasing position, all after `afterPosition`; at least one. */
  readonly leaves: readonly SealLeafInput[];
  readonly prevSealHash: string | null;
  readonly sealedAt: Date;
  readonly keyId: string;
  readonly chunkSize?: number;
}
