export * from './domain/read-model.types';
export * from './domain/report-params';
export * from './domain/cursor';
export * from './domain/csv';
export * from './application/read-model.port';
export * from './application/projection';
export * from './application/projector';
export * from './application/subject-names';
export * from './application/reports.service';
export * from './infrastructure/clickhouse/clickhouse-read-model.adapter';
export {
  createClickHouseClient,
  PINNED_SETTINGS,
  type ClickHouseTarget,
} from './infrastructure/clickhouse/clickhouse-connection';
export * from './infrastructure/reporting.module';
