import { ValidationError } from '@authtrail/platform';

/**
 * The body of an erasure or export request, `{"userPrincipalName": "…"}`: the name, or a
 * 422 naming each bad field (API.md).
 */
export function subjectRequestOf(body: unknown): string {
  const upn =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as { userPrincipalName?: unknown }).userPrincipalName
      : undefined;
  const extra =
    body && typeof body === 'object'
      ? Object.keys(body).filter((k) => k !== 'userPrincipalName')
      : [];
  const errors = [
    ...(typeof upn === 'string' && upn.trim() !== '' && upn.length <= 320
      ? []
      : [
          {
            path: '/userPrincipalName',
            message: 'must be a non-empty string of at most 320 characters',
          },
        ]),
    ...extra.map((k) => ({ path: `/${k}`, message: 'unknown field' })),
  ];
  if (errors.length > 0) throw new ValidationError('invalid request', errors, 'SUBJECT.INVALID');
  return upn as string;
}

/** Who an erasure names: the user principal name, or the display name a privacy admin sees. */
export type PersonRequest =
  { readonly userPrincipalName: string } | { readonly displayName: string };

/**
 * The body of an erasure, `{"userPrincipalName": "…"}` or `{"displayName": "…"}` (exactly
 * one), or a 422 naming each bad field.
 */
export function personRequestOf(body: unknown): PersonRequest {
  const b =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : null;
  if (b !== null && 'displayName' in b && !('userPrincipalName' in b)) {
    const name = b.displayName;
    const errors = [
      ...(typeof name === 'string' && name.trim() !== '' && name.length <= 320
        ? []
        : [
            {
              path: '/displayName',
              message: 'must be a non-empty string of at most 320 characters',
            },
          ]),
      ...Object.keys(b)
        .filter((k) => k !== 'displayName')
        .map((k) => ({ path: `/${k}`, message: 'unknown field' })),
    ];
    if (errors.length > 0) throw new ValidationError('invalid request', errors, 'SUBJECT.INVALID');
    return { displayName: name as string };
  }
  if (b !== null && 'displayName' in b) {
    throw new ValidationError(
      'invalid request',
      [{ path: '/displayName', message: 'give userPrincipalName or displayName, not both' }],
      'SUBJECT.INVALID',
    );
  }
  return { userPrincipalName: subjectRequestOf(body) };
}
