export * from './domain/lease.port';
export * from './application/worker-leases';
export * from './application/fenced-local-checkpoint-store';
export * from './infrastructure/pg-lease-store.adapter';
export * from './infrastructure/pg-fenced-checkpoint-store.adapter';
