import type { RegistrationPage, ReportReader } from '../../application/read-model.port';
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
  RegistrationItem,
  ResetsSummary,
  SubjectSealedRow,
  WindowQuery,
} from '../../domain/read-model.types';
import type { ClickHouseExecutor, SqlParams, SqlRow } from './clickhouse-executor';
import type { ClickHouseReadModelSettings, DedupeMode } from './clickhouse-read-model';
import { TABLES } from './clickhouse-schema';
import {
  AFTER,
  WINDOW,
  afterParams,
  formatDateTime64,
  parseDateTime64,
  parseNullableDate,
  windowParams,
} from './clickhouse-sql';

type Raw = SqlRow;

const SELF_SERVICE = 'sspr.PasswordResetSelfService';
const BY_ADMIN = 'sspr.PasswordResetByAdmin';
const FLOW = 'sspr.ResetFlowProgressed';
const BLOCKED = 'sspr.BlockedFromReset';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * For each k, how many of the sorted times `t` (ms) fall in [t[k], t[k] + span): one sort
 * per array instead of comparing every pair. The times doubled plus one are merged with
 * each window end doubled, so an end sorts before a time at the same instant; the times
 * before each end, less the k - 1 before its start, are its count. Among equal times
 * this undercounts all but the first, which keeps the true count and the first index, so
 * the peak and where it starts come out right.
 */
function windowCounts(t: string, spanMs: number): string {
  const merged = `arraySort(arrayConcat(arrayMap(x -> (x + ${spanMs}) * 2, ${t}), arrayMap(x -> x * 2 + 1, ${t})))`;
  return `arrayMap((below, k) -> below - k + 1, arrayFilter((c, x) -> x % 2 = 0, arrayCumSum(arrayMap(x -> x % 2, ${merged})), ${merged}), arrayEnumerate(${t}))`;
}

/** `YYYY-MM-DD hh:mm:ss.sss` in UTC: JS Dates lose milliseconds in chdb and are refused for DateTime64 over HTTP. */

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

/**
 * The reports' side of the read model on ClickHouse: every query removes rows written
 * twice at read time (`DedupeMode`). Values reach SQL only as query parameters;
 * identifiers are our own constants.
 */
export class ClickHouseReportQueries implements ReportReader {
  private readonly db: string;
  private readonly dedupe: DedupeMode;

  constructor(
    private readonly executor: ClickHouseExecutor,
    settings: ClickHouseReadModelSettings,
  ) {
    this.db = settings.database;
    this.dedupe = settings.dedupe;
  }

  async registeredCount(tenantId: string, since: Date): Promise<number> {
    const rows = await this.select<{ n: number }>(
      `SELECT count() AS n FROM ${this.successfulRegistrations()}`,
      { tenant: tenantId, since: formatDateTime64(since) },
    );
    return Number(rows[0]?.n ?? 0);
  }

