import type { ProjectionRows, SubjectErasure, TenantDeletion } from '../domain/read-model.types';
import type { ReportSql } from './reports/report-sql';

/**
 * The projector's side of the read model. Writes are idempotent: a row written twice
 * (replay, restart after a crash) is counted once by every query.
 */
export interface ReadModelWriter {
  write(rows: ProjectionRows): Promise<void>;
  /** Records the erasure and drops the person's sealed display data. */
  eraseSubject(erasure: SubjectErasure): Promise<void>;
  /** Records the deletion and removes every row of the tenant. */
  deleteTenant(deletion: TenantDeletion): Promise<void>;
  /** Empties every table (a rebuild from position zero; the projector resets its checkpoint). */
  reset(): Promise<void>;
}

/** A read of the read model: the SQL of a report (its own file), or of a lookup. */
export type ReportQuery<P, R> = (sql: ReportSql, params: P) => Promise<R>;

/**
 * The reports' side of the read model: runs a report's query. The real reader runs its
 * SQL on ClickHouse (`SqlReportReader`); a test's reader answers without one.
 */
export interface ReportReader {
  run<P, R>(query: ReportQuery<P, R>, params: P): Promise<R>;
}

/** The reader over ClickHouse (every query removes rows written twice at read time). */
export class SqlReportReader implements ReportReader {
  constructor(private readonly sql: ReportSql) {}

  run<P, R>(query: ReportQuery<P, R>, params: P): Promise<R> {
    return query(this.sql, params);
  }
}

/** Injection tokens of the configured read model's two sides (ClickHouse). */
export const READ_MODEL_WRITER = Symbol('ReadModelWriter');
export const REPORT_READER = Symbol('ReportReader');
