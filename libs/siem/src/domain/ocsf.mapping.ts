/**
 * authtrail events → OCSF 1.x records (https://schema.ocsf.io). Pure: the forwarder hands
 * in the stored envelope's non-personal part (already upcast); people appear only as
 * subject ids (`user.uid`), never by name, so the events topic holds no personal field.
 *
 * Class choices (docs/siem.md lists them for consumers):
 * - Account Change (3001): password change (3), resets self-service and by admin (4, with
 *   the admin as `actor.user`), unlock (12), SSPR registration and MFA app activation
 *   (10 "MFA Factor Enable", with `auth_factors`), SSPR throttling and MFA blocks and
 *   fraud alerts (9 "Lock"), reset flow steps, MFA bypasses and MFA user changes (99
 *   "Other" with `activity_name`).
 * - Authentication (3002): MFA authentication attempts (1 "Logon", `is_mfa`).
 * - Entity Management (3004): authtrail's own privacy, tenant, access and ledger events
 *   (the managed entity is the data subject, tenant, API key, personal data or seal).
 * - Base Event (0, activity 99): an event type this version does not know yet.
 */

import { SYSTEM_EVENT_TYPES, type SystemEventAudit } from '@authtrail/catalog';
import type { SealProof } from './seal-proofs.port';

/** OCSF schema version the records conform to: the definitions the tests validate against. */
export const OCSF_VERSION = '1.9.0-dev';

export const OCSF_CLASS = {
  base: 0,
  accountChange: 3001,
  authentication: 3002,
  entityManagement: 3004,
} as const;

export interface OcsfProduct {
  readonly name: string;
  readonly vendorName: string;
  readonly version: string;
}

export const AUTHTRAIL_PRODUCT: OcsfProduct = {
  name: 'authtrail',
  vendorName: 'authtrail',
  version: '0.1.0',
};

/** What the mapping reads of a stored event: nothing personal is in here. */
export interface OcsfSource {
  readonly position: number;
  readonly eventId: string;
  readonly tenantId: string;
  readonly type: string;
  /** Schema version of `data` (after upcasting). */
  readonly schemaVersion: number;
  /** Catalog category (`sspr`, `mfa`, `privacy`…), or null for an unknown type. */
  readonly category: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId?: string;
  readonly subjects: Readonly<Record<string, string>>;
  /** The envelope's non-personal data: `result`, `details`, `actorRole`, `targetRole`… */
  readonly data: Readonly<Record<string, unknown>>;
  /** SHA-256 (hex) of the stored envelope bytes: the hash the ledger seals. */
  readonly hash?: string;
  /** The proof against the seal that covers the event, when it was sealed before forwarding. */
  readonly sealProof?: SealProof;
}

/** Format tag of `unmapped.integrity`; a new shape gets a new tag. */
export const RECORD_INTEGRITY_FORMAT = 'authtrail.record-integrity.v1';

/**
 * `unmapped.integrity` (docs/siem.md "Verifying records"): the ledger's hash of the event
 * and, once sealed, the proof against its seal. Not OCSF's `attestation_list`: an OCSF
 * attestation fingerprints the OCSF record's own canonical serialization, while this hash
 * covers the stored envelope (ciphertext included) that the seals sign.
 */
export function recordIntegrity(
  source: Pick<OcsfSource, 'tenantId' | 'position' | 'hash' | 'sealProof'>,
): Json | undefined {
  if (source.hash === undefined) return undefined;
  const p = source.sealProof;
  return {
    format: RECORD_INTEGRITY_FORMAT,
    chain_uid: `t-${source.tenantId}-ledger`,
    position: source.position,
    // OCSF's fingerprint object: algorithm_id 3 is SHA-256.
    fingerprint: { algorithm_id: 3, algorithm: 'SHA-256', value: source.hash },
    seal:
      p === undefined
        ? null
        : {
            sequence: p.sealSequence,
            seal_hash: p.sealHash,
            leaf_index: p.leafIndex,
            tree_size: p.treeSize,
            audit_path: [...p.auditPath],
          },
  };
}

export type OcsfRecord = Record<string, unknown>;

type Json = Record<string, unknown>;

const CATEGORY = {
  0: 'Uncategorized',
  3: 'Identity & Access Management',
} as const;
const CLASS_NAME: Record<number, string> = {
  [OCSF_CLASS.base]: 'Base Event',
  [OCSF_CLASS.accountChange]: 'Account Change',
  [OCSF_CLASS.authentication]: 'Authentication',
  [OCSF_CLASS.entityManagement]: 'Entity Management',
};

const SEVERITY = { informational: 1, low: 2, medium: 3, high: 4 } as const;
const SEVERITY_NAME: Record<number, string> = {
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
};

interface Activity {
  readonly classUid: number;
  readonly activityId: number;
  readonly activityName: string;
  /** Managed entity type, for Entity Management. */
  readonly entity?: string;
}

