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
