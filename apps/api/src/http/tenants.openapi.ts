import { applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';

const summary = (text: string) => applyDecorators(ApiOperation({ summary: text }));

/** `POST /v1/tenants`. */
export const ApiCreateTenant = () =>
  summary('Create a tenant and its first tenant-admin key (shown once)');

/** `GET /v1/tenant`. */
export const ApiGetTenant = () => summary("The caller's tenant: opt-in and scheduled deletion");

/** `POST /v1/tenant/opt-in`. */
export const ApiOptIn = () =>
  summary('Opt in to data collection (seed 002): until then no event is kept');

/** `DELETE /v1/tenant`. */
export const ApiScheduleTenantDeletion = () =>
  summary('Schedule deletion of the tenant after the grace period; then its key is shredded');

/** `POST /v1/tenant/cancel-deletion`. */
export const ApiCancelTenantDeletion = () => summary('Cancel a scheduled tenant deletion');
