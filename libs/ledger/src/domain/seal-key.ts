import { createHash, createPublicKey, KeyObject, verify } from 'node:crypto';
import { SealPayload, sealSigningBytes } from './seal';

/** The public half of the seal key: what verifiers need. */
export interface SealPublicKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** SPKI PEM, for publishing. */
  readonly publicKeyPem: string;
}

/** The seal signing key (Ed25519); the private half stays in the key file. */
export interface SealSigningKey extends SealPublicKey {
  sign(bytes: Uint8Array): Buffer;
}

/** Public verification material as served at `GET /v1/ledger/public-key` (docs/ledger.md). */
export interface PublishedSealKey {
  readonly format: 'authtrail.seal-key.v1';
  readonly algorithm: 'Ed25519';
  readonly keyId: string;
  readonly publicKeyPem: string;
}

/** keyId: first 16 hex digits of SHA-256 over the raw 32-byte Ed25519 public key. */
export function sealKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  // An Ed25519 SPKI is a fixed 12-byte header followed by the 32-byte key.
  return createHash('sha256')
    .update(der.subarray(der.length - 32))
    .digest('hex')
    .slice(0, 16);
}

export function sealPublicKeyFromPem(pem: string): SealPublicKey {
  const publicKey = createPublicKey(pem);
  if (publicKey.asymmetricKeyType !== 'ed25519')
    throw new TypeError(`seal key must be Ed25519, not ${publicKey.asymmetricKeyType}`);
  return {
    keyId: sealKeyId(publicKey),
    publicKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

export function publishedSealKey(key: SealPublicKey): PublishedSealKey {
  return {
    format: 'authtrail.seal-key.v1',
    algorithm: 'Ed25519',
    keyId: key.keyId,
    publicKeyPem: key.publicKeyPem,
  };
}

/** True when `signature` (base64) is the key's Ed25519 signature of the payload. */
export function sealSignatureValid(
  payload: SealPayload,
  signature: string,
  key: SealPublicKey,
): boolean {
  try {
    return verify(null, sealSigningBytes(payload), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
