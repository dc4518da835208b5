import { RETENTION_DAYS } from '@authtrail/catalog';
import { createClickHouseClient, type ClickHouseTarget } from './clickhouse-connection';
import {
  ClickHouseClientExecutor,
  LazyClickHouseExecutor,
  type ClickHouseExecutor,
} from './clickhouse-executor';
import {
  ClickHouseEngine,
  DdlOptions,
  TABLES,
  isIdentifier,
  migrations,
  schemaStatements,
} from './clickhouse-schema';
import { type DedupeMode, formatDateTime64 } from '../../application/reports/report-sql';

/** What shapes the tables and the SQL, apart from where ClickHouse runs. */
export interface ClickHouseReadModelSettingsInput {
  readonly database?: string;
  readonly dedupe?: DedupeMode;
  /** Retention per category in days (default: the catalog's, MFA 90, SSPR 365). */
  readonly retentionDays?: { readonly sspr: number; readonly mfa: number };
  /** Table engine family (AUTHTRAIL_CLICKHOUSE_ENGINE); default `plain`. */
  readonly engine?: ClickHouseEngine;
  /** `ON CLUSTER` target of every DDL statement (AUTHTRAIL_CLICKHOUSE_CLUSTER); default none. */
  readonly cluster?: string | null;
}

export interface ClickHouseReadModelOptions
  extends ClickHouseTarget, ClickHouseReadModelSettingsInput {}

/** The checked settings shared by the schema, the projection writer and the report queries. */
export interface ClickHouseReadModelSettings {
  readonly database: string;
  readonly ddl: DdlOptions;
  readonly dedupe: DedupeMode;
  readonly retentionDays: { readonly sspr: number; readonly mfa: number };
}

/** Defaults filled in; database and cluster names checked (they are spliced into SQL). */
export function readModelSettings(
  options: ClickHouseReadModelSettingsInput = {},
): ClickHouseReadModelSettings {
  const database = options.database ?? 'authtrail';
  if (!isIdentifier(database)) throw new Error('invalid database name');
  const cluster = options.cluster ?? null;
  if (cluster !== null && !isIdentifier(cluster)) throw new Error('invalid cluster name');
  return {
    database,
    ddl: { database, engine: options.engine ?? 'plain', cluster },
    dedupe: options.dedupe ?? 'auto',
    retentionDays: options.retentionDays ?? {
      sspr: RETENTION_DAYS.sspr,
      mfa: RETENTION_DAYS.mfa,
    },
  };
}

/**
 * Creates missing tables and brings a database of an earlier version up to date (each
 * migration once, recorded in `schema_migrations`). Idempotent.
 */
export async function migrateReadModel(
  executor: ClickHouseExecutor,
  settings: ClickHouseReadModelSettings,
): Promise<void> {
  const { ddl, database, retentionDays } = settings;
  for (const statement of schemaStatements({ ...ddl, retentionDays })) {
    await executor.command(statement);
  }
  const done = await executor.query<{ name: string }>(
    `SELECT DISTINCT name FROM ${database}.${TABLES.migrations}`,
  );
  const applied = new Set(done.map((m) => m.name));
  for (const migration of migrations(ddl)) {
    if (applied.has(migration.name)) continue;
    for (const statement of migration.statements) await executor.command(statement);
    await executor.insert(`${database}.${TABLES.migrations}`, [
      { name: migration.name, applied_at: formatDateTime64(new Date()) },
    ]);
  }
}

/** Opens the configured ClickHouse (server or chdb) with its tables up to date. */
export async function openClickHouseReadModel(
  options: ClickHouseReadModelOptions,
): Promise<ClickHouseExecutor> {
  const settings = readModelSettings(options);
  const executor = new ClickHouseClientExecutor(createClickHouseClient(options));
  try {
    await migrateReadModel(executor, settings);
  } catch (e) {
    await executor.close();
    throw e;
  }
  return executor;
}

/** The configured ClickHouse, opened (and its tables brought up to date) on first use. */
export function lazyClickHouseReadModel(
  options: ClickHouseReadModelOptions,
): LazyClickHouseExecutor {
  readModelSettings(options); // a bad name fails at start-up, not at the first report
  return new LazyClickHouseExecutor(() => openClickHouseReadModel(options));
}
