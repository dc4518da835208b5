import type { BaseRow, PageQuery, WindowQuery } from '../../domain/read-model.types';

export type SqlParams = Readonly<Record<string, unknown>>;
export type SqlRow = Record<string, unknown>;

/** What the reports need of the read model's store: rows of a SELECT (a `ClickHouseExecutor` is one). */
export interface SqlSelect {
  query<T = SqlRow>(sql: string, params?: SqlParams): Promise<T[]>;
}

/**
 * How queries remove rows written twice before ClickHouse merges them away:
 * `limit-by` reads the filtered rows once and keeps the first per event id (`LIMIT 1 BY`);
 * `final` lets the engine merge at read time (`FINAL`). Both give the same answers, and
 * so does `auto`, the default, which the benchmark (`test/bench`, 1M events) found
 * cheapest: aggregates keep the first row per log position (`LIMIT 1 BY position`; a UInt64
 * hashes far faster than a 36-character id), and newest-first pages (MFA lists, audit
 * query) read the sorting key backwards and stop after the page, dropping twins as they
 * come (they sort next to each other): 10–20 ms at 1M events against 50 with FINAL, and
 * it does not grow with the window. In every mode the registration reports read their
 * one-row-per-person table with FINAL, and the signals of the suspicious report drop
 * twins in their per-person arrays.
 */
export type DedupeMode = 'limit-by' | 'final' | 'auto';

/** Tables of the read model the reports read (the schema creates them: `clickhouse-schema.ts`). */
export const TABLES = {
  sspr: 'sspr_activity',
  registrations: 'sspr_registrations',
  registrationsView: 'sspr_registrations_mv',
  adminSelfResets: 'sspr_admin_self_resets',
  adminSelfResetsView: 'sspr_admin_self_resets_mv',
  policyChanges: 'sspr_policy_changes',
  policyChangesView: 'sspr_policy_changes_mv',
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
  migrations: 'schema_migrations',
} as const;

/** `YYYY-MM-DD hh:mm:ss.sss` in UTC: JS Dates lose milliseconds in chdb and are refused for DateTime64 over HTTP. */
export function formatDateTime64(d: Date): string {
  return d.toISOString().slice(0, 23).replace('T', ' ');
}

const DIGIT_0 = 48;

/**
 * `YYYY-MM-DD hh:mm:ss.sss` (UTC, as `date_time_output_format: simple` prints DateTime64(3))
 * to a Date, digit by digit: several times faster than `new Date(string)`, which matters
 * for reports of thousands of rows. Anything else goes through the Date parser.
 */
export function parseDateTime64(v: unknown): Date {
  const s = String(v);
  if (s.length !== 23 || s[10] !== ' ') return new Date(`${s.replace(' ', 'T')}Z`);
  const n = (from: number, to: number): number => {
    let x = 0;
    for (let i = from; i < to; i++) x = x * 10 + s.charCodeAt(i) - DIGIT_0;
    return x;
  };
  return new Date(
    Date.UTC(n(0, 4), n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 23)),
  );
}

export const parseNullableDate = (v: unknown): Date | null =>
  v === null || v === undefined ? null : parseDateTime64(v);

/** A tenant's rows in `[from, to)` of `occurred_at` (parameters: `windowParams`). */
export const WINDOW = `tenant_id = {tenant:String} AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}`;
/** Rows after a newest-first cursor (parameters: `afterParams`). */
export const AFTER = `(occurred_at, event_id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})`;

export function windowParams(q: WindowQuery): SqlParams {
  return { tenant: q.tenantId, from: formatDateTime64(q.from), to: formatDateTime64(q.to) };
}

export function afterParams(after: { at: Date; id: string } | null): SqlParams {
  return after ? { afterAt: formatDateTime64(after.at), afterId: after.id } : {};
}

/** The columns every data row has, read back. */
export function baseRow(r: SqlRow): BaseRow {
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

export interface ReportSqlOptions {
  readonly database: string;
  readonly dedupe: DedupeMode;
}

/**
 * The reports' side of the read model: ClickHouse SQL over `SqlSelect`, each event once
 * whatever the dedupe mode. A report's query (its own file) builds its statement with
 * these; values reach SQL only as query parameters, identifiers are our own constants.
 * The SQL is written here, in the application layer, as CQRS query handlers do: the read
 * model is ClickHouse by design, and a report is easiest to read in one place.
 */
export class ReportSql {
  constructor(
    private readonly db: SqlSelect,
    readonly options: ReportSqlOptions,
  ) {}

  get dedupe(): DedupeMode {
    return this.options.dedupe;
  }

  /** `db.table` of one of `TABLES`. */
  table(name: string): string {
    return `${this.options.database}.${name}`;
  }

  select<T = SqlRow>(sql: string, params: SqlParams = {}): Promise<T[]> {
    return this.db.query<T>(sql, params);
  }

  /**
   * Rows of `table` matching `where`, each event once. `columns` are the ones the caller
   * reads; the dedupe key is added when they lack it.
   */
  rows(table: string, columns: string, where: string): string {
    if (this.dedupe === 'final')
      return `(SELECT ${columns} FROM ${this.table(table)} FINAL WHERE ${where})`;
    // A log position belongs to one event, as an event id does (the log stores an id once,
    // and a row written again is the same record at the same position).
    const key = this.dedupe === 'limit-by' ? 'event_id' : 'position';
    const read =
      columns === '*' || columns.split(',').some((c) => c.trim() === key)
        ? columns
        : `${key}, ${columns}`;
    return `(SELECT ${read} FROM ${this.table(table)} WHERE ${where} LIMIT 1 BY ${key})`;
  }

  /** One page of a windowed list table, newest first. */
  page(table: string, q: PageQuery): Promise<SqlRow[]> {
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
  async newestFirst(
    table: string,
    where: string,
    limit: number,
    after: { at: Date; id: string } | null,
    params: SqlParams,
  ): Promise<SqlRow[]> {
    const order = 'ORDER BY occurred_at DESC, event_id DESC LIMIT {limit:UInt32}';
    if (this.dedupe !== 'auto') {
      return this.select(
        `SELECT * FROM ${this.rows(table, '*', after ? `${where} AND ${AFTER}` : where)}\n${order}`,
        { ...params, limit, ...afterParams(after) },
      );
    }
    const page: SqlRow[] = [];
    let last: { at: Date; id: string } | null = after;
    for (;;) {
      // Twice the rows still missing: room for a few twins without another round trip.
      const want = 2 * (limit - page.length);
      const rows = await this.select(
        `SELECT * FROM ${this.table(table)} WHERE ${last ? `${where} AND ${AFTER}` : where}\n${order}`,
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
}
