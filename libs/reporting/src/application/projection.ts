import { EventCatalog, PRIVACY_EVENT, TENANT_EVENT } from '@authtrail/catalog';
import { Envelope, RecordedEvent, decodeEnvelope } from '@authtrail/event-store';
import {
  BaseRow,
  ProjectionRows,
  ProjectionStep,
  SubjectSealedRow,
  emptyRows,
  rowCount,
} from '../domain/read-model.types';

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const date = (v: unknown): Date | null => {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms);
};
const obj = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};

/**
 * The newest blob per (tenant, person, service) of rows in log order. The table keeps
 * only that one (ReplacingMergeTree by position) and reads take it (`sealedOf`), so an
 * older one of the same run is a row ClickHouse would parse, store and merge away for
 * nothing: a person active in a batch gives one row, not one per event.
 */
function newestSealed(sealed: SubjectSealedRow[]): SubjectSealedRow[] {
  if (sealed.length < 2) return sealed;
  const newest = new Map<string, SubjectSealedRow>();
  for (const row of sealed) {
    const key = `${row.tenantId}\u0000${row.subjectId}\u0000${row.service}`;
    // Re-setting keeps the first one's place in the map, with the later row.
    newest.set(key, row);
  }
  return newest.size === sealed.length ? sealed : [...newest.values()];
}

/**
 * Turns a batch of the log into read-model steps, in log order. Data events become rows;
 * an erasure or a tenant deletion is its own step, so rows before it are written first
 * (a replay then reproduces exactly the same tables).
 */
export class Projection {
  constructor(private readonly catalog: EventCatalog) {}

  steps(events: readonly RecordedEvent[]): ProjectionStep[] {
    const steps: ProjectionStep[] = [];
    let rows = emptyRows();
    const flush = (): void => {
      if (rowCount(rows) > 0 || rows.sealed.length > 0)
        steps.push({ kind: 'rows', rows: { ...rows, sealed: newestSealed(rows.sealed) } });
      rows = emptyRows();
    };
    for (const record of events) {
      const service = record.type.slice(0, record.type.indexOf('.'));
      if (service === 'sspr' || service === 'mfa') {
        this.addDataEvent(rows, record, decodeEnvelope(record.data), service);
      } else if (service === 'privacy' || service === 'tenant' || service === 'access') {
        // authtrail's own records show in the audit query too (seed 003: admins cannot
        // delete them); they hold key ids and subject ids, never personal data.
        this.addServiceEvent(rows, record, decodeEnvelope(record.data), service);
      }
      if (record.type === PRIVACY_EVENT.erased) {
        const env = decodeEnvelope(record.data);
        const subjectId = str(obj(env.data).subjectId) || str(env.subjects.subject);
        if (subjectId === '') continue;
        flush();
        steps.push({
          kind: 'erase-subject',
          erasure: {
            tenantId: env.tenantId,
            subjectId,
            erasedAt: record.occurredAt,
            position: record.position,
          },
        });
      } else if (record.type === TENANT_EVENT.deleted) {
        flush();
        steps.push({
          kind: 'delete-tenant',
          deletion: {
            tenantId: record.tenantId,
            deletedAt: record.occurredAt,
            position: record.position,
          },
        });
      }
    }
    flush();
    return steps;
  }

  private addServiceEvent(
    rows: ProjectionRows,
    record: RecordedEvent,
    env: Envelope,
    service: 'privacy' | 'tenant' | 'access',
  ): void {
    const data = env.data as Json;
    rows.audit.push({
      tenantId: env.tenantId,
      eventId: env.eventId,
      position: record.position,
      type: env.type,
      occurredAt: new Date(env.occurredAt),
      status: 'Success',
      reason: '',
      actorId: '',
      targetId: str(env.subjects.subject) || str(data.subjectId),
      actorRole: '',
      targetRole: '',
      service,
      recordedAt: new Date(env.recordedAt),
      correlationId: str(env.correlationId),
      details: JSON.stringify(data),
    });
  }

  private addDataEvent(
    rows: ProjectionRows,
    record: RecordedEvent,
    env: Envelope,
    service: 'sspr' | 'mfa',
  ): void {
    // Old schema versions are read through the catalog's upcasters (non-personal part only).
    const data =
      this.catalog.get(env.type) === undefined
        ? (env.data as Json)
        : this.catalog.upcastData(env.type, env.schemaVersion, env.data);
    const result = obj(data.result);
    const d = obj(data.details);
    const occurredAt = new Date(env.occurredAt);
    const base: BaseRow = {
      tenantId: env.tenantId,
      eventId: env.eventId,
      position: record.position,
      type: env.type,
      occurredAt,
      status: str(result.status),
      reason: str(result.reason),
      actorId: str(env.subjects.actor),
      targetId: str(env.subjects.target),
      actorRole: str(data.actorRole),
      targetRole: str(data.targetRole),
    };
    rows.audit.push({
      ...base,
      service,
      recordedAt: new Date(env.recordedAt),
      correlationId: str(data.correlationId),
      details: JSON.stringify(d),
    });
    for (const [subjectId, sealed] of Object.entries(env.sealed)) {
      rows.sealed.push({
        tenantId: env.tenantId,
        subjectId,
        service,
        eventId: env.eventId,
        position: record.position,
        occurredAt,
        sealed,
      });
    }
    switch (env.type) {
      case 'mfa.AuthenticationAttempted':
        rows.attempts.push({
          ...base,
          method: str(d.authenticationMethod),
          authenticationType: str(d.authenticationType),
          applicationName: str(d.applicationName),
        });
        return;
      case 'mfa.AppActivated':
        rows.activations.push({
          ...base,
          deviceType: str(d.deviceType),
          appVersion: str(d.appVersion),
          oathTokenEnabled: bool(d.oathTokenEnabled),
          getActivationCodeResult: str(d.getActivationCodeResult),
          activationStatusResult: str(d.activationStatusResult),
        });
        return;
      case 'mfa.UserBlocked':
        rows.blocks.push({
          ...base,
          blocked: d.blocked === true,
          fraudAlert: bool(d.fraudAlert),
          fraudAlertNotBlocked: bool(d.fraudAlertNotBlocked),
          accountLockout: bool(d.accountLockout),
          blockReason: str(d.blockReason),
          completedAt: date(d.completedAt),
          completionReason: str(d.completionReason),
        });
        return;
      case 'mfa.BypassGranted':
        rows.bypasses.push({
          ...base,
          bypassSeconds: typeof d.bypassSeconds === 'number' ? d.bypassSeconds : 0,
          bypassReason: str(d.bypassReason),
          bypassUsed: bool(d.bypassUsed),
          completedAt: date(d.completedAt),
          completionReason: str(d.completionReason),
        });
        return;
      case 'mfa.UserChanged':
        rows.changes.push({
          ...base,
          newCountryCode: str(d.newCountryCode),
          newBackupCountryCode: str(d.newBackupCountryCode),
          pinChanged: bool(d.pinChanged),
          pinChangeRequired: bool(d.pinChangeRequired),
        });
        return;
      default:
        if (service === 'sspr') {
          rows.sspr.push({
            ...base,
            methods: Array.isArray(d.methods) ? d.methods.filter((m) => typeof m === 'string') : [],
            step: str(d.step),
            method: str(d.method),
            onPremisesAgent: str(d.onPremisesAgent),
          });
        }
    }
  }
}
