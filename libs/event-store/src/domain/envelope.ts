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
   * Subject id → a 96-bit digest of that subject's identity fields in `sealed` (name,
   * display name, email), keyed under a key derived from the subject's own data key: the
   * SIEM forwarder sees that an identity is unchanged without opening the blob. A subject
   * without identity fields has no entry. Producer events recorded before it was added
   * (and system events, which seal nothing) have no `identity` at all.
   */
  readonly identity?: Readonly<Record<string, string>>;
}

export function encodeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  return JSON.parse(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  ) as Envelope;
}
