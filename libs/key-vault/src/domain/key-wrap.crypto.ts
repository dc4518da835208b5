import { KeyObject } from 'node:crypto';
import { openBytes, sealBytes } from './aead.crypto';
import { KEY_BYTES, secretKey } from './keys';

/**
 * Key wrapping: AES-256-GCM of the 32 key bytes, with additional data naming what the
 * key is for, so a wrapped key copied to another tenant or subject row does not open.
 */
export function tenantKeyContext(tenantId: string): string {
  return `tenant:${tenantId}`;
}

/** Subject ids never contain `:`, so the last segment always parses back unambiguously. */
export function subjectKeyContext(tenantId: string, subjectId: string): string {
  return `subject:${tenantId}:${subjectId}`;
}

export function wrapKey(parent: KeyObject, child: Uint8Array, context: string): Buffer {
  if (child.length !== KEY_BYTES) throw new RangeError(`a wrapped key must be ${KEY_BYTES} bytes`);
  return sealBytes(parent, child, Buffer.from(context, 'utf8'));
}

/** @throws SealedDataError when the wrapped key was altered or belongs to another context. */
export function unwrapKey(parent: KeyObject, wrapped: Uint8Array, context: string): KeyObject {
  const bytes = openBytes(
    parent,
    wrapped,
    Buffer.from(context, 'utf8'),
    `wrapped key (${context})`,
  );
  try {
    return secretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}
