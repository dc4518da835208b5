export * from './event-store/event-store.contract';
export * from './event-store/in-memory-event-store';
export * from './event-store/broken-event-stores';
export * from './checkpoints/in-memory-checkpoint-store';
export * from './key-vault';
export * from './postgres';
export * from './kafka';
export * from './siem';