const ac = (activityId: number, activityName: string): Activity => ({
  classUid: OCSF_CLASS.accountChange,
  activityId,
  activityName,
});
const em = (activityId: number, activityName: string, entity: string): Activity => ({
  classUid: OCSF_CLASS.entityManagement,
  activityId,
  activityName,
  entity,
});

/** OCSF Entity Management activity ids and captions of the catalog's audit actions. */
const ENTITY_ACTIONS: Readonly<Record<SystemEventAudit['action'], readonly [number, string]>> = {
  create: [1, 'Create'],
  read: [2, 'Read'],
  update: [3, 'Update'],
  delete: [4, 'Delete'],
  enable: [8, 'Enable'],
  other: [99, 'Other'],
};

function entityActivity(audit: SystemEventAudit): Activity {
  const [id, caption] = ENTITY_ACTIONS[audit.action];
  return em(id, audit.action === 'other' ? (audit.actionName ?? caption) : caption, audit.entity);
}

/** Event type → OCSF class and activity. Captions are the schema's own. */
export const OCSF_ACTIVITIES: Readonly<Record<string, Activity>> = {
  'sspr.PasswordChanged': ac(3, 'Password Change'),
  'sspr.PasswordResetSelfService': ac(4, 'Password Reset'),
  'sspr.PasswordResetByAdmin': ac(4, 'Password Reset'),
  'sspr.AccountUnlocked': ac(12, 'Unlock'),
  'sspr.Registered': ac(10, 'MFA Factor Enable'),
  'sspr.BlockedFromReset': ac(9, 'Lock'),
  'sspr.ResetFlowProgressed': ac(99, 'Password Reset Step'),
  // A change of the tenant's SSPR policy: the managed entity is the policy, not an account.
  'sspr.PolicyChanged': em(3, 'Update', 'SSPR Policy'),
  'mfa.AuthenticationAttempted': {
    classUid: OCSF_CLASS.authentication,
    activityId: 1,
    activityName: 'Logon',
  },
  'mfa.AppActivated': ac(10, 'MFA Factor Enable'),
  'mfa.UserBlocked': ac(9, 'Lock'),
  'mfa.BypassGranted': ac(99, 'MFA Bypass'),
  'mfa.UserChanged': ac(99, 'MFA User Change'),
  // authtrail's own records: from their catalog definitions (`audit`), so a new one maps itself.
  ...Object.fromEntries(SYSTEM_EVENT_TYPES.map((d) => [d.type, entityActivity(d.audit)])),
};

const UNKNOWN_TYPE: Activity = { classUid: OCSF_CLASS.base, activityId: 99, activityName: 'Other' };

/** OCSF `auth_factor.factor_type_id` of each authtrail method; 99 keeps the source label. */
const FACTORS: Readonly<Record<string, readonly [number, string]>> = {
  AlternateEmail: [8, 'Email'],
  OfficePhone: [3, 'Phone Call'],
  // SSPR's mobile phone gate is a text or a call, whichever the user picks: not one factor type.
  MobilePhone: [99, 'Mobile Phone'],
  SecurityQuestions: [2, 'Security Question'],
  PhoneCall: [3, 'Phone Call'],
  TextMessage: [1, 'SMS'],
  MobileApp: [5, 'Push Notification'],
  OathToken: [7, 'OTP'],
};

function authFactor(method: string): Json {
  const [id, caption] = FACTORS[method] ?? [99, method];
  return { factor_type_id: id, factor_type: caption };
}

