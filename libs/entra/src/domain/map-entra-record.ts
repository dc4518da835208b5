import {
  FUZZY_POLICY_VIOLATION,
  MAX_POLICY_CHANGES,
  SSPR_METHODS,
  type Person,
  type ProducerEvent,
  type SsprMethod,
} from '@authtrail/catalog';
import { entraEventId } from './entra-event-id';
import type {
  GraphAppIdentity,
  GraphUserIdentity,
  KeyValue,
  TargetResource,
} from './entra-records.types';
import { AUDIT_LOGS_CATEGORY } from './entra-records.types';
import { isSsprService, ssprTypeOf } from './sspr-activities';

/** One problem of a record, `path` a JSON pointer inside the record as it was received. */
export interface RecordIssue {
  readonly path: string;
  readonly message: string;
}

/** Why a record was counted and skipped (never an error: the export holds every service). */
export type SkipReason = 'other-service' | 'other-activity' | 'other-category';

export type RecordOutcome =
  | {
      readonly kind: 'event';
      readonly event: ProducerEvent;
      /** Maps a catalog path of `event` back to the record path it came from. */
      readonly sourcePath: (eventPath: string) => string;
    }
  | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly label: string }
  | { readonly kind: 'malformed'; readonly issues: readonly RecordIssue[] };

/** Catalog limits the mapper stays within (longer values are cut, not rejected). */
const LIMIT = { correlationId: 128, reason: 512, step: 128, name: 256, value: 1024 } as const;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
const cut = (s: string, n: number): string => (s.length <= n ? s : s.slice(0, n));

/**
 * Maps one Entra audit record — a Graph `directoryAudit` or an Azure Monitor `AuditLogs`
 * record — to an authtrail producer event. Pure: the same record always gives the same
 * event (its id derives from the Graph `id`), so re-imports are duplicates.
 */
export function mapEntraRecord(raw: unknown): RecordOutcome {
  if (!isObject(raw)) {
    return malformed('', 'expected a JSON object (a directoryAudit or an AuditLogs record)');
  }
  // Azure Monitor's envelope carries the directoryAudit in `properties`.
  if (isObject(raw.properties) && ('operationName' in raw || 'time' in raw || 'category' in raw)) {
    const category = nonEmpty(raw.category);
    if (category !== undefined && category !== AUDIT_LOGS_CATEGORY) {
      return { kind: 'skipped', reason: 'other-category', label: category };
    }
    const p = raw.properties;
    const audit: Json = {
      ...p,
      activityDisplayName: p.activityDisplayName ?? raw.operationName,
      activityDateTime: p.activityDateTime ?? raw.time,
      correlationId: p.correlationId ?? raw.correlationId,
    };
    return mapAudit(audit, '/properties', (field) =>
      field === 'activityDisplayName' && p.activityDisplayName === undefined
        ? '/operationName'
        : field === 'activityDateTime' && p.activityDateTime === undefined
          ? '/time'
          : `/properties/${field}`,
    );
  }
  return mapAudit(raw, '', (field) => `/${field}`);
}

function malformed(path: string, message: string): RecordOutcome {
  return { kind: 'malformed', issues: [{ path, message }] };
}

