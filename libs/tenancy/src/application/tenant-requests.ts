import { ValidationError } from '@authtrail/platform';
import type { TenantState } from '../domain/tenant';

/** A tenant as its admins see it (`GET /v1/tenant` and the lifecycle routes). */
export interface TenantView {
  readonly tenantId: string;
  readonly optedIn: boolean;
  readonly optedInAt: string | null;
  readonly deletionDueAt: string | null;
}

export function tenantView(s: TenantState): TenantView {
  return {
    tenantId: s.tenantId,
    optedIn: s.optedIn,
    optedInAt: s.optedInAt,
    deletionDueAt: s.deletionDueAt,
  };
}

/** The tenant id of `POST /v1/tenants` (`{"tenantId": "acme"}`), or a 422 naming it. */
export function tenantIdOf(body: unknown): string {
  const tenantId =
    body && typeof body === 'object' ? (body as { tenantId?: unknown }).tenantId : undefined;
  if (typeof tenantId !== 'string')
    throw new ValidationError(
      'tenantId is required',
      [{ path: '/tenantId', message: 'must be a string' }],
      'TENANT.INVALID_ID',
    );
  return tenantId;
}
