/**
 * Tables of the read model. Every statement is idempotent (IF NOT EXISTS) and is run one
 * per call: a ClickHouse server refuses several statements in one request.
 *
 * - Data tables are ReplacingMergeTree with the event id last in the sorting key: a row
 *   written twice collapses at merge, and queries remove duplicates at read time before
 *   that (`LIMIT 1 BY event_id` or FINAL, see `DedupeMode`).
 * - Times are DateTime64(3, 'UTC'); partitions are months of `occurred_at`, so the TTL
 *   (retention per category, DESIGN.md) drops whole parts.
 * - MFA has one table per family (seed 000 lists five record kinds with their own
 *   fields): typed columns per family, no sparse columns, the same 90-day TTL.
 */
export interface SchemaOptions {
  readonly database: string;
  readonly retentionDays: { readonly sspr: number; readonly mfa: number };
}

export const TABLES = {
  sspr: 'sspr_activity',
  registrationState: 'sspr_registration_state',
  registrationView: 'sspr_registration_state_mv',
  attempts: 'mfa_attempts',
  activations: 'mfa_activations',
  blocks: 'mfa_blocks',
  bypasses: 'mfa_bypasses',
  changes: 'mfa_changes',
  audit: 'audit_events',
  sealed: 'subject_sealed',
  erased: 'erased_subjects',
  tenantDeletions: 'tenant_deletions',
  checkpoint: 'projector_checkpoint',
} as const;

/** Tables holding rows of a tenant (removed when the tenant is deleted). */
export const TENANT_TABLES: readonly string[] = [
  TABLES.sspr,
  TABLES.registrationState,
  TABLES.attempts,
  TABLES.activations,
  TABLES.blocks,
  TABLES.bypasses,
  TABLES.changes,
  TABLES.audit,
  TABLES.sealed,
  TABLES.erased,
];

const BASE_COLUMNS = `
  tenant_id LowCardinality(String),
  event_id String,
  position UInt64,
  type LowCardinality(String),
  occurred_at DateTime64(3, 'UTC'),
  status LowCardinality(String),
  reason String,
  actor_id String,
  target_id String,
  actor_role LowCardinality(String),
  target_role LowCardinality(String)`;

function dataTable(
  db: string,
  name: string,
  columns: string,
  days: number,
  orderBy: string,
): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.${name} (${BASE_COLUMNS},${columns}
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (${orderBy})
TTL toDateTime(occurred_at) + INTERVAL ${days} DAY`;
}

export function schemaStatements(o: SchemaOptions): string[] {
  const db = o.database;
  const { sspr, mfa } = o.retentionDays;
  const byTime = 'tenant_id, occurred_at, event_id';
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    dataTable(
      db,
      TABLES.sspr,
      `
  methods Array(LowCardinality(String)),
  step String,
  method LowCardinality(String),
  on_premises_agent LowCardinality(String)`,
      sspr,
      'tenant_id, type, occurred_at, event_id',
    ),
    // Current registration state per person: the latest sspr.Registered by (occurredAt,
    // log position). argMax is insensitive to duplicate rows, so replays cannot skew it.
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.registrationState} (
  tenant_id LowCardinality(String),
  subject_id String,
  latest AggregateFunction(argMax, Tuple(String, String, Array(String), DateTime64(3, 'UTC')), Tuple(DateTime64(3, 'UTC'), UInt64)),
  last_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY (tenant_id, subject_id)
TTL toDateTime(last_at) + INTERVAL ${sspr} DAY`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${TABLES.registrationView} TO ${db}.${TABLES.registrationState} AS
SELECT tenant_id, target_id AS subject_id,
  argMaxState(tuple(toString(status), toString(target_role), CAST(methods, 'Array(String)'), occurred_at), tuple(occurred_at, position)) AS latest,
  max(occurred_at) AS last_at
FROM ${db}.${TABLES.sspr}
WHERE type = 'sspr.Registered'
GROUP BY tenant_id, subject_id`,
    dataTable(
      db,
      TABLES.attempts,
      `
  method LowCardinality(String),
  authentication_type LowCardinality(String),
  application_name String`,
      mfa,
      byTime,
    ),
    dataTable(
      db,
      TABLES.activations,
      `
  device_type LowCardinality(String),
  app_version LowCardinality(String),
  oath_token_enabled Nullable(Bool),
  get_activation_code_result LowCardinality(String),
  activation_status_result LowCardinality(String)`,
      mfa,
      byTime,
    ),
    dataTable(
      db,
      TABLES.blocks,
      `
  blocked Bool,
  fraud_alert Nullable(Bool),
  fraud_alert_not_blocked Nullable(Bool),
  account_lockout Nullable(Bool),
  block_reason String,
  completed_at Nullable(DateTime64(3, 'UTC')),
  completion_reason String`,
      mfa,
      byTime,
    ),
    dataTable(
      db,
      TABLES.bypasses,
      `
  bypass_seconds UInt32,
  bypass_reason String,
  bypass_used Nullable(Bool),
  completed_at Nullable(DateTime64(3, 'UTC')),
  completion_reason String`,
      mfa,
      byTime,
    ),
    dataTable(
      db,
      TABLES.changes,
      `
  new_country_code LowCardinality(String),
  new_backup_country_code LowCardinality(String),
  pin_changed Nullable(Bool),
  pin_change_required Nullable(Bool)`,
      mfa,
      byTime,
    ),
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.audit} (${BASE_COLUMNS},
  service LowCardinality(String),
  recorded_at DateTime64(3, 'UTC'),
  correlation_id String,
  details String,
  retention_days UInt16
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, occurred_at, event_id)
TTL toDateTime(occurred_at) + toIntervalDay(retention_days)`,
    // Ciphertext only: one blob per (person, service), the newest by log position.
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.sealed} (
  tenant_id LowCardinality(String),
  subject_id String,
  service LowCardinality(String),
  event_id String,
  position UInt64,
  occurred_at DateTime64(3, 'UTC'),
  sealed String
) ENGINE = ReplacingMergeTree(position)
ORDER BY (tenant_id, subject_id, service)
TTL toDateTime(occurred_at) + INTERVAL ${Math.max(sspr, mfa)} DAY`,
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.erased} (
  tenant_id LowCardinality(String),
  subject_id String,
  erased_at DateTime64(3, 'UTC'),
  position UInt64
) ENGINE = ReplacingMergeTree(position)
ORDER BY (tenant_id, subject_id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.tenantDeletions} (
  tenant_id LowCardinality(String),
  deleted_at DateTime64(3, 'UTC'),
  position UInt64
) ENGINE = ReplacingMergeTree(position)
ORDER BY (tenant_id, position)`,
    // The checkpoint lives with the tables it describes: dropping the ClickHouse data
    // folder (projections are disposable) rebuilds from zero by itself.
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.checkpoint} (
  worker LowCardinality(String),
  position UInt64
) ENGINE = ReplacingMergeTree(position)
ORDER BY worker`,
  ];
}
