export * from './domain/tenant';
export * from './application/tenants.service';
