export * from './domain/app-error';
export * from './domain/clock.port';
export * from './infrastructure/logger';
export * from './infrastructure/metrics';
export * from './infrastructure/system-ids';
export * from './infrastructure/problem-details';
export * from './infrastructure/problem.filter';
export * from './application/read-ahead';
