export * from './domain/app-error';
export * from './domain/clock.port';
