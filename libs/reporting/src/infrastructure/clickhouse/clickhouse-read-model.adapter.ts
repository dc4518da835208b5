import type { ClickHouseClient } from '@clickhouse/client';
import { RETENTION_DAYS } from '@authtrail/catalog';
import { AppError } from '@authtrail/platform';
import type { ReadModel, RegistrationPage } from '../../application/read-model.port';
import type {
  AttemptsItem,
  AuditFilter,
  AuditRow,
  AuditService,
  BaseRow,
  MethodSetItem,
  MfaActivationRow,
  MfaBlockRow,
  MfaBypassRow,
  MfaChangeRow,
  PageQuery,
  PersonSignal,
  ProjectionRows,
  RegistrationItem,
  ResetsSummary,
  SubjectErasure,
  SubjectSealedRow,
  TenantDeletion,
  WindowQuery,
} from '../../domain/read-model.types';
import { createClickHouseClient, type ClickHouseTarget } from './clickhouse-connection';
import {
  ClickHouseEngine,
  DdlOptions,
  TABLES,
  TENANT_TABLES,
  deleteStatement,
  isIdentifier,
  schemaStatements,
  truncateStatement,
} from './clickhouse-schema';

/**
 * How queries remove rows written twice before ClickHouse merges them away:
 * `limit-by` reads the filtered rows once and keeps the first per event id (`LIMIT 1 BY`);
 * `final` lets the engine merge at read time (`FINAL`). Both give the same answers. The
 * benchmark (`test/bench`, 1M events) found `LIMIT 1 BY` cheaper for narrow aggregates
 * (resets, problems) and `FINAL` cheaper for newest-first pages (audit query: 78 vs
 * 145 ms): `auto`, the default, uses each where it measured better.
 */
export type DedupeMode = 'limit-by' | 'final' | 'auto';

export interface ClickHouseReadModelOptions extends ClickHouseTarget {
  readonly database?: string;
  readonly dedupe?: DedupeMode;
  /** Retention per category in days (default: the catalog's, MFA 90, SSPR 365). */
  readonly retentionDays?: { readonly sspr: number; readonly mfa: number };
  /** Table engine family (AUTHTRAIL_CLICKHOUSE_ENGINE); default `plain`. */
  readonly engine?: ClickHouseEngine;
  /** `ON CLUSTER` target of every DDL statement (AUTHTRAIL_CLICKHOUSE_CLUSTER); default none. */
  readonly cluster?: string | null;
}

type Params = Record<string, unknown>;
type Raw = Record<string, unknown>;

const SELF_SERVICE = 'sspr.PasswordResetSelfService';
const BY_ADMIN = 'sspr.PasswordResetByAdmin';
const FLOW = 'sspr.ResetFlowProgressed';
const BLOCKED = 'sspr.BlockedFromReset';
const CHECKPOINT_WORKER = 'projector';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** `YYYY-MM-DD hh:mm:ss.sss` in UTC: JS Dates lose milliseconds in chdb and are refused for DateTime64 over HTTP. */
export function formatDateTime64(d: Date): string {
  return d.toISOString().slice(0, 23).replace('T', ' ');
}

function parseDateTime64(v: unknown): Date {
  return new Date(`${String(v).replace(' ', 'T')}Z`);
}

const parseNullableDate = (v: unknown): Date | null =>
  v === null || v === undefined ? null : parseDateTime64(v);

function baseColumns(r: BaseRow): Raw {
  return {
    tenant_id: r.tenantId,
    event_id: r.eventId,
    position: r.position,
    type: r.type,
    occurred_at: formatDateTime64(r.occurredAt),
    status: r.status,
    reason: r.reason,
    actor_id: r.actorId,
    target_id: r.targetId,
    actor_role: r.actorRole,
    target_role: r.targetRole,
  };
}

function baseRow(r: Raw): BaseRow {
  return {
    tenantId: String(r.tenant_id),
    eventId: String(r.event_id),
    position: Number(r.position),
    type: String(r.type),
    occurredAt: parseDateTime64(r.occurred_at),
    status: String(r.status),
    reason: String(r.reason),
    actorId: String(r.actor_id),
    targetId: String(r.target_id),
    actorRole: String(r.actor_role),
    targetRole: String(r.target_role),
  };
}

const WINDOW = `tenant_id = {tenant:String} AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}`;
const AFTER = `(occurred_at, event_id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})`;

