/**
 * Tables of the read model. Every statement is idempotent (IF NOT EXISTS) and is run one
 * per call: a ClickHouse server refuses several statements in one request.
 *
 * - Data tables are ReplacingMergeTree with the event id last in the sorting key: a row
 *   written twice collapses at merge, and queries remove duplicates at read time before
 *   that (`LIMIT 1 BY`, FINAL or read in order, see `DedupeMode`).
 * - Times are DateTime64(3, 'UTC'); partitions are months of `occurred_at`, so the TTL
 *   (retention per category, DESIGN.md) drops whole parts.
 * - MFA has one table per family (seed 000 lists five record kinds with their own
 *   fields): typed columns per family, no sparse columns, the same 90-day TTL.
 * - Materialized views keep three narrow tables for the reports that would otherwise read
 *   far more rows than they need: each person's latest registration (one row per person
 *   instead of every registration event), the admins' own password resets (a few
 *   percent of the SSPR rows) and the SSPR policy changes (a handful a month, with the
 *   changed settings that only the audit rows' details hold).
 * - A database of an earlier version is brought up to date at start (`migrations`): new
 *   tables are filled from the rows already in ClickHouse, retired ones dropped, each
 *   step recorded in `schema_migrations`. No replay is needed; `authtrail replay`
 *   rebuilds everything from the log as before.
 * - The engine family comes from configuration (DESIGN.md "Scale-out"): `plain` for chdb
 *   or one server, `replicated` for a cluster whose replicas share the rows through
 *   Keeper. A cluster name adds `ON CLUSTER` to every DDL statement, so each replica gets
 *   the tables and every deletion reaches every shard.
 */

import { TABLES } from '../../application/reports/report-sql';

/** `plain` (`*MergeTree`) or `replicated` (`Replicated*MergeTree`, needs a server with Keeper). */
export type ClickHouseEngine = 'plain' | 'replicated';

/** The DDL-shaping part of the schema options (the read model issues DDL of its own too). */
export interface DdlOptions {
  readonly database: string;
  /** Default `plain`. */
  readonly engine?: ClickHouseEngine;
  /** Cluster for `ON CLUSTER` DDL; null or absent: the server the client reaches. */
  readonly cluster?: string | null;
}

export interface SchemaOptions extends DdlOptions {
  readonly retentionDays: { readonly sspr: number; readonly mfa: number };
}

/**
 * Where a replicated table keeps its replication log in Keeper, and the replica's name.
 * `{shard}` and `{replica}` are macros of each server's configuration (operators such as
 * Altinity's set them); `{database}` and `{table}` are filled in by ClickHouse.
 * https://clickhouse.com/docs/engines/table-engines/mergetree-family/replication
 */
export const REPLICA_PATH = '/clickhouse/tables/{shard}/{database}/{table}';
export const REPLICA_NAME = '{replica}';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for a name that may stand unquoted in our SQL (database, cluster). */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** ` ON CLUSTER <name>` when a cluster is configured, else nothing. */
export function onCluster(o: DdlOptions): string {
  if (o.cluster === undefined || o.cluster === null) return '';
  // Identifiers are spliced into SQL, never values: refuse anything else.
  if (!isIdentifier(o.cluster)) throw new Error('invalid cluster name');
  return ` ON CLUSTER ${o.cluster}`;
}

/**
 * `ENGINE = …` of one table: the plain family, or its replicated twin with the Keeper path
 * and replica name first and the same arguments (the version column) after them.
 */
export function engineClause(
  o: DdlOptions,
  family: 'ReplacingMergeTree' | 'AggregatingMergeTree',
  version?: string,
): string {
  const args = version === undefined ? [] : [version];
  if ((o.engine ?? 'plain') === 'replicated') {
    return `ENGINE = Replicated${family}('${REPLICA_PATH}', '${REPLICA_NAME}'${args.map((a) => `, ${a}`).join('')})`;
  }
  return `ENGINE = ${family}${args.length > 0 ? `(${args.join(', ')})` : ''}`;
}

/** Drops a table or view of an earlier schema version, if it is still there. */
export function dropStatement(o: DdlOptions, kind: 'TABLE' | 'VIEW', name: string): string {
  return `DROP ${kind} IF EXISTS ${o.database}.${name}${onCluster(o)}`;
}

/**
 * Lightweight delete of rows matching `where` (values as query parameters). `wait` (the
 * default) returns once the rows are gone; `queue` once the delete is recorded (a mutation
 * kept on disk, or in Keeper when replicated, and carried out after a restart too): the
 * rows go when the engine's background pool runs it, within about a second here, which
 * `wait` would otherwise spend idle (issue #15: up to 1.1 s of an erasure's 2 s).
 */
export function deleteStatement(
  o: DdlOptions,
  table: string,
  where: string,
  mode: 'wait' | 'queue' = 'wait',
): string {
  const settings = mode === 'queue' ? ' SETTINGS lightweight_deletes_sync = 0' : '';
  return `DELETE FROM ${o.database}.${table}${onCluster(o)} WHERE ${where}${settings}`;
}