function mapAudit(a: Json, prefix: string, at: (field: string) => string): RecordOutcome {
  const service = nonEmpty(a.loggedByService);
  if (service === undefined)
    return malformed(at('loggedByService'), 'missing: which service logged the activity');
  if (!isSsprService(service)) return { kind: 'skipped', reason: 'other-service', label: service };
  const activity = nonEmpty(a.activityDisplayName);
  if (activity === undefined)
    return malformed(at('activityDisplayName'), 'missing: the activity name');
  const type = ssprTypeOf(activity);
  if (type === null) return { kind: 'skipped', reason: 'other-activity', label: activity };

  const issues: RecordIssue[] = [];
  const id = nonEmpty(a.id);
  if (id === undefined)
    issues.push({
      path: at('id'),
      message: 'missing: the record id (it makes re-imports duplicates)',
    });

  const occurredAt = parseTime(a.activityDateTime);
  if (occurredAt === null)
    issues.push({ path: at('activityDateTime'), message: 'expected an ISO-8601 date and time' });

  const status = statusOf(a.result);
  if (status === null)
    issues.push({ path: at('result'), message: 'expected success, failure or timeout' });

  const target = targetPerson(a.targetResources, prefix);
  if (target.issue) issues.push(target.issue);
  const actor = actorPerson(a.initiatedBy, prefix);
  if (actor.issue) issues.push(actor.issue);
  const details = detailsOf(type, a, at, prefix);
  issues.push(...details.issues);
  if (issues.length > 0) return { kind: 'malformed', issues };

  const event: ProducerEvent = {
    eventId: entraEventId(id!),
    type,
    occurredAt: occurredAt!,
    result: { status: status! },
  };
  const correlationId = nonEmpty(a.correlationId);
  if (correlationId !== undefined) event.correlationId = cut(correlationId, LIMIT.correlationId);

  // Seed 002: in every self-service activity the actor and the target are the same person;
  // Entra leaves one side out at times (a throttled user has not signed in).
  const selfService = type !== 'sspr.PasswordResetByAdmin' && type !== 'sspr.PolicyChanged';
  const actorPersonValue = actor.person ?? (selfService ? target.person : undefined);
  const targetPersonValue = target.person ?? (selfService ? actor.person : undefined);
  if (type === 'sspr.PolicyChanged') {
    if (actorPersonValue === undefined)
      return malformed(at('initiatedBy'), 'missing: the administrator who changed the policy');
    event.actor = actorPersonValue;
  } else {
    if (actorPersonValue === undefined || targetPersonValue === undefined) {
      return malformed(
        actorPersonValue === undefined ? at('initiatedBy') : at('targetResources'),
        actorPersonValue === undefined
          ? 'missing: the administrator who reset the password (initiatedBy.user or .app)'
          : 'missing: a target user with a userPrincipalName',
      );
    }
    event.actor = actorPersonValue;
    event.target = targetPersonValue;
  }

  const reason = reasonFor(
    type,
    status!,
    nonEmpty(a.resultReason) ?? (status === 'Timeout' ? 'timeout' : undefined),
  );
  event.result = { status: status === 'Timeout' ? 'Failure' : status! };
  if (type === 'sspr.BlockedFromReset' && event.result.status !== 'Success') {
    return malformed(
      at('result'),
      'a block is always logged as success (seed 002 allows no other status)',
    );
  }
  if (reason !== undefined) event.result.reason = reason;
  if (details.value !== undefined) event.details = details.value;

  return {
    kind: 'event',
    event,
    sourcePath: (eventPath) => sourcePathOf(eventPath, prefix, at),
  };
}

/** Where a catalog field of the event came from in the record (for error messages). */
function sourcePathOf(eventPath: string, prefix: string, at: (f: string) => string): string {
  if (eventPath === '/occurredAt') return at('activityDateTime');
  if (eventPath === '/eventId') return at('id');
  if (eventPath === '/correlationId') return at('correlationId');
  if (eventPath.startsWith('/actor')) return `${prefix}/initiatedBy`;
  if (eventPath.startsWith('/target')) return `${prefix}/targetResources`;
  if (eventPath.startsWith('/result')) return at('result');
  if (eventPath.startsWith('/details/changes')) return `${prefix}/targetResources`;
  if (eventPath.startsWith('/details')) return `${prefix}/additionalDetails`;
  return prefix === '' ? '' : prefix;
}

