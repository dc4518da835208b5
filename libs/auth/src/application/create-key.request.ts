import { ValidationError } from '@authtrail/platform';

/** `POST /v1/keys`: the roles are checked by the key service (they decide what may be granted). */
export interface CreateKeyRequest {
  readonly roles: unknown;
  readonly name?: string;
  readonly expiresAt: Date | null;
}

/** The body of a key request, or a 422 naming each bad or unknown field. */
export function createKeyRequestOf(body: unknown): CreateKeyRequest {
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<
    string,
    unknown
  >;
  const errors = [];
  if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length > 100))
    errors.push({ path: '/name', message: 'must be a string of at most 100 characters' });
  let expiresAt: Date | null = null;
  if (b.expiresAt !== undefined && b.expiresAt !== null) {
    expiresAt = typeof b.expiresAt === 'string' ? new Date(b.expiresAt) : new Date(NaN);
    if (Number.isNaN(expiresAt.getTime()))
      errors.push({ path: '/expiresAt', message: 'must be an ISO-8601 date-time' });
  }
  const extra = Object.keys(b).filter((k) => !['roles', 'name', 'expiresAt'].includes(k));
  for (const k of extra) errors.push({ path: `/${k}`, message: 'unknown field' });
  if (errors.length > 0) throw new ValidationError('invalid key request', errors, 'KEY.INVALID');
  return { roles: b.roles, name: b.name as string | undefined, expiresAt };
}
