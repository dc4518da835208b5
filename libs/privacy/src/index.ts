export * from './domain/erasure';
export * from './application/event-reader';
export * from './application/privacy-streams';
export * from './application/erase-subject.command-handler';
export * from './application/erasure-recovery';
export * from './application/export-subject.query-handler';
