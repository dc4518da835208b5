import type {
  AttemptsItem,
  AuditFilter,
  AuditRow,
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
} from '../domain/read-model.types';

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

/** Sorted by `registeredAt` descending, then subject id descending. */
export interface RegistrationPage {
  readonly since: Date;
  readonly tenantId: string;
  readonly limit: number;
  readonly after: { readonly at: Date; readonly id: string } | null;
}

/** The reports' side: every query removes duplicates at read time. */
export interface ReportReader {
  registeredCount(tenantId: string, since: Date): Promise<number>;
  registrations(page: RegistrationPage): Promise<RegistrationItem[]>;
  registeredMethods(tenantId: string, since: Date): Promise<MethodSetItem[]>;
  resets(q: WindowQuery): Promise<ResetsSummary>;
  resetMethods(q: WindowQuery): Promise<{ method: string; count: number }[]>;
  problems(q: WindowQuery): Promise<{ type: string; reason: string | null; count: number }[]>;
  adminSelfResets(q: WindowQuery, min: number): Promise<PersonSignal[]>;
  /**
   * The first `limit` (person, signal) items by count descending, then signal and subject
   * id; `total` counts every item of the window.
   */
  suspicious(
    q: WindowQuery,
    min: number,
    limit: number,
  ): Promise<{ items: PersonSignal[]; total: number }>;
  mfaAttempts(q: WindowQuery): Promise<AttemptsItem[]>;
  mfaBlocks(q: PageQuery): Promise<MfaBlockRow[]>;
  mfaBypasses(q: PageQuery): Promise<MfaBypassRow[]>;
  mfaActivations(q: PageQuery): Promise<MfaActivationRow[]>;
  mfaChanges(q: PageQuery): Promise<MfaChangeRow[]>;
  auditEvents(q: AuditFilter): Promise<AuditRow[]>;
  /** Subjects of this list that joined the erased-subjects table. */
  erasedAmong(tenantId: string, subjectIds: readonly string[]): Promise<Set<string>>;
  /** The sealed display blob of each person (SSPR preferred, then newest). */
  sealedOf(tenantId: string, subjectIds: readonly string[]): Promise<SubjectSealedRow[]>;
}

/** Injection tokens of the configured read model's two sides (ClickHouse). */
export const READ_MODEL_WRITER = Symbol('ReadModelWriter');
export const REPORT_READER = Symbol('ReportReader');
