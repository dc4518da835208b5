/**
 * The erasure receipt (`authtrail.erasure-receipt.v1`): a document signed with the seal key
 * saying a person's key was destroyed, when, what the tenant's seal chain head was then,
 * and that the log verified. `tools/verify-export` checks it offline with the public key.
 */
import { canonicalJson } from '@authtrail/ledger';

export const ERASURE_RECEIPT_FORMAT = 'authtrail.erasure-receipt.v1';

export interface ErasureReceiptPayload {
  readonly format: typeof ERASURE_RECEIPT_FORMAT;
  readonly tenantId: string;
  readonly subjectId: string;
  /** When the data key was destroyed (`privacy.SubjectErased`'s `erasedAt`). */
  readonly keyDestroyedAt: string;
  /** Stored events about the person when erased: all unreadable now. */
  readonly events: number;
  /**
   * The tenant's last seal signed at or before the key's destruction (sequence, its seal
   * hash, the last position it covers); null when the tenant had no seal yet.
   */
  readonly sealHead: {
    readonly sequence: number;
    readonly sealHash: string;
    readonly toPosition: number;
    readonly sealedAt: string;
  } | null;
  /** The whole tenant log, seal chain included, was verified when the receipt was issued. */
  readonly logVerified: boolean;
  readonly verifiedAt: string;
  /** Seals checked by that verification (those up to `sealHead` among them). */
  readonly checkedSeals: number;
  /** Seal key id (first 16 hex of SHA-256 of the raw Ed25519 public key). */
  readonly keyId: string;
}

export interface ErasureReceipt extends ErasureReceiptPayload {
  /** Base64 Ed25519 signature over the canonical JSON of every other member. */
  readonly signature: string;
}

/** The signed bytes: canonical JSON (sorted keys, no whitespace) of the payload. */
export function receiptSigningBytes(payload: ErasureReceiptPayload): Buffer {
  const { signature: _drop, ...rest } = payload as ErasureReceiptPayload & { signature?: string };
  return Buffer.from(canonicalJson(rest), 'utf8');
}
