/**
 * The stored event envelope (DESIGN.md "Event envelope"). Its UTF-8 JSON bytes are what
 * the store hashes and keeps; personal fields exist only inside `sealed`, one AES-256-GCM
 * blob per subject, so hashes and the log survive a key being shredded.
 */
export interface Envelope {
  readonly eventId: string;
  readonly tenantId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** Role → subject id, e.g. `{ actor: 's_…', target: 's_…' }`. */
  readonly subjects: Readonly<Record<string, string>>;
  /** Non-personal fields in clear. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Subject id → sealed personal fields of that subject. */
  readonly sealed: Readonly<Record<string, string>>;
  /**
   * Per member of `sealed`, in its order: a 64-bit digest (base64url) of that subject's
   * identity fields in the blob (name, display name, email), keyed under a key derived
   * from the subject's own data key, or "" when the blob has none. The SIEM forwarder sees
   * that an identity is unchanged without opening the blob. Positional, not keyed by
   * subject id, to keep the envelope small (a row's bytes are most of what an append
   * costs). Producer events recorded before it was added, and system events (which seal
   * nothing), have no `identity`.
   */
  readonly identity?: readonly string[];
}

export function encodeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  return JSON.parse(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  ) as Envelope;
}

/** The identity digest of one subject of an envelope: a string ("" = no identity fields), or undefined when the envelope has no digests. */
export function identityDigestOf(envelope: Envelope, subjectId: string): string | undefined {
  if (envelope.identity === undefined) return undefined;
  const at = Object.keys(envelope.sealed).indexOf(subjectId);
  return at < 0 ? '' : (envelope.identity[at] ?? '');
}