/**
 * The read model on ClickHouse (embedded chdb or a server), through `@clickhouse/client`.
 * Values reach SQL only as query parameters; identifiers are our own constants.
 */
export class ClickHouseReadModel implements ReadModel {
  private readonly db: string;
  private readonly ddl: DdlOptions;
  private readonly dedupe: DedupeMode;
  private readonly retention: { readonly sspr: number; readonly mfa: number };

  constructor(
    private readonly client: ClickHouseClient,
    options: Omit<ClickHouseReadModelOptions, 'url' | 'path'> = {},
  ) {
    this.db = options.database ?? 'authtrail';
    if (!isIdentifier(this.db)) throw new Error('invalid database name');
    const cluster = options.cluster ?? null;
    if (cluster !== null && !isIdentifier(cluster)) throw new Error('invalid cluster name');
    this.ddl = { database: this.db, engine: options.engine ?? 'plain', cluster };
    this.dedupe = options.dedupe ?? 'auto';
    this.retention = options.retentionDays ?? {
      sspr: RETENTION_DAYS.sspr,
      mfa: RETENTION_DAYS.mfa,
    };
  }

  /** Opens the configured ClickHouse and creates missing tables. */
  static async open(options: ClickHouseReadModelOptions): Promise<ClickHouseReadModel> {
    const model = new ClickHouseReadModel(createClickHouseClient(options), options);
    try {
      await model.init();
    } catch (e) {
      await model.close();
      throw e;
    }
    return model;
  }

  /** Retention windows in days, per category, that the tables and queries apply. */
  get retentionDays(): { readonly sspr: number; readonly mfa: number } {
    return this.retention;
  }