function parseTime(v: unknown): string | null {
  const s = nonEmpty(v);
  // Entra writes up to seven fractional digits and either Z or +00:00.
  if (
    s === undefined ||
    !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(s)
  )
    return null;
  const normalised = /(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`; // Graph times are UTC
  const ms = Date.parse(normalised.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

type Status = 'Success' | 'Failure' | 'Timeout';

function statusOf(v: unknown): Status | null {
  const s = nonEmpty(v)?.toLowerCase();
  if (s === 'success') return 'Success';
  if (s === 'failure') return 'Failure';
  if (s === 'timeout') return 'Timeout';
  return null;
}

/**
 * The catalog's reason for a result. Types with a fixed list (changes and resets: the
 * banned-password reason) keep only that reason — Entra also writes it as
 * `PasswordDoesnotComplyFuzzyPolicy` — and only on failures; free-text types keep the text.
 */
function reasonFor(type: string, status: Status, text: string | undefined): string | undefined {
  if (text === undefined || /^none$/i.test(text)) return undefined;
  switch (type) {
    case 'sspr.BlockedFromReset':
      return undefined;
    case 'sspr.PasswordChanged':
    case 'sspr.PasswordResetByAdmin':
    case 'sspr.PasswordResetSelfService':
      return status !== 'Success' && /fuzzy/i.test(text) ? FUZZY_POLICY_VIOLATION : undefined;
    case 'sspr.ResetFlowProgressed':
      return cut(text, LIMIT.reason);
    default:
      return status === 'Success' ? undefined : cut(text, LIMIT.reason);
  }
}

function personOfUser(u: GraphUserIdentity): Person | undefined {
  const upn = nonEmpty(u.userPrincipalName);
  if (upn === undefined) return undefined;
  const p: Person = { userPrincipalName: cut(upn, LIMIT.name) };
  const name = nonEmpty(u.displayName);
  if (name !== undefined) p.displayName = cut(name, LIMIT.name);
  return p;
}

function targetPerson(v: unknown, prefix: string): { person?: Person; issue?: RecordIssue } {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v))
    return { issue: { path: `${prefix}/targetResources`, message: 'expected an array' } };
  const resources = v.filter(isObject) as TargetResource[];
  const users = resources.filter((r) => nonEmpty(r.userPrincipalName) !== undefined);
  const user = users.find((r) => /^user$/i.test(r.type ?? '')) ?? users[0];
  return user === undefined ? {} : { person: personOfUser(user) };
}

function actorPerson(v: unknown, prefix: string): { person?: Person; issue?: RecordIssue } {
  if (v === undefined || v === null) return {};
  if (!isObject(v))
    return { issue: { path: `${prefix}/initiatedBy`, message: 'expected an object' } };
  if (isObject(v.user)) {
    const p = personOfUser(v.user);
    if (p !== undefined) return { person: p };
  }
  if (isObject(v.app)) {
    // An application acting by itself (a Graph client resetting a password): it has no
    // user principal name, so its service principal name or app id stands for one.
    const app = v.app as GraphAppIdentity;
    const name =
      nonEmpty(app.servicePrincipalName) ?? nonEmpty(app.appId) ?? nonEmpty(app.servicePrincipalId);
    if (name !== undefined) {
      const p: Person = { userPrincipalName: cut(name, LIMIT.name), role: 'Application' };
      const display = nonEmpty(app.displayName);
      if (display !== undefined) p.displayName = cut(display, LIMIT.name);
      return { person: p };
    }
  }
  return {};
}

/** `additionalDetails` as a case-insensitive lookup; the first of repeated keys wins. */
function detailLookup(
  v: unknown,
): (pattern: RegExp) => { value: string; index: number } | undefined {
  const list = Array.isArray(v) ? (v as unknown[]) : [];
  return (pattern) => {
    for (let i = 0; i < list.length; i++) {
      const kv = list[i] as KeyValue;
      if (!isObject(kv)) continue;
      const key = nonEmpty(kv.key);
      const value = nonEmpty(kv.value);
      if (key !== undefined && value !== undefined && pattern.test(key)) return { value, index: i };
    }
    return undefined;
  };
}

const METHOD_WORDS: ReadonlyArray<readonly [RegExp, SsprMethod]> = [
  [/alternate\s*e-?mail|authentication\s*e-?mail|^e-?mail$|\be-?mail\b/i, 'AlternateEmail'],
  [/office\s*phone/i, 'OfficePhone'],
  [/mobile\s*phone|authentication\s*phone|mobile\s*app|\bsms\b|text message/i, 'MobilePhone'],
  [/security\s*questions?/i, 'SecurityQuestions'],
];

/** "Mobile phone, Alternate email" / "MobilePhone+AlternateEmail" → methods; null if any part is unknown. */
export function parseMethods(text: string): SsprMethod[] | null {
  const parts = text
    .split(/[,;+|]|\band\b/i)
    .map((p) => p.trim())
    .filter(Boolean);
  const out: SsprMethod[] = [];
  for (const part of parts) {
    const exact = SSPR_METHODS.find(
      (m) => m.toLowerCase() === part.replace(/\s+/g, '').toLowerCase(),
    );
    const method = exact ?? METHOD_WORDS.find(([re]) => re.test(part))?.[1];
    if (method === undefined) return null;
    if (!out.includes(method)) out.push(method);
  }
  return out.length > 0 ? out : null;
}

/** The method a flow step names in its status reason ("User verified their mobile phone"). */
function methodInText(text: string): SsprMethod | undefined {
  const hits = METHOD_WORDS.filter(([re]) => re.test(text)).map(([, m]) => m);
  return hits.length === 1 ? hits[0] : undefined;
}

const METHODS_KEY =
  /^(methods?|authentication\s*methods?(\s*used)?|data\s*registered|gates?(\s*passed)?)$/i;
const ON_PREMISES_AGENT_KEY = /^on-?premises\s*agent$/i;
const STEP_KEY = /^step$/i;

function detailsOf(
  type: string,
  a: Json,
  at: (field: string) => string,
  prefix: string,
): { value?: Record<string, unknown>; issues: RecordIssue[] } {
  const find = detailLookup(a.additionalDetails);
  const detailPath = (i: number): string => `${prefix}/additionalDetails/${i}/value`;
  switch (type) {
    case 'sspr.PasswordResetSelfService':
    case 'sspr.Registered': {
      const hit = find(METHODS_KEY);
      if (hit === undefined)
        return {
          issues: [
            {
              path: at('additionalDetails'),
              message:
                'missing: the methods (an additionalDetails entry "Methods", e.g. "Mobile phone, Alternate email")',
            },
          ],
        };
      const methods = parseMethods(hit.value);
      if (methods === null)
        return {
          issues: [
            {
              path: detailPath(hit.index),
              message: `expected methods among ${SSPR_METHODS.join(', ')} (or Entra's names for them)`,
            },
          ],
        };
      return { value: { methods }, issues: [] };
    }
    case 'sspr.PasswordResetByAdmin': {
      const hit = find(ON_PREMISES_AGENT_KEY);
      const agent = hit === undefined ? undefined : onPremisesAgent(hit.value);
      if (hit !== undefined && agent === undefined)
        return {
          issues: [
            {
              path: detailPath(hit.index),
              message: 'expected None, Microsoft Entra Connect or CloudSync',
            },
          ],
        };
      return agent === undefined
        ? { issues: [] }
        : { value: { onPremisesAgent: agent }, issues: [] };
    }
    case 'sspr.ResetFlowProgressed': {
      // Entra names the step only in the status reason ("User submitted their user ID").
      const step = find(STEP_KEY)?.value ?? nonEmpty(a.resultReason);
      if (step === undefined)
        return {
          issues: [
            { path: at('resultReason'), message: 'missing: which step of the flow this is' },
          ],
        };
      const details: Record<string, unknown> = { step: cut(step, LIMIT.step) };
      const methodHit = find(METHODS_KEY);
      const method =
        (methodHit && parseMethods(methodHit.value)?.[0]) ??
        methodInText(nonEmpty(a.resultReason) ?? '');
      if (method !== undefined) details.method = method;
      return { value: details, issues: [] };
    }
    case 'sspr.PolicyChanged': {
      const resources = (Array.isArray(a.targetResources) ? a.targetResources : []).filter(
        isObject,
      ) as TargetResource[];
      const changes: Record<string, unknown>[] = [];
      for (const r of resources) {
        for (const m of Array.isArray(r.modifiedProperties) ? r.modifiedProperties : []) {
          if (!isObject(m)) continue;
          const property = nonEmpty(m.displayName);
          if (property === undefined) continue;
          const change: Record<string, unknown> = { property: cut(property, LIMIT.name) };
          if (typeof m.oldValue === 'string') change.oldValue = cut(m.oldValue, LIMIT.value);
          if (typeof m.newValue === 'string') change.newValue = cut(m.newValue, LIMIT.value);
          changes.push(change);
        }
      }
      const policy = resources.map((r) => nonEmpty(r.displayName)).find((n) => n !== undefined);
      const value: Record<string, unknown> = { changes: changes.slice(0, MAX_POLICY_CHANGES) };
      if (policy !== undefined) value.policy = cut(policy, LIMIT.name);
      return { value, issues: [] };
    }
    default:
      return { issues: [] };
  }
}

function onPremisesAgent(v: string): 'None' | 'EntraConnect' | 'CloudSync' | undefined {
  const s = v.replace(/\s+/g, '').toLowerCase();
  if (s === 'none') return 'None';
  if (/^(microsoft)?entraconnect$|^(azuread|aad)connect$/.test(s)) return 'EntraConnect';
  if (/^(microsoftentra)?cloudsync$/.test(s)) return 'CloudSync';
  return undefined;
}
