/**
 * A person's identity fields: those that tell who they are (name, display name, email),
 * as opposed to the rest of their personal data (phone numbers, IP addresses, devices).
 * The SIEM's identity topic carries exactly these; ingest digests them per person so
 * that a change can be seen without opening every sealed blob. Pure.
 */

/** Identity fields, by the name they carry on the identity topic. */
export const IDENTITY_FIELDS = [
  'userPrincipalName',
  'displayName',
  'firstName',
  'lastName',
  'emailAddress',
] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];
export type Identity = Partial<Record<IdentityField, string>>;

// JSON pointers of a subject's personal fields (catalog split) that carry identity fields.
const POINTERS: ReadonlyMap<string, IdentityField> = new Map([
  ['/actor/userPrincipalName', 'userPrincipalName'],
  ['/target/userPrincipalName', 'userPrincipalName'],
  ['/actor/displayName', 'displayName'],
  ['/target/displayName', 'displayName'],
  ['/details/firstName', 'firstName'],
  ['/details/lastName', 'lastName'],
  ['/details/emailAddress', 'emailAddress'],
]);

/** The identity fields in one subject's personal fields of one event (its sealed blob, opened). */
export function identityOf(personal: Readonly<Record<string, unknown>>): Identity {
  const out: Identity = {};
  for (const [pointer, value] of Object.entries(personal)) {
    const field = POINTERS.get(pointer);
    if (field !== undefined && typeof value === 'string' && value !== '') out[field] = value;
  }
  return out;
}

const DIGEST_TAG = 'authtrail-identity/v1\0';

/**
 * The bytes an identity's digest is keyed over: a tag, then the JSON array of the fields'
 * values in `IDENTITY_FIELDS` order (null where absent). Equal exactly when the identities
 * are equal, whatever the values hold; never the input of any other fingerprint.
 */
export function identityDigestInput(identity: Identity): Buffer {
  return Buffer.from(DIGEST_TAG + JSON.stringify(IDENTITY_FIELDS.map((f) => identity[f] ?? null)));
}
