export * from './key-vault.contract';
export * from './credential-store.contract';
export * from './in-memory-key-vault';
export * from './file-scan';
