/**
 * What the projector writes and the reports read. Rows hold subject ids and non-personal
 * fields only; a person's display data exists only as the sealed (AES-GCM) blob of
 * `SubjectSealedRow`, which the API opens with the keyring for privacy admins.
 */

/** Fields every data row carries. `''` stands for "none" (no actor, no reason). */
export interface BaseRow {
  readonly tenantId: string;
  readonly eventId: string;
  readonly position: number;
  readonly type: string;
  readonly occurredAt: Date;
  readonly status: string;
  readonly reason: string;
  readonly actorId: string;
  readonly targetId: string;
  readonly actorRole: string;
  readonly targetRole: string;
}

export interface SsprRow extends BaseRow {
  readonly methods: readonly string[];
  readonly step: string;
  readonly method: string;
  readonly onPremisesAgent: string;
}

export interface MfaAttemptRow extends BaseRow {
  readonly method: string;
  readonly authenticationType: string;
  readonly applicationName: string;
}

export interface MfaActivationRow extends BaseRow {
  readonly deviceType: string;
  readonly appVersion: string;
  readonly oathTokenEnabled: boolean | null;
  readonly getActivationCodeResult: string;
  readonly activationStatusResult: string;
}

export interface MfaBlockRow extends BaseRow {
  readonly blocked: boolean;
  readonly fraudAlert: boolean | null;
  readonly fraudAlertNotBlocked: boolean | null;
  readonly accountLockout: boolean | null;
  readonly blockReason: string;
  readonly completedAt: Date | null;
  readonly completionReason: string;
}

export interface MfaBypassRow extends BaseRow {
  readonly bypassSeconds: number;
  readonly bypassReason: string;
  readonly bypassUsed: boolean | null;
  readonly completedAt: Date | null;
  readonly completionReason: string;
}

export interface MfaChangeRow extends BaseRow {
  readonly newCountryCode: string;
  readonly newBackupCountryCode: string;
  readonly pinChanged: boolean | null;
  readonly pinChangeRequired: boolean | null;
}

/**
 * What the audit query lists: every SSPR and MFA event, and authtrail's own records of
 * privacy actions, tenant and key administration and reads of personal data.
 */
export const AUDIT_SERVICES = ['sspr', 'mfa', 'privacy', 'tenant', 'access'] as const;
export type AuditService = (typeof AUDIT_SERVICES)[number];

/** One row of the audit query: non-personal data as JSON. */
export interface AuditRow extends BaseRow {
  readonly service: AuditService;
  readonly recordedAt: Date;
  readonly correlationId: string;
  /** JSON of the non-personal `details` (upcast to the current schema version). */
  readonly details: string;
}

/** The newest sealed personal blob of a person, to show their name to privacy admins. */
export interface SubjectSealedRow {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly service: 'sspr' | 'mfa';
  readonly eventId: string;
  readonly position: number;
  readonly occurredAt: Date;
  readonly sealed: string;
}

export type MfaFamily = 'attempts' | 'activations' | 'blocks' | 'bypasses' | 'changes';
export const MFA_FAMILIES: readonly MfaFamily[] = [
  'attempts',
  'activations',
  'blocks',
  'bypasses',
  'changes',
];

/** Rows of a run of consecutive data events, written together. */
export interface ProjectionRows {
  readonly sspr: SsprRow[];
  readonly attempts: MfaAttemptRow[];
  readonly activations: MfaActivationRow[];
  readonly blocks: MfaBlockRow[];
  readonly bypasses: MfaBypassRow[];
  readonly changes: MfaChangeRow[];
  readonly audit: AuditRow[];
  readonly sealed: SubjectSealedRow[];
}

export const emptyRows = (): ProjectionRows => ({
  sspr: [],
  attempts: [],
  activations: [],
  blocks: [],
  bypasses: [],
  changes: [],
  audit: [],
  sealed: [],
});

export const rowCount = (rows: ProjectionRows): number =>
  rows.sspr.length +
  rows.attempts.length +
  rows.activations.length +
  rows.blocks.length +
  rows.bypasses.length +
  rows.changes.length +
  rows.audit.length;

export interface SubjectErasure {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly erasedAt: Date;
  readonly position: number;
}

export interface TenantDeletion {
  readonly tenantId: string;
  readonly deletedAt: Date;
  readonly position: number;
}

/** One step of a projected batch, applied in log order. */
export type ProjectionStep =
  | { readonly kind: 'rows'; readonly rows: ProjectionRows }
  | { readonly kind: 'erase-subject'; readonly erasure: SubjectErasure }
  | { readonly kind: 'delete-tenant'; readonly deletion: TenantDeletion };

/** Results of the report queries, as the read model answers them (subject ids only). */
export interface RegistrationItem {
  readonly subjectId: string;
  readonly role: string;
  readonly registeredAt: Date;
  readonly methods: string[];
}

export interface MethodSetItem {
  readonly methods: string[];
  readonly users: number;
}

export interface ResetsSummary {
  readonly users: number;
  readonly resets: number;
  readonly selfService: number;
  readonly byAdmin: number;
}

export interface PersonSignal {
  readonly subjectId: string;
  readonly signal: 'blocked' | 'reset-attempts' | 'failure-burst' | 'admin-self-reset';
  readonly count: number;
  readonly firstAt: Date;
  readonly lastAt: Date;
  readonly role: string;
}

/** One setting of an SSPR policy change, as the event carries it (absent values are null). */
export interface PolicySettingChange {
  readonly property: string;
  readonly oldValue: string | null;
  readonly newValue: string | null;
}

/** An `sspr.PolicyChanged` as the policy-changes report reads it: the admin is the actor. */
export interface PolicyChangeRow {
  readonly eventId: string;
  readonly occurredAt: Date;
  readonly status: string;
  readonly reason: string;
  readonly actorId: string;
  readonly actorRole: string;
  readonly policy: string;
  readonly changes: readonly PolicySettingChange[];
}

export interface AttemptsItem {
  readonly method: string;
  readonly status: string;
  readonly count: number;
  readonly users: number;
}

/** Per-tenant query of one report. */
export interface WindowQuery {
  readonly tenantId: string;
  /** Already narrowed to the category's retention window. */
  readonly from: Date;
  readonly to: Date;
}

export interface PageQuery extends WindowQuery {
  readonly limit: number;
  readonly after: { readonly at: Date; readonly id: string } | null;
}

export interface AuditFilter extends PageQuery {
  readonly services: readonly AuditService[];
  /** Lower bound per service (retention), applied on top of `from`. */
  readonly since: { readonly sspr: Date; readonly mfa: Date };
  readonly types: readonly string[];
  readonly status: string | null;
  readonly actorId: string | null;
  readonly targetId: string | null;
  /** Leaves out the access records (`access.*`) of this API key: a privacy admin hiding their own reads. */
  readonly hideAccessOfKey?: string | null;
}