  async init(): Promise<void> {
    for (const query of schemaStatements({ ...this.ddl, retentionDays: this.retention })) {
      await this.command(query);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  // ---- projector side -------------------------------------------------------------

  async write(rows: ProjectionRows): Promise<void> {
    await this.insert(
      TABLES.sspr,
      rows.sspr.map((r) => ({
        ...baseColumns(r),
        methods: r.methods,
        step: r.step,
        method: r.method,
        on_premises_agent: r.onPremisesAgent,
      })),
    );
    await this.insert(
      TABLES.attempts,
      rows.attempts.map((r) => ({
        ...baseColumns(r),
        method: r.method,
        authentication_type: r.authenticationType,
        application_name: r.applicationName,
      })),
    );
    await this.insert(
      TABLES.activations,
      rows.activations.map((r) => ({
        ...baseColumns(r),
        device_type: r.deviceType,
        app_version: r.appVersion,
        oath_token_enabled: r.oathTokenEnabled,
        get_activation_code_result: r.getActivationCodeResult,
        activation_status_result: r.activationStatusResult,
      })),
    );
    await this.insert(
      TABLES.blocks,
      rows.blocks.map((r) => ({
        ...baseColumns(r),
        blocked: r.blocked,
        fraud_alert: r.fraudAlert,
        fraud_alert_not_blocked: r.fraudAlertNotBlocked,
        account_lockout: r.accountLockout,
        block_reason: r.blockReason,
        completed_at: r.completedAt === null ? null : formatDateTime64(r.completedAt),
        completion_reason: r.completionReason,
      })),
    );
    await this.insert(
      TABLES.bypasses,
      rows.bypasses.map((r) => ({
        ...baseColumns(r),
        bypass_seconds: r.bypassSeconds,
        bypass_reason: r.bypassReason,
        bypass_used: r.bypassUsed,
        completed_at: r.completedAt === null ? null : formatDateTime64(r.completedAt),
        completion_reason: r.completionReason,
      })),
    );
    await this.insert(
      TABLES.changes,
      rows.changes.map((r) => ({
        ...baseColumns(r),
        new_country_code: r.newCountryCode,
        new_backup_country_code: r.newBackupCountryCode,
        pin_changed: r.pinChanged,
        pin_change_required: r.pinChangeRequired,
      })),
    );
    await this.insert(
      TABLES.audit,
      rows.audit.map((r) => ({
        ...baseColumns(r),
        service: r.service,
        recorded_at: formatDateTime64(r.recordedAt),
        correlation_id: r.correlationId,
        details: r.details,
        // authtrail's own records live as long as the longest window (DESIGN.md).
        retention_days:
          r.service === 'sspr' || r.service === 'mfa'
            ? this.retention[r.service]
            : Math.max(this.retention.sspr, this.retention.mfa),
      })),
    );
    await this.insert(
      TABLES.sealed,
      rows.sealed.map((r) => ({
        tenant_id: r.tenantId,
        subject_id: r.subjectId,
        service: r.service,
        event_id: r.eventId,
        position: r.position,
        occurred_at: formatDateTime64(r.occurredAt),
        sealed: r.sealed,
      })),
    );
  }

  async eraseSubject(e: SubjectErasure): Promise<void> {
    await this.insert(TABLES.erased, [
      {
        tenant_id: e.tenantId,
        subject_id: e.subjectId,
        erased_at: formatDateTime64(e.erasedAt),
        position: e.position,
      },
    ]);
    // The ciphertext is unreadable already (key shredded); dropping it leaves nothing at all.
    await this.command(
      deleteStatement(
        this.ddl,
        TABLES.sealed,
        'tenant_id = {tenant:String} AND subject_id = {subject:String}',
      ),
      { tenant: e.tenantId, subject: e.subjectId },
    );
  }

  async deleteTenant(d: TenantDeletion): Promise<void> {
    for (const table of TENANT_TABLES) {
      await this.command(deleteStatement(this.ddl, table, 'tenant_id = {tenant:String}'), {
        tenant: d.tenantId,
      });
    }
    await this.insert(TABLES.tenantDeletions, [
      { tenant_id: d.tenantId, deleted_at: formatDateTime64(d.deletedAt), position: d.position },
    ]);
  }

  async loadCheckpoint(): Promise<number> {
    const rows = await this.select<{ p: number }>(
      `SELECT max(position) AS p FROM ${this.db}.${TABLES.checkpoint} WHERE worker = {worker:String}`,
      { worker: CHECKPOINT_WORKER },
    );
    return Number(rows[0]?.p ?? 0);
  }

  async saveCheckpoint(position: number): Promise<void> {
    await this.insert(TABLES.checkpoint, [{ worker: CHECKPOINT_WORKER, position }]);
  }

  async reset(): Promise<void> {
    for (const table of [...TENANT_TABLES, TABLES.tenantDeletions, TABLES.checkpoint]) {
      await this.command(truncateStatement(this.ddl, table));
    }
  }

  // ---- reports ----------------------------------------------------------------------

  async registeredCount(tenantId: string, since: Date): Promise<number> {
    const rows = await this.select<{ n: number }>(
      `SELECT count() AS n FROM (${this.registrationState()}) WHERE status = 'Success'`,
      { tenant: tenantId, since: formatDateTime64(since) },
    );
    return Number(rows[0]?.n ?? 0);
  }

  async registrations(page: RegistrationPage): Promise<RegistrationItem[]> {
    const rows = await this.select<Raw>(
      `SELECT subject_id, role, methods, registered_at FROM (${this.registrationState()})
WHERE status = 'Success'${page.after ? ` AND (registered_at, subject_id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})` : ''}
ORDER BY registered_at DESC, subject_id DESC
LIMIT {limit:UInt32}`,
      {
        tenant: page.tenantId,
        since: formatDateTime64(page.since),
        limit: page.limit,
        ...this.afterParams(page.after),
      },
    );
    return rows.map((r) => ({
      subjectId: String(r.subject_id),
      role: String(r.role),
      registeredAt: parseDateTime64(r.registered_at),
      methods: (r.methods as string[]).slice().sort(),
    }));
  }

  async registeredMethods(tenantId: string, since: Date): Promise<MethodSetItem[]> {
    const rows = await this.select<{ methods: string[]; users: number }>(
      `SELECT arraySort(methods) AS methods, count() AS users FROM (${this.registrationState()})
WHERE status = 'Success'
GROUP BY methods
ORDER BY users DESC, toString(methods)`,
      { tenant: tenantId, since: formatDateTime64(since) },
    );
    return rows.map((r) => ({ methods: r.methods, users: Number(r.users) }));
  }

  async resets(q: WindowQuery): Promise<ResetsSummary> {
    const rows = await this.select<Raw>(
      `SELECT uniqExact(target_id) AS users, count() AS resets,
  countIf(type = '${SELF_SERVICE}') AS selfService, countIf(type = '${BY_ADMIN}') AS byAdmin
FROM ${this.src(TABLES.sspr, 'event_id, type, target_id', `${WINDOW} AND type IN ('${SELF_SERVICE}', '${BY_ADMIN}') AND status = 'Success'`)}`,
      this.windowParams(q),
    );
    const r = rows[0] ?? {};
    return {
      users: Number(r.users ?? 0),
      resets: Number(r.resets ?? 0),
      selfService: Number(r.selfService ?? 0),
      byAdmin: Number(r.byAdmin ?? 0),
    };
  }

  async resetMethods(q: WindowQuery): Promise<{ method: string; count: number }[]> {
    const rows = await this.select<{ method: string; count: number }>(
      `SELECT arrayJoin(methods) AS method, count() AS count
FROM ${this.src(TABLES.sspr, 'event_id, methods', `${WINDOW} AND type = '${SELF_SERVICE}' AND status = 'Success'`)}
GROUP BY method ORDER BY count DESC, method`,
      this.windowParams(q),
    );
    return rows.map((r) => ({ method: r.method, count: Number(r.count) }));
  }

  async problems(
    q: WindowQuery,
  ): Promise<{ type: string; reason: string | null; count: number }[]> {
    const rows = await this.select<{ type: string; reason: string; count: number }>(
      `SELECT type, reason, count() AS count
FROM ${this.src(TABLES.sspr, 'event_id, type, reason', `${WINDOW} AND status = 'Failure'`)}
GROUP BY type, reason ORDER BY count DESC, type, reason`,
      this.windowParams(q),
    );
    return rows.map((r) => ({
      type: r.type,
      reason: r.reason === '' ? null : r.reason,
      count: Number(r.count),
    }));
  }

  async adminSelfResets(q: WindowQuery, min: number): Promise<PersonSignal[]> {
    const rows = await this.select<Raw>(
      `${this.adminSelfResetSql()} ORDER BY count DESC, subject_id`,
      { ...this.windowParams(q), min },
    );
    return rows.map((r) => this.signal(r));
  }

  async suspicious(q: WindowQuery, min: number): Promise<PersonSignal[]> {
    // Sliding windows: for each event, how many of the person's events fall in
    // [t, t + span); the peak over all events decides the signal.
    const burst = (signal: string, where: string, spanMs: number, having: string): string => `
SELECT subject_id, '${signal}' AS signal, max(n) AS count,
  argMax(occurred_at, (n, -ms)) AS first_at, argMax(last_in, (n, -ms)) AS last_at, '' AS role
FROM (
  SELECT subject_id, occurred_at, ms, count() OVER w AS n, max(occurred_at) OVER w AS last_in
  FROM ${this.src(TABLES.sspr, 'event_id, actor_id AS subject_id, occurred_at, toUnixTimestamp64Milli(occurred_at) AS ms', `${WINDOW} AND ${where}`)}
  WINDOW w AS (PARTITION BY subject_id ORDER BY ms RANGE BETWEEN CURRENT ROW AND ${spanMs - 1} FOLLOWING)
)
GROUP BY subject_id HAVING ${having}`;
    const rows = await this.select<Raw>(
      `SELECT * FROM (
SELECT target_id AS subject_id, 'blocked' AS signal, count() AS count,
  min(occurred_at) AS first_at, max(occurred_at) AS last_at, '' AS role
FROM ${this.src(TABLES.sspr, 'event_id, target_id, occurred_at', `${WINDOW} AND type = '${BLOCKED}'`)}
GROUP BY subject_id
UNION ALL ${burst('reset-attempts', `type IN ('${SELF_SERVICE}', '${FLOW}')`, DAY_MS, 'count > 5')}
UNION ALL ${burst('failure-burst', `status = 'Failure'`, HOUR_MS, 'count >= 10')}
UNION ALL ${this.adminSelfResetSql("'admin-self-reset' AS signal, ")}
) ORDER BY count DESC, signal, subject_id`,
      { ...this.windowParams(q), min },
    );
    return rows.map((r) => this.signal(r));
  }

  async mfaAttempts(q: WindowQuery): Promise<AttemptsItem[]> {
    const rows = await this.select<Raw>(
      `SELECT method, status, count() AS count, uniqExact(target_id) AS users
FROM ${this.src(TABLES.attempts, 'event_id, method, status, target_id', WINDOW)}
GROUP BY method, status ORDER BY method, status`,
      this.windowParams(q),
    );
    return rows.map((r) => ({
      method: String(r.method),
      status: String(r.status),
      count: Number(r.count),
      users: Number(r.users),
    }));
  }

  async mfaBlocks(q: PageQuery): Promise<MfaBlockRow[]> {
    return (await this.page(TABLES.blocks, q)).map((r) => ({
      ...baseRow(r),
      blocked: r.blocked === true,
      fraudAlert: r.fraud_alert as boolean | null,
      fraudAlertNotBlocked: r.fraud_alert_not_blocked as boolean | null,
      accountLockout: r.account_lockout as boolean | null,
      blockReason: String(r.block_reason),
      completedAt: parseNullableDate(r.completed_at),
      completionReason: String(r.completion_reason),
    }));
  }

  async mfaBypasses(q: PageQuery): Promise<MfaBypassRow[]> {
    return (await this.page(TABLES.bypasses, q)).map((r) => ({
      ...baseRow(r),
      bypassSeconds: Number(r.bypass_seconds),
      bypassReason: String(r.bypass_reason),
      bypassUsed: r.bypass_used as boolean | null,
      completedAt: parseNullableDate(r.completed_at),
      completionReason: String(r.completion_reason),
    }));
  }

  async mfaActivations(q: PageQuery): Promise<MfaActivationRow[]> {
    return (await this.page(TABLES.activations, q)).map((r) => ({
      ...baseRow(r),
      deviceType: String(r.device_type),
      appVersion: String(r.app_version),
      oathTokenEnabled: r.oath_token_enabled as boolean | null,
      getActivationCodeResult: String(r.get_activation_code_result),
      activationStatusResult: String(r.activation_status_result),
    }));
  }

  async mfaChanges(q: PageQuery): Promise<MfaChangeRow[]> {
    return (await this.page(TABLES.changes, q)).map((r) => ({
      ...baseRow(r),
      newCountryCode: String(r.new_country_code),
      newBackupCountryCode: String(r.new_backup_country_code),
      pinChanged: r.pin_changed as boolean | null,
      pinChangeRequired: r.pin_change_required as boolean | null,
    }));
  }

  async auditEvents(q: AuditFilter): Promise<AuditRow[]> {
    const where = [
      WINDOW,
      `service IN {services:Array(String)}`,
      `occurred_at >= if(service = 'mfa', {sinceMfa:DateTime64(3, 'UTC')}, {sinceSspr:DateTime64(3, 'UTC')})`,
    ];
    if (q.types.length > 0) where.push('type IN {types:Array(String)}');
    if (q.status !== null) where.push('status = {status:String}');
    if (q.actorId !== null) where.push('actor_id = {actorId:String}');
    if (q.targetId !== null) where.push('target_id = {targetId:String}');
    if (q.after) where.push(AFTER);
    const rows = await this.select<Raw>(
      `SELECT * FROM ${this.src(TABLES.audit, '*', where.join(' AND '), 'final')}
ORDER BY occurred_at DESC, event_id DESC LIMIT {limit:UInt32}`,
      {
        ...this.windowParams(q),
        services: q.services,
        sinceMfa: formatDateTime64(q.since.mfa),
        sinceSspr: formatDateTime64(q.since.sspr),
        types: q.types,
        status: q.status,
        actorId: q.actorId,
        targetId: q.targetId,
        limit: q.limit,
        ...this.afterParams(q.after),
      },
    );
    return rows.map((r) => ({
      ...baseRow(r),
      service: r.service as AuditService,
      recordedAt: parseDateTime64(r.recorded_at),
      correlationId: String(r.correlation_id),
      details: String(r.details),
    }));
  }

  async erasedAmong(tenantId: string, subjectIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(subjectIds.filter((s) => s !== ''))];
    if (ids.length === 0) return new Set();
    const rows = await this.select<{ subject_id: string }>(
      `SELECT DISTINCT subject_id FROM ${this.db}.${TABLES.erased}
WHERE tenant_id = {tenant:String} AND subject_id IN {ids:Array(String)}`,
      { tenant: tenantId, ids },
    );
    return new Set(rows.map((r) => r.subject_id));
  }

