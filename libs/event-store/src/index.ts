export * from './domain/event-store.port';
export * from './domain/event-store.errors';
export * from './domain/stream-names';
