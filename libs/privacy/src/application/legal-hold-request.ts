import { FieldError, ValidationError } from '@authtrail/platform';
import type { HoldScope } from '../domain/legal-hold';

/** The body of `POST /v1/holds`, read. */
export interface LegalHoldRequest {
  readonly scope: HoldScope;
  /** The person, by the name erasure accepts; absent for a tenant hold. */
  readonly userPrincipalName?: string;
  readonly caseReference: string;
}

const CASE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9 ._:/#-]*$/;
const FIELDS = ['scope', 'userPrincipalName', 'caseReference'];

/**
 * `{"scope": "person", "userPrincipalName": "…", "caseReference": "LIT-2026-014"}` or
 * `{"scope": "tenant", "caseReference": "…"}`, or a 422 naming each bad field.
 */
export function legalHoldRequestOf(body: unknown): LegalHoldRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError(
      'invalid request',
      [{ path: '', message: 'must be an object' }],
      'HOLD.INVALID',
    );
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(b)
    .filter((k) => !FIELDS.includes(k))
    .map((k) => ({ path: `/${k}`, message: 'unknown field' }));
  if (b.scope !== 'person' && b.scope !== 'tenant')
    errors.push({ path: '/scope', message: 'must be "person" or "tenant"' });
  const upn = b.userPrincipalName;
  if (b.scope === 'person' && !(typeof upn === 'string' && upn.trim() !== '' && upn.length <= 320))
    errors.push({
      path: '/userPrincipalName',
      message: 'a person hold names the person: a non-empty string of at most 320 characters',
    });
  if (b.scope === 'tenant' && upn !== undefined)
    errors.push({ path: '/userPrincipalName', message: 'a tenant hold names no person' });
  const ref = b.caseReference;
  if (!(typeof ref === 'string' && ref.length <= 128 && CASE_REFERENCE.test(ref)))
    errors.push({
      path: '/caseReference',
      message:
        'must be a case reference of at most 128 characters: letters, digits, spaces and ._:/#- (no names)',
    });
  if (errors.length > 0) throw new ValidationError('invalid request', errors, 'HOLD.INVALID');
  return {
    scope: b.scope as HoldScope,
    ...(b.scope === 'person' ? { userPrincipalName: upn as string } : {}),
    caseReference: ref as string,
  };
}
