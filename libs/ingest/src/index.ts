export * from './domain/ingest-rules';
export * from './application/ingest-events.command';
export * from './application/ingest-events.command-handler';
export * from './application/ingest-limits';
export * from './application/ingest-batch';
export * from './domain/protect-events';
export * from './infrastructure/ingest.module';
export * from './application/count-ingested';
