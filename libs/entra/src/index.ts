export * from './domain/entra-records.types';
export * from './domain/entra-event-id';
export * from './domain/sspr-activities';
export * from './domain/map-entra-record';
export * from './domain/map-entra-batch';
export * from './domain/portal-csv';
