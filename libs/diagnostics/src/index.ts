export * from './domain/recent-errors';
export * from './domain/diagnostics-bundle';
export * from './application/diagnostics.service';
export * from './infrastructure/build-info';
export * from './infrastructure/recent-errors.hook';
export * from './infrastructure/diagnostics.module';