  async registrations(page: RegistrationPage): Promise<RegistrationItem[]> {
    const rows = await this.select<Raw>(
      `SELECT subject_id, role, methods, registered_at FROM ${this.successfulRegistrations()}${page.after ? ` AND (registered_at, subject_id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})` : ''}
ORDER BY registered_at DESC, subject_id DESC
LIMIT {limit:UInt32}`,
      {
        tenant: page.tenantId,
        since: formatDateTime64(page.since),
        limit: page.limit,
        ...afterParams(page.after),
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
    const rows = await this.select<{ method_set: string[]; users: number }>(
      `SELECT arraySort(methods) AS method_set, count() AS users FROM ${this.successfulRegistrations()}
GROUP BY method_set
ORDER BY users DESC, toString(method_set)`,
      { tenant: tenantId, since: formatDateTime64(since) },
    );
    return rows.map((r) => ({ methods: r.method_set, users: Number(r.users) }));
  }

  async resets(q: WindowQuery): Promise<ResetsSummary> {
    const rows = await this.select<Raw>(
      `SELECT uniqExact(target_id) AS users, count() AS resets,
  countIf(type = '${SELF_SERVICE}') AS selfService, countIf(type = '${BY_ADMIN}') AS byAdmin
FROM ${this.src(TABLES.sspr, 'type, target_id', `${WINDOW} AND type IN ('${SELF_SERVICE}', '${BY_ADMIN}') AND status = 'Success'`)}`,
      windowParams(q),
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
FROM ${this.src(TABLES.sspr, 'methods', `${WINDOW} AND type = '${SELF_SERVICE}' AND status = 'Success'`)}
GROUP BY method ORDER BY count DESC, method`,
      windowParams(q),
    );
    return rows.map((r) => ({ method: r.method, count: Number(r.count) }));
  }

  async problems(
    q: WindowQuery,
  ): Promise<{ type: string; reason: string | null; count: number }[]> {
    const rows = await this.select<{ type: string; reason: string; count: number }>(
      `SELECT type, reason, count() AS count
FROM ${this.src(TABLES.sspr, 'type, reason', `${WINDOW} AND status = 'Failure'`)}
GROUP BY type, reason ORDER BY count DESC, type, reason`,
      windowParams(q),
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
      { ...windowParams(q), min },
    );
    return rows.map((r) => this.signal(r));
  }

  async suspicious(
    q: WindowQuery,
    min: number,
    limit: number,
  ): Promise<{ items: PersonSignal[]; total: number }> {
    // Only the first `limit` items leave ClickHouse: at 10M events a 30-day window holds
    // ~170k items, and moving them out took longer than finding them.
    const rows = await this.select<Raw>(
      `SELECT *, count() OVER () AS total FROM (
SELECT target_id AS subject_id, 'blocked' AS signal, count() AS count,
  toUnixTimestamp64Milli(min(occurred_at)) AS first_ms, toUnixTimestamp64Milli(max(occurred_at)) AS last_ms, '' AS role
FROM ${this.src(TABLES.sspr, 'target_id, occurred_at', `${WINDOW} AND type = '${BLOCKED}'`)}
GROUP BY subject_id
UNION ALL ${this.burstsSql()}
UNION ALL ${this.adminSelfResetSql("'admin-self-reset' AS signal, ")}
) ORDER BY count DESC, signal, subject_id LIMIT {limit:UInt32}`,
      { ...windowParams(q), min, limit },
    );
    return { items: rows.map((r) => this.signal(r)), total: Number(rows[0]?.total ?? 0) };
  }

  async mfaAttempts(q: WindowQuery): Promise<AttemptsItem[]> {
    // In `auto`, twins are dropped inside the aggregate: counting distinct log positions
    // per group needs no deduplicated row stream first (10M events: 233 ms against 386).
    const rows = await this.select<Raw>(
      this.dedupe === 'auto'
        ? `SELECT method, status, uniqExact(position) AS count, uniqExact(target_id) AS users
FROM ${this.db}.${TABLES.attempts} WHERE ${WINDOW}
GROUP BY method, status ORDER BY method, status`
        : `SELECT method, status, count() AS count, uniqExact(target_id) AS users
FROM ${this.src(TABLES.attempts, 'method, status, target_id', WINDOW)}
GROUP BY method, status ORDER BY method, status`,
      windowParams(q),
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
    const rows = await this.newestFirst(TABLES.audit, where.join(' AND '), q.limit, q.after, {
      ...windowParams(q),
      services: q.services,
      sinceMfa: formatDateTime64(q.since.mfa),
      sinceSspr: formatDateTime64(q.since.sspr),
      types: q.types,
      status: q.status,
      actorId: q.actorId,
      targetId: q.targetId,
    });
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

  /**
   * Rows of `table` matching `where`, each event once. `columns` are the ones the caller
   * reads; the dedupe key is added when they lack it.
   */
  private src(table: string, columns: string, where: string): string {
    if (this.dedupe === 'final')
      return `(SELECT ${columns} FROM ${this.db}.${table} FINAL WHERE ${where})`;
    // A log position belongs to one event, as an event id does (the log stores an id once,
    // and a row written again is the same record at the same position).
    const key = this.dedupe === 'limit-by' ? 'event_id' : 'position';
    const read =
      columns === '*' || columns.split(',').some((c) => c.trim() === key)
        ? columns
        : `${key}, ${columns}`;
    return `(SELECT ${read} FROM ${this.db}.${table} WHERE ${where} LIMIT 1 BY ${key})`;
  }

  /**
   * Each person's latest registration (by occurredAt, then log position) when it succeeded
   * within retention. FINAL keeps that one row per person before the status filter
   * applies; a registration before `since` can never be anyone's latest that is after it,
   * so that filter may cut rows before or after.
   */
  private successfulRegistrations(): string {
    return `${this.db}.${TABLES.registrations} FINAL
WHERE tenant_id = {tenant:String} AND registered_at >= {since:DateTime64(3, 'UTC')} AND status = 'Success'`;
  }

  /**
   * The `reset-attempts` and `failure-burst` signals in one pass over the window. Each row
   * of a person (actor) is packed into one UInt128 — time in ms, kind bits (1 reset
   * attempt, 2 failure), log position — so a twin row is the same number, one array per
   * person holds both kinds, and sorting it is numeric. Arrays are kept only for people
   * who could show a signal (counts include twins, so none is missed).
   *
   * A burst is the most of a person's events in any [t, t + span) starting at one of their
   * events. Rather than window functions, which sort every row of the window by person
   * first (most of this report's time), it comes from the sorted times of each person.
   */
  private burstsSql(): string {
    const times = (bit: number) =>
      `arrayMap(e -> toInt64(bitShiftRight(e, 66)), arrayFilter(e -> bitAnd(toUInt8(bitShiftRight(e, 64) % 4), ${bit}) != 0, ev))`;
    // Per person and signal, a tuple (signal, count, first ms, last ms); count 0 = none.
    const burst = (name: string, t: string, n: string, over: number) =>
      `('${name}', toUInt64(if(arrayMax(${n}) > ${over}, arrayMax(${n}), 0)), ${t}[arrayFirstIndex(x -> x = arrayMax(${n}), ${n})], ${t}[arrayFirstIndex(x -> x = arrayMax(${n}), ${n}) + arrayMax(${n}) - 1])`;
    const attempt = `type IN ('${SELF_SERVICE}', '${FLOW}')`;
    return `SELECT subject_id, s.1 AS signal, s.2 AS count,
  s.3 AS first_ms, s.4 AS last_ms, '' AS role
FROM (
  SELECT subject_id, arrayJoin(arrayFilter(s -> s.2 > 0, [
    ${burst('reset-attempts', 'rt', 'rn', 5)},
    ${burst('failure-burst', 'ft', 'fn', 9)}])) AS s
  FROM (
    SELECT subject_id, rt, ft, ${windowCounts('rt', DAY_MS)} AS rn, ${windowCounts('ft', HOUR_MS)} AS fn
    FROM (
      SELECT subject_id, ${times(1)} AS rt, ${times(2)} AS ft
      FROM (
        SELECT subject_id, arraySort(arrayDistinct(events)) AS ev
        FROM (
          SELECT actor_id AS subject_id,
            groupArray(bitShiftLeft(toUInt128(toUnixTimestamp64Milli(occurred_at)), 66)
              + bitShiftLeft(toUInt128((${attempt}) + 2 * (status = 'Failure')), 64)
              + position) AS events
          FROM ${this.db}.${TABLES.sspr}
          WHERE ${WINDOW} AND (${attempt} OR status = 'Failure')
          GROUP BY subject_id
          HAVING countIf(${attempt}) > 5 OR countIf(status = 'Failure') > 9
        )
      )
    )
  )
)`;
  }

  private adminSelfResetSql(signal = ''): string {
    return `SELECT subject_id, ${signal}count() AS count,
  toUnixTimestamp64Milli(min(occurred_at)) AS first_ms, toUnixTimestamp64Milli(max(occurred_at)) AS last_ms,
  argMax(role, (occurred_at, position)) AS role
FROM ${this.src(TABLES.adminSelfResets, 'subject_id, occurred_at, position, role', WINDOW)}
GROUP BY subject_id HAVING count >= {min:UInt32}`;
  }

  private signal(r: Raw): PersonSignal {
    return {
      subjectId: String(r.subject_id),
      signal: (r.signal ?? 'admin-self-reset') as PersonSignal['signal'],
      count: Number(r.count),
      // Times as ms since the epoch: these reports return thousands of rows.
      firstAt: new Date(Number(r.first_ms)),
      lastAt: new Date(Number(r.last_ms)),
      role: typeof r.role === 'string' ? r.role : '',
    };
  }

  private async page(table: string, q: PageQuery): Promise<Raw[]> {
    return this.newestFirst(table, WINDOW, q.limit, q.after, windowParams(q));
  }

  /**
   * Up to `limit` events of `table` matching `where`, newest first (occurredAt, then event
   * id, descending), after the cursor. `final` and `limit-by` remove duplicates over the
   * whole window before sorting. `auto` reads the sorting key backwards and stops after
   * the page (ClickHouse's read in order), which a read-time dedupe would prevent: a row
   * written twice sorts next to its twin, so twins are dropped here, and when they took
   * places of the page the next rows are read after the last one seen.
   */
  private async newestFirst(
    table: string,
    where: string,
    limit: number,
    after: { at: Date; id: string } | null,
    params: SqlParams,
  ): Promise<Raw[]> {
    const order = 'ORDER BY occurred_at DESC, event_id DESC LIMIT {limit:UInt32}';
    if (this.dedupe !== 'auto') {
      return this.select<Raw>(
        `SELECT * FROM ${this.src(table, '*', after ? `${where} AND ${AFTER}` : where)}\n${order}`,
        { ...params, limit, ...afterParams(after) },
      );
    }
    const page: Raw[] = [];
    let last: { at: Date; id: string } | null = after;
    for (;;) {
      // Twice the rows still missing: room for a few twins without another round trip.
      const want = 2 * (limit - page.length);
      const rows = await this.select<Raw>(
        `SELECT * FROM ${this.db}.${table} WHERE ${last ? `${where} AND ${AFTER}` : where}\n${order}`,
        { ...params, limit: want, ...afterParams(last) },
      );
      for (const r of rows) {
        const prev = page[page.length - 1];
        if (
          prev !== undefined &&
          prev.event_id === r.event_id &&
          prev.occurred_at === r.occurred_at
        )
          continue;
        page.push(r);
        if (page.length === limit) return page;
      }
      const end = rows[rows.length - 1];
      if (rows.length < want || end === undefined) return page;
      last = { at: parseDateTime64(end.occurred_at), id: String(end.event_id) };
    }
  }

  private select<T>(query: string, params: SqlParams = {}): Promise<T[]> {
    return this.executor.query<T>(query, params);
  }
}
