export * from './domain/event-store.port';
export * from './domain/event-store.errors';
export * from './domain/stream-names';
export * from './infrastructure/sqlite/sqlite-event-store.adapter';
export { SQLITE_EVENT_STORE_SCHEMA_VERSION } from './infrastructure/sqlite/sqlite-event-store.schema';
export * from './domain/envelope';
export * from './domain/system-event';
export * from './domain/checkpoint-store.port';
export * from './infrastructure/checkpoints/sqlite-checkpoint-store.adapter';
