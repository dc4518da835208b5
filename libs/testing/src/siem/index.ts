export * from './published-subjects.contract';
export * from './in-memory-published-subjects';
export * from './siem-publisher.contract';
export * from './in-memory-siem-publisher';