export function truncateStatement(o: DdlOptions, table: string): string {
  return `TRUNCATE TABLE IF EXISTS ${o.database}.${table}${onCluster(o)}`;
}

export { TABLES };

/** Tables holding rows of a tenant (removed when the tenant is deleted). */
export const TENANT_TABLES: readonly string[] = [
  TABLES.sspr,
  TABLES.registrations,
  TABLES.adminSelfResets,
  TABLES.policyChanges,
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
  o: DdlOptions,
  name: string,
  columns: string,
  days: number,
  orderBy: string,
): string {
  return `CREATE TABLE IF NOT EXISTS ${o.database}.${name}${onCluster(o)} (${BASE_COLUMNS},${columns}
) ${engineClause(o, 'ReplacingMergeTree')}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (${orderBy})
TTL toDateTime(occurred_at) + INTERVAL ${days} DAY`;
}

/** The registration rows of `sspr_activity`, shaped for `sspr_registrations` (its view and its fill). */
function registrationsSelect(db: string): string {
  return `SELECT tenant_id, target_id AS subject_id, status, target_role AS role, methods,
  occurred_at AS registered_at,
  bitShiftLeft(toUInt128(toUnixTimestamp64Milli(occurred_at)), 64) + position AS version
FROM ${db}.${TABLES.sspr}
WHERE type = 'sspr.Registered'`;
}

/**
 * Successful self-service resets by a person with an administrator role of their own
 * password (seed 003), shaped for `sspr_admin_self_resets` (its view and its fill).
 */
function adminSelfResetsSelect(db: string): string {
  return `SELECT tenant_id, event_id, position, occurred_at, actor_id AS subject_id,
  if(target_role != '', target_role, actor_role) AS role
FROM ${db}.${TABLES.sspr}
WHERE type = 'sspr.PasswordResetSelfService' AND status = 'Success' AND actor_id = target_id
  AND endsWith(if(target_role != '', target_role, actor_role), 'Administrator')`;
}

/** The setting changes of a policy change, typed as the event's `details.changes` (JSONExtract matches the names). */
const POLICY_CHANGES_TYPE =
  'Array(Tuple(property String, oldValue Nullable(String), newValue Nullable(String)))';

/**
 * SSPR policy changes (the ninth SSPR question), shaped for `sspr_policy_changes` (its view
 * and its fill) from the audit rows, the only ones that keep an event's details (policy
 * name and changed settings are not personal: they are plain columns there).
 */
function policyChangesSelect(db: string): string {
  return `SELECT tenant_id, event_id, position, occurred_at, status, reason, actor_id, actor_role,
  JSONExtractString(details, 'policy') AS policy,
  JSONExtract(details, 'changes', '${POLICY_CHANGES_TYPE}') AS changes
FROM ${db}.${TABLES.audit}
WHERE type = 'sspr.PolicyChanged'`;
}

/** Tables and views of earlier schema versions. */
export const RETIRED = {
  // Replaced by sspr_registrations: argMax states over a tuple holding an array, which
  // ClickHouse merges through its generic (Field-based) path, per person at every
  // registration report (~200 ms at 1M events against ~20 ms now).
  registrationState: 'sspr_registration_state',
  registrationView: 'sspr_registration_state_mv',
} as const;

