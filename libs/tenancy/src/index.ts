export * from './domain/tenant';
export * from './application/tenants.service';
export * from './application/tenant-requests';
export * from './infrastructure/tenancy.module';
export * from './application/cancel-tenant-deletion.command-handler';
