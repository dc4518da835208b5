import { createHmac, hkdfSync, KeyObject } from 'node:crypto';
import { KEY_BYTES, secretKey } from './keys';

/**
 * Sub-keys derived from a tenant key with HKDF-SHA256 (RFC 5869). The tenant key itself
 * is never used directly: each purpose gets its own key, so an HMAC output can never be
 * confused with a wrapping key's output.
 */
export interface TenantKeys {
  /** Wraps the tenant's subject data keys. */
  readonly wrap: KeyObject;
  /** HMAC key of the name index (user principal name → lookup hash). */
  readonly lookup: KeyObject;
  /** HMAC key of idempotency fingerprints. */
  readonly fingerprint: KeyObject;
}

export type TenantKeyPurpose = keyof TenantKeys;

export function deriveTenantKey(
  tenantKey: KeyObject,
  tenantId: string,
  purpose: TenantKeyPurpose,
): KeyObject {
  const info = Buffer.from(`authtrail/${purpose}/v1\0${tenantId}`, 'utf8');
  const bytes = Buffer.from(hkdfSync('sha256', tenantKey, Buffer.alloc(0), info, KEY_BYTES));
  try {
    return secretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

export function deriveTenantKeys(tenantKey: KeyObject, tenantId: string): TenantKeys {
  return {
    wrap: deriveTenantKey(tenantKey, tenantId, 'wrap'),
    lookup: deriveTenantKey(tenantKey, tenantId, 'lookup'),
    fingerprint: deriveTenantKey(tenantKey, tenantId, 'fingerprint'),
  };
}

/** HMAC-SHA256 of an already normalised user principal name. */
export function lookupHashOf(lookupKey: KeyObject, normalisedUpn: string): Buffer {
  return createHmac('sha256', lookupKey).update(normalisedUpn, 'utf8').digest();
}

/** HMAC-SHA256 of canonical bytes, hex. */
export function fingerprintOf(fingerprintKey: KeyObject, canonicalBytes: Uint8Array): string {
  return createHmac('sha256', fingerprintKey).update(canonicalBytes).digest('hex');
}

/** The first 64 bits of HMAC-SHA256 of bytes, base64url (11 characters): a compact change digest. */
export function digestOf(key: KeyObject, bytes: Uint8Array): string {
  return createHmac('sha256', key).update(bytes).digest().subarray(0, 8).toString('base64url');
}

/**
 * A person's own fingerprint key, derived from their data key: a fingerprint of their
 * personal fields can be checked only while the person exists, and is meaningless once
 * their key is shredded.
 */
export function derivePersonFingerprintKey(dataKey: KeyObject): KeyObject {
  const info = Buffer.from('authtrail/person-fingerprint/v1', 'utf8');
  const bytes = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), info, KEY_BYTES));
  try {
    return secretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}