/** One step from an earlier schema version to this one, run once per database. */
export interface Migration {
  /** Recorded in `schema_migrations` once every statement has run. */
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * Steps from earlier schema versions, run at start (after `schemaStatements`) when not yet
 * recorded. A view created by `schemaStatements` already feeds its table with every later
 * insert; its step fills the table from the rows written before. Each step may run twice
 * (a crash before its record, two processes starting at once): fills only add rows the
 * table deduplicates, drops are `IF EXISTS`. On a new database the steps find nothing to
 * fill or drop.
 */
export function migrations(o: DdlOptions): readonly Migration[] {
  const db = o.database;
  return [
    {
      name: 'sspr_registrations',
      statements: [
        // Stop feeding the retired table before filling its successor, then drop it.
        dropStatement(o, 'VIEW', RETIRED.registrationView),
        `INSERT INTO ${db}.${TABLES.registrations} ${registrationsSelect(db)}`,
        dropStatement(o, 'TABLE', RETIRED.registrationState),
      ],
    },
    {
      name: 'sspr_admin_self_resets',
      statements: [`INSERT INTO ${db}.${TABLES.adminSelfResets} ${adminSelfResetsSelect(db)}`],
    },
    {
      name: 'sspr_policy_changes',
      statements: [`INSERT INTO ${db}.${TABLES.policyChanges} ${policyChangesSelect(db)}`],
    },
  ];
}

export function schemaStatements(o: SchemaOptions): string[] {
  const db = o.database;
  const on = onCluster(o);
  const { sspr, mfa } = o.retentionDays;
  const byTime = 'tenant_id, occurred_at, event_id';
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}${on}`,
    dataTable(
      o,
      TABLES.sspr,
      `
  methods Array(LowCardinality(String)),
  step String,
  method LowCardinality(String),
  on_premises_agent LowCardinality(String)`,
      sspr,
      'tenant_id, type, occurred_at, event_id',
    ),
    // Each person's latest registration: the sspr.Registered with the greatest (occurredAt,
    // log position), packed into one UInt128 version so ReplacingMergeTree keeps that row
    // (a replayed duplicate has the same version, an older registration a smaller one).
    // Reports read it with FINAL: one row per person, plain columns, no aggregate states.
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.registrations}${on} (
  tenant_id LowCardinality(String),
  subject_id String,
  status LowCardinality(String),
  role LowCardinality(String),
  methods Array(LowCardinality(String)),
  registered_at DateTime64(3, 'UTC'),
  version UInt128
) ${engineClause(o, 'ReplacingMergeTree', 'version')}
ORDER BY (tenant_id, subject_id)
TTL toDateTime(registered_at) + INTERVAL ${sspr} DAY`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${TABLES.registrationsView}${on} TO ${db}.${TABLES.registrations} AS
${registrationsSelect(db)}`,
    // The admin-self-resets report and signal read these rows alone instead of filtering
    // every self-service reset of the window (deduplicated at read time like the data
    // tables: same sorting key, same engine).
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.adminSelfResets}${on} (
  tenant_id LowCardinality(String),
  event_id String,
  position UInt64,
  occurred_at DateTime64(3, 'UTC'),
  subject_id String,
  role LowCardinality(String)
) ${engineClause(o, 'ReplacingMergeTree')}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, occurred_at, event_id)
TTL toDateTime(occurred_at) + INTERVAL ${sspr} DAY`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${TABLES.adminSelfResetsView}${on} TO ${db}.${TABLES.adminSelfResets} AS
${adminSelfResetsSelect(db)}`,
    dataTable(
      o,
      TABLES.attempts,
      `
  method LowCardinality(String),
  authentication_type LowCardinality(String),
  application_name String`,
      mfa,
      byTime,
    ),
    dataTable(
      o,
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
      o,
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
      o,
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
      o,
      TABLES.changes,
      `
  new_country_code LowCardinality(String),
  new_backup_country_code LowCardinality(String),
  pin_changed Nullable(Bool),
  pin_change_required Nullable(Bool)`,
      mfa,
      byTime,
    ),
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.audit}${on} (${BASE_COLUMNS},
  service LowCardinality(String),
  recorded_at DateTime64(3, 'UTC'),
  correlation_id String,
  details String,
  retention_days UInt16
) ${engineClause(o, 'ReplacingMergeTree')}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, occurred_at, event_id)
TTL toDateTime(occurred_at) + toIntervalDay(retention_days)`,
    // The policy-changes report reads these few rows instead of every audit row of the
    // window. Its view reads audit_events, so both come after that table.
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.policyChanges}${on} (
  tenant_id LowCardinality(String),
  event_id String,
  position UInt64,
  occurred_at DateTime64(3, 'UTC'),
  status LowCardinality(String),
  reason String,
  actor_id String,
  actor_role LowCardinality(String),
  policy String,
  changes ${POLICY_CHANGES_TYPE}
) ${engineClause(o, 'ReplacingMergeTree')}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, occurred_at, event_id)
TTL toDateTime(occurred_at) + INTERVAL ${sspr} DAY`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${TABLES.policyChangesView}${on} TO ${db}.${TABLES.policyChanges} AS
${policyChangesSelect(db)}`,
    // Ciphertext only: one blob per (person, service), the newest by log position.
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.sealed}${on} (
  tenant_id LowCardinality(String),
  subject_id String,
  service LowCardinality(String),
  event_id String,
  position UInt64,
  occurred_at DateTime64(3, 'UTC'),
  sealed String
) ${engineClause(o, 'ReplacingMergeTree', 'position')}
ORDER BY (tenant_id, subject_id, service)
TTL toDateTime(occurred_at) + INTERVAL ${Math.max(sspr, mfa)} DAY`,
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.erased}${on} (
  tenant_id LowCardinality(String),
  subject_id String,
  erased_at DateTime64(3, 'UTC'),
  position UInt64
) ${engineClause(o, 'ReplacingMergeTree', 'position')}
ORDER BY (tenant_id, subject_id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.tenantDeletions}${on} (
  tenant_id LowCardinality(String),
  deleted_at DateTime64(3, 'UTC'),
  position UInt64
) ${engineClause(o, 'ReplacingMergeTree', 'position')}
ORDER BY (tenant_id, position)`,
    // The checkpoint lives with the tables it describes: dropping the ClickHouse data
    // folder (projections are disposable) rebuilds from zero by itself.
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.checkpoint}${on} (
  worker LowCardinality(String),
  position UInt64
) ${engineClause(o, 'ReplacingMergeTree', 'position')}
ORDER BY worker`,
    // Which `migrations` have run on this database (kept by `authtrail replay`).
    `CREATE TABLE IF NOT EXISTS ${db}.${TABLES.migrations}${on} (
  name String,
  applied_at DateTime64(3, 'UTC')
) ${engineClause(o, 'ReplacingMergeTree')}
ORDER BY name`,
  ];
}
