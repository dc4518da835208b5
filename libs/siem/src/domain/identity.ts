/**
 * The identity topic's values: the fields a SIEM needs to join a subject id to a person
 * (name, display name, email). Pure: the forwarder opens the sealed blobs and hands the
 * fields in; phone numbers, IP addresses and device data never leave for the SIEM.
 */

import type { Identity, IdentityField } from '@authtrail/catalog';

// Which fields are identity fields, and how they are read from a blob, is the catalog's.
export { IDENTITY_FIELDS, identityOf } from '@authtrail/catalog';
export type { Identity, IdentityField } from '@authtrail/catalog';

/** Later values win field by field; a field an event does not carry keeps its earlier value. */
export function foldIdentity(base: Identity, next: Identity): Identity {
  return { ...base, ...next };
}

/** Per-field fingerprints (keyed hashes) of what was last published for a subject. */
export type IdentityFingerprints = Readonly<Partial<Record<IdentityField, string>>>;

/** True when `seen` carries a field that is new or differs from what was published. */
export function identityChanged(
  published: IdentityFingerprints | null,
  seen: IdentityFingerprints,
): boolean {
  if (published === null) return Object.keys(seen).length > 0;
  return (Object.keys(seen) as IdentityField[]).some((f) => published[f] !== seen[f]);
}

/** The identity topic's JSON value. */
export interface IdentityRecordValue {
  readonly tenant_uid: string;
  readonly subject_uid: string;
  /** Event whose data made this value (log position, for ordering replays). */
  readonly source_event_uid: string;
  readonly source_sequence: number;
  readonly time: number;
  readonly user: {
    readonly uid: string;
    readonly name?: string;
    readonly display_name?: string;
    readonly full_name?: string;
    readonly email_addr?: string;
  };
  /** The same fields by authtrail's names (those of the producer API). */
  readonly identity: Readonly<Identity>;
}

/** The identity record's value: an OCSF `user` object for joins, and the fields by authtrail's names. */
export function identityValue(
  tenantId: string,
  subjectId: string,
  identity: Identity,
  source: { eventId: string; position: number; occurredAt: string },
): IdentityRecordValue {
  const fullName = [identity.firstName, identity.lastName].filter(Boolean).join(' ');
  return {
    tenant_uid: tenantId,
    subject_uid: subjectId,
    source_event_uid: source.eventId,
    source_sequence: source.position,
    time: Date.parse(source.occurredAt),
    user: {
      uid: subjectId,
      ...(identity.userPrincipalName !== undefined ? { name: identity.userPrincipalName } : {}),
      ...(identity.displayName !== undefined ? { display_name: identity.displayName } : {}),
      ...(fullName !== '' ? { full_name: fullName } : {}),
      ...(identity.emailAddress !== undefined ? { email_addr: identity.emailAddress } : {}),
    },
    identity: { ...identity },
  };
}
