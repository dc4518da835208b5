import { applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AUTHENTICATED, ApiJson, ApiJsonBody, ApiProblems, ref } from './openapi.common';

/** `POST /v1/tenants`. */
export const ApiCreateTenant = () =>
  applyDecorators(
    ApiOperation({ summary: 'Create a tenant and its first tenant-admin key (shown once)' }),
    ApiJsonBody(ref('CreateTenantRequest')),
    ApiJson(201, 'The tenant and its admin key', ref('CreatedTenant')),
    ApiProblems(400, ...AUTHENTICATED, 409, 415, 422),
  );

/** `GET /v1/tenant`. */
export const ApiGetTenant = () =>
  applyDecorators(
    ApiOperation({ summary: "The caller's tenant: opt-in and scheduled deletion" }),
    ApiJson(200, 'The tenant', ref('Tenant')),
    ApiProblems(...AUTHENTICATED),
  );

/** `POST /v1/tenant/opt-in`. */
export const ApiOptIn = () =>
  applyDecorators(
    ApiOperation({ summary: 'Opt in to data collection (seed 002): until then no event is kept' }),
    ApiJson(200, 'The tenant, opted in', ref('Tenant')),
    ApiProblems(...AUTHENTICATED, 409, 503),
  );

/** `DELETE /v1/tenant`. */
export const ApiScheduleTenantDeletion = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Schedule deletion of the tenant after the grace period; then its key is shredded',
    }),
    ApiJson(
      202,
      'Scheduled (deleted: true with a grace period of 0)',
      ref('TenantDeletionScheduled'),
    ),
    ApiProblems(...AUTHENTICATED, 409, 503),
  );

/** `POST /v1/tenant/cancel-deletion`. */
export const ApiCancelTenantDeletion = () =>
  applyDecorators(
    ApiOperation({ summary: 'Cancel a scheduled tenant deletion' }),
    ApiJson(200, 'The tenant, no deletion due', ref('Tenant')),
    ApiProblems(...AUTHENTICATED, 409, 503),
  );
