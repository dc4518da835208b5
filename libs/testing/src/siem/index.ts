export * from './published-subjects.contract';
export * from './in-memory-published-subjects';
