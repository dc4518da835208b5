import type { ReadModelWriter } from '../../application/read-model.port';
import type {
  BaseRow,
  ProjectionRows,
  SubjectErasure,
  TenantDeletion,
} from '../../domain/read-model.types';
import type { ClickHouseExecutor, SqlRow } from './clickhouse-executor';
import type { ClickHouseReadModelSettings } from './clickhouse-read-model';
import { TABLES, TENANT_TABLES, deleteStatement, truncateStatement } from './clickhouse-schema';
import { formatDateTime64 } from '../../application/reports/report-sql';

const nullableDate = (d: Date | null): string | null => (d === null ? null : formatDateTime64(d));

function baseColumns(r: BaseRow): SqlRow {
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

/**
 * The projector's side of the read model on ClickHouse: rows of each batch, erasures and
 * tenant deletions (its checkpoint: `ClickHouseCheckpointStore`). Rows are idempotent (the tables
 * collapse twins, the queries drop them before that).
 */
export class ClickHouseProjectionWriter implements ReadModelWriter {
  private readonly db: string;

  constructor(
    private readonly executor: ClickHouseExecutor,
    private readonly settings: ClickHouseReadModelSettings,
  ) {
    this.db = settings.database;
  }

  async write(rows: ProjectionRows): Promise<void> {
    const retention = this.settings.retentionDays;
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
        completed_at: nullableDate(r.completedAt),
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
        completed_at: nullableDate(r.completedAt),
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
            ? retention[r.service]
            : Math.max(retention.sspr, retention.mfa),
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
    // The ciphertext is unreadable already (key shredded), and no read opens an erased
    // person's (subject-names.ts): dropping it leaves nothing at all. Recorded, not waited
    // for — the engine's pool carries it out within about a second, after a crash too — so
    // the erasure does not hold the projector (and the next reports) that long.
    await this.executor.command(
      deleteStatement(
        this.settings.ddl,
        TABLES.sealed,
        'tenant_id = {tenant:String} AND subject_id = {subject:String}',
        'queue',
      ),
      { tenant: e.tenantId, subject: e.subjectId },
    );
  }

  async deleteTenant(d: TenantDeletion): Promise<void> {
    for (const table of TENANT_TABLES) {
      await this.executor.command(
        deleteStatement(this.settings.ddl, table, 'tenant_id = {tenant:String}'),
        { tenant: d.tenantId },
      );
    }
    await this.insert(TABLES.tenantDeletions, [
      { tenant_id: d.tenantId, deleted_at: formatDateTime64(d.deletedAt), position: d.position },
    ]);
  }

  async reset(): Promise<void> {
    for (const table of [...TENANT_TABLES, TABLES.tenantDeletions]) {
      await this.executor.command(truncateStatement(this.settings.ddl, table));
    }
  }

  private insert(table: string, rows: SqlRow[]): Promise<void> {
    return this.executor.insert(`${this.db}.${table}`, rows);
  }
}
