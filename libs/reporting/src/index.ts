export * from './domain/read-model.types';
export * from './domain/report-params';
export * from './domain/cursor';
export * from './domain/csv';
export * from './application/read-model.port';
export * from './application/projection';
export * from './application/projector';
export * from './application/subject-names';
export * from './application/reports.service';
export * from './application/reports/report-definition';
export * from './application/reports/report-registry';
export {
  ReportSql,
  TABLES,
  formatDateTime64,
  type DedupeMode,
  type SqlSelect,
} from './application/reports/report-sql';
export { auditEventsQuery } from './application/reports/audit-events.report';
export * from './application/named-people-audit';
export * from './application/run-report.query-handler';
export * from './application/audit-events.query-handler';
export * from './infrastructure/clickhouse/clickhouse-executor';
export * from './infrastructure/clickhouse/clickhouse-read-model';
export * from './infrastructure/clickhouse/clickhouse-projection-writer.adapter';
export * from './infrastructure/clickhouse/clickhouse-checkpoint-store.adapter';
export {
  createClickHouseClient,
  PINNED_SETTINGS,
  type ClickHouseTarget,
} from './infrastructure/clickhouse/clickhouse-connection';
export * from './infrastructure/reporting.module';
export { AUDIT_EVENTS_COLUMNS, auditEventsParams } from './application/reports/audit-events.report';
export { formatParams } from './application/csv-export';
export * from './application/person-shown-as.query-handler';
