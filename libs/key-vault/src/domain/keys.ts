import { createHash, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { MasterKeyError } from './key-vault.errors';

export const KEY_BYTES = 32;

/** A subject's unwrapped AES-256 data key. Never persisted unwrapped, never logged. */
export interface DataKey {
  readonly key: KeyObject;
}

/** The key that wraps tenant keys. `id` names it in the vault (first 8 hex of its SHA-256). */
export interface MasterKey {
  readonly id: string;
  readonly key: KeyObject;
}

/** Fresh random 256-bit key material. */
export function newKeyBytes(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function secretKey(bytes: Uint8Array): KeyObject {
  if (bytes.length !== KEY_BYTES) {
    throw new MasterKeyError(`a key must be ${KEY_BYTES} bytes, got ${bytes.length}`);
  }
  return createSecretKey(bytes);
}

/** Builds a master key from 32 bytes; the id is the first 8 hex digits of their SHA-256. */
export function masterKeyFromBytes(bytes: Uint8Array): MasterKey {
  const key = secretKey(bytes);
  const id = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
  return { id, key };
}