  async sealedOf(tenantId: string, subjectIds: readonly string[]): Promise<SubjectSealedRow[]> {
    const ids = [...new Set(subjectIds.filter((s) => s !== ''))];
    if (ids.length === 0) return [];
    const rows = await this.select<Raw>(
      `SELECT subject_id, s.1 AS event_id, s.2 AS sealed, s.3 AS service, s.4 AS position, s.5 AS occurred_at
FROM (
  SELECT subject_id, argMax(tuple(event_id, sealed, toString(service), position, occurred_at), tuple(service = 'sspr', position)) AS s
  FROM ${this.db}.${TABLES.sealed}
  WHERE tenant_id = {tenant:String} AND subject_id IN {ids:Array(String)}
  GROUP BY subject_id
)`,
      { tenant: tenantId, ids },
    );
    return rows.map((r) => ({
      tenantId,
      subjectId: String(r.subject_id),
      service: r.service as 'sspr' | 'mfa',
      eventId: String(r.event_id),
      position: Number(r.position),
      occurredAt: parseDateTime64(r.occurred_at),
      sealed: String(r.sealed),
    }));
  }

  // ---- helpers ------------------------------------------------------------------------

  /** Rows of `table` matching `where`, each event once. */
  private src(
    table: string,
    columns: string,
    where: string,
    auto: DedupeMode = 'limit-by',
  ): string {
    const mode = this.dedupe === 'auto' ? auto : this.dedupe;
    return mode === 'final'
      ? `(SELECT ${columns} FROM ${this.db}.${table} FINAL WHERE ${where})`
      : `(SELECT ${columns} FROM ${this.db}.${table} WHERE ${where} LIMIT 1 BY event_id)`;
  }