function asObject(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** OCSF user: subject id and account type from the directory role (never a name). */
function user(subjectId: string, role: string | undefined): Json {
  const out: Json = { uid: subjectId };
  if (role !== undefined) {
    const admin = /administrator$/i.test(role);
    out.type_id = admin ? 2 : 1;
    out.type = admin ? 'Admin' : 'User';
  }
  return out;
}

function statusOf(result: Json): { status_id: number; status: string; status_detail?: string } {
  const raw = str(result.status);
  const detail = str(result.reason);
  const status =
    raw === 'Success'
      ? { status_id: 1, status: 'Success' }
      : raw === 'Failure'
        ? { status_id: 2, status: 'Failure' }
        : raw === undefined
          ? { status_id: 0, status: 'Unknown' }
          : { status_id: 99, status: raw };
  return detail === undefined ? status : { ...status, status_detail: detail };
}

function severityOf(type: string, statusId: number, details: Json): number {
  if (type === 'mfa.UserBlocked') {
    return details.fraudAlert === true ? SEVERITY.high : SEVERITY.medium;
  }
  if (type === 'sspr.BlockedFromReset' || type === 'mfa.BypassGranted') return SEVERITY.medium;
  return statusId === 2 ? SEVERITY.low : SEVERITY.informational;
}

/** The managed entity of a service event (tenant, subject, key…): ids only. */
function managedEntity(activity: Activity, source: OcsfSource, details: Json): Json {
  const entity: Json = { type: activity.entity };
  switch (activity.entity) {
    case 'Data Subject':
      entity.uid = str(details.subjectId) ?? source.subjects.subject;
      break;
    case 'Tenant':
      entity.uid = source.tenantId;
      break;
    case 'API Key':
      entity.uid = str(details.keyId);
      break;
    case 'Personal Data':
      entity.name = str(details.resource) ?? 'personal data';
      break;
    case 'Ledger Seal':
      entity.uid = source.eventId;
      break;
    case 'SSPR Policy':
      entity.name = str(details.policy) ?? 'Self-service password reset policy';
      break;
  }
  if (entity.uid === undefined && entity.name === undefined) entity.name = activity.entity;
  return entity;
}

/** Maps one stored event (its non-personal part) to an OCSF record. */
export function toOcsf(source: OcsfSource, product: OcsfProduct = AUTHTRAIL_PRODUCT): OcsfRecord {
  const activity = OCSF_ACTIVITIES[source.type] ?? UNKNOWN_TYPE;
  const data = source.data;
  const result = asObject(data.result);
  // Service events keep their facts at the top of `data`; producer events under `details`.
  const details = data.details === undefined ? omitKnown(data) : asObject(data.details);
  const status = statusOf(
    result.status === undefined && !isProducerShape(data) ? { status: 'Success' } : result,
  );
  const severityId = severityOf(source.type, status.status_id, details);
  const categoryUid = Math.floor(activity.classUid / 1000);
  const actorRole = str(data.actorRole);
  const targetRole = str(data.targetRole);
  const correlationId = source.correlationId ?? str(data.correlationId);

  const record: Json = {
    class_uid: activity.classUid,
    class_name: CLASS_NAME[activity.classUid],
    category_uid: categoryUid,
    category_name: CATEGORY[categoryUid as keyof typeof CATEGORY],
    activity_id: activity.activityId,
    activity_name: activity.activityName,
    type_uid: activity.classUid * 100 + activity.activityId,
    type_name: `${CLASS_NAME[activity.classUid]}: ${activity.activityName}`,
    severity_id: severityId,
    severity: SEVERITY_NAME[severityId],
    time: Date.parse(source.occurredAt),
    timezone_offset: 0,
    message: `${source.type}: ${status.status}`,
    ...status,
    metadata: {
      uid: source.eventId,
      version: OCSF_VERSION,
      product: { name: product.name, vendor_name: product.vendorName, version: product.version },
      tenant_uid: source.tenantId,
      log_name: 'authtrail.events.v1',
      event_code: source.type,
      sequence: source.position,
      logged_time: Date.parse(source.recordedAt),
      ...(correlationId !== undefined ? { correlation_uid: correlationId } : {}),
      ...(source.category !== null ? { labels: [source.category] } : {}),
    },
  };

  const target = source.subjects.target;
  const actor = source.subjects.actor;
  if (
    activity.classUid === OCSF_CLASS.accountChange ||
    activity.classUid === OCSF_CLASS.authentication
  ) {
    // Account Change and Authentication require `user`: the person the event is about.
    const primary = target ?? actor;
    const primaryRole = target !== undefined ? targetRole : actorRole;
    if (primary !== undefined) record.user = user(primary, primaryRole);
  }
  if (actor !== undefined && activity.classUid !== OCSF_CLASS.base) {
    record.actor = { user: user(actor, actorRole) };
  }

  if (activity.classUid === OCSF_CLASS.authentication) {
    record.is_mfa = true;
    record.service = { name: str(details.applicationName) ?? 'MFA' };
    const method = str(details.authenticationMethod);
    if (method !== undefined) record.auth_factors = [authFactor(method)];
  }
  if (activity.classUid === OCSF_CLASS.accountChange && activity.activityId === 10) {
    const methods = Array.isArray(details.methods)
      ? details.methods.filter((m): m is string => typeof m === 'string')
      : [];
    // mfa.AppActivated activates the mobile app; sspr.Registered lists the methods.
    const factors = source.type === 'mfa.AppActivated' ? ['MobileApp'] : methods;
    if (factors.length > 0) record.auth_factors = factors.map(authFactor);
  }
  if (activity.classUid === OCSF_CLASS.entityManagement) {
    record.entity = managedEntity(activity, source, details);
  }

  const integrity = recordIntegrity(source);
  record.unmapped = {
    authtrail_type: source.type,
    schema_version: source.schemaVersion,
    ...(actorRole !== undefined ? { actor_role: actorRole } : {}),
    ...(targetRole !== undefined ? { target_role: targetRole } : {}),
    subjects: { ...source.subjects },
    details,
    ...(integrity !== undefined ? { integrity } : {}),
  };
  return record;
}

const PRODUCER_KEYS = new Set(['result', 'details', 'actorRole', 'targetRole', 'correlationId']);

function isProducerShape(data: Readonly<Record<string, unknown>>): boolean {
  return data.result !== undefined || data.details !== undefined;
}

function omitKnown(data: Readonly<Record<string, unknown>>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(data)) if (!PRODUCER_KEYS.has(k)) out[k] = v;
  return out;
}
