export * from './infrastructure/runtime.module';
export * from './infrastructure/tokens';
export * from './application/bootstrap.service';
export * from './application/admin.service';
export * from './infrastructure/master-key-rotation';
export * from './application/retention.service';
export * from './application/schedule-tenant-deletion.command-handler';
export * from './application/erase-person.command-handler';