  /** Each person's latest registration (by occurredAt, then log position), within retention. */
  private registrationState(): string {
    return `SELECT subject_id, l.1 AS status, l.2 AS role, l.3 AS methods, l.4 AS registered_at
FROM (
  SELECT subject_id, argMaxMerge(latest) AS l, max(last_at) AS last
  FROM ${this.db}.${TABLES.registrationState}
  WHERE tenant_id = {tenant:String}
  GROUP BY subject_id
  HAVING last >= {since:DateTime64(3, 'UTC')}
)`;
  }

  private adminSelfResetSql(signal = ''): string {
    return `SELECT subject_id, ${signal}count() AS count, min(occurred_at) AS first_at, max(occurred_at) AS last_at,
  argMax(role, (occurred_at, position)) AS role
FROM ${this.src(
      TABLES.sspr,
      "event_id, actor_id AS subject_id, occurred_at, position, if(target_role != '', target_role, actor_role) AS role",
      `${WINDOW} AND type = '${SELF_SERVICE}' AND status = 'Success' AND actor_id = target_id AND endsWith(if(target_role != '', target_role, actor_role), 'Administrator')`,
    )}
GROUP BY subject_id HAVING count >= {min:UInt32}`;
  }

  private signal(r: Raw): PersonSignal {
    return {
      subjectId: String(r.subject_id),
      signal: (r.signal ?? 'admin-self-reset') as PersonSignal['signal'],
      count: Number(r.count),
      firstAt: parseDateTime64(r.first_at),
      lastAt: parseDateTime64(r.last_at),
      role: typeof r.role === 'string' ? r.role : '',
    };
  }

