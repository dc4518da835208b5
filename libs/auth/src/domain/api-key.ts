import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '@authtrail/key-vault';

/**
 * API keys look like `atk_<id>_<secret>`: the id is public (listed, logged), the secret
 * is shown once and stored only as its SHA-256. A 256-bit random secret needs no slow
 * hash: there is nothing to brute-force.
 */
export const KEY_PREFIX = 'atk_';
const KEY_PATTERN = /^atk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedKey {
  readonly id: string;
  readonly secret: string;
}

export function parseApiKey(raw: string): ParsedKey | null {
  const m = KEY_PATTERN.exec(raw);
  return m ? { id: m[1], secret: m[2] } : null;
}

export function generateApiKey(): { id: string; secret: string; key: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, key: `${KEY_PREFIX}${id}_${secret}` };
}

/**
 * Turns a configured bootstrap key into the same shape. A key that is not of our format
 * gets a stable id derived from it, so restarts with the same value keep the same id.
 */
export function keyFromConfiguredSecret(raw: string): { id: string; secret: string; key: string } {
  const parsed = parseApiKey(raw);
  if (parsed) return { ...parsed, key: raw };
  const id = createHash('sha256')
    .update('authtrail-bootstrap:')
    .update(raw)
    .digest('hex')
    .slice(0, 16);
  return { id, secret: raw, key: raw };
}

export const hashSecret = (secret: string): string =>
  createHash('sha256').update(secret, 'utf8').digest('hex');

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Who is calling. Roles never imply each other. */
export interface Principal {
  readonly tenantId: string;
  readonly keyId: string;
  readonly roles: readonly Role[];
}

export const hasAnyRole = (principal: Principal, roles: readonly Role[]): boolean =>
  roles.some((r) => principal.roles.includes(r));