  private async page(table: string, q: PageQuery): Promise<Raw[]> {
    return this.select<Raw>(
      `SELECT * FROM ${this.src(table, '*', q.after ? `${WINDOW} AND ${AFTER}` : WINDOW, 'final')}
ORDER BY occurred_at DESC, event_id DESC LIMIT {limit:UInt32}`,
      { ...this.windowParams(q), limit: q.limit, ...this.afterParams(q.after) },
    );
  }

  private windowParams(q: WindowQuery): Params {
    return { tenant: q.tenantId, from: formatDateTime64(q.from), to: formatDateTime64(q.to) };
  }

  private afterParams(after: { at: Date; id: string } | null): Params {
    return after ? { afterAt: formatDateTime64(after.at), afterId: after.id } : {};
  }

  private async select<T>(query: string, params: Params = {}): Promise<T[]> {
    try {
      const result = await this.client.query({
        query,
        query_params: params,
        format: 'JSONEachRow',
      });
      return await result.json<T>();
    } catch (e) {
      throw unavailable(e);
    }
  }

  private async command(query: string, params: Params = {}): Promise<void> {
    try {
      await this.client.command({ query, query_params: params });
    } catch (e) {
      throw unavailable(e);
    }
  }

  private async insert(table: string, values: Raw[]): Promise<void> {
    if (values.length === 0) return;
    try {
      await this.client.insert({ table: `${this.db}.${table}`, values, format: 'JSONEachRow' });
    } catch (e) {
      throw unavailable(e);
    }
  }
}

/** The read model failed: retriable (workers back off, the API answers 503). */
export class ReadModelUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('REPORT.READ_MODEL_UNAVAILABLE', 'unavailable', 'the report store is unavailable', {
      retriable: true,
      cause,
    });
  }
}

function unavailable(e: unknown): ReadModelUnavailableError {
  return e instanceof ReadModelUnavailableError ? e : new ReadModelUnavailableError(e);
}
