import { createHash } from 'node:crypto';

/** One live detection, as stored and published: ids, times and counts only — no personal data. */
export interface Alert {
  /** Deterministic (see {@link alertId}): replaying the same events yields the same id. */
  readonly id: string;
  readonly tenantId: string;
  /** The rule's name (`reset-attempts`, `reset-then-mfa-change`…). */
  readonly rule: string;
  /** The person it is about, as their subject id (a pseudonym). */
  readonly subjectId: string;
  /** OCSF severity_id: 3 Medium, 4 High. */
  readonly severityId: 3 | 4;
  readonly title: string;
  readonly description: string;
  /** Events of the person that made the rule hold (in the window). */
  readonly count: number;
  readonly threshold: number;
  readonly windowMs: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** `recordedAt` of the event that completed the detection (deterministic, from the log). */
  readonly detectedAtMs: number;
  /** Log position of that event. */
  readonly position: number;
  /** The events behind it (at most {@link MAX_ALERT_EVENTS}), oldest first. */
  readonly events: readonly AlertEvent[];
}

export interface AlertEvent {
  readonly uid: string;
  readonly type: string;
  readonly position: number;
  readonly timeMs: number;
}

export const MAX_ALERT_EVENTS = 20;

/** Name-based UUID (RFC 9562 version 5) namespace of authtrail's alerts. */
const ALERT_NAMESPACE = Buffer.from('6f1c2a4e9b7d4c3a8e5f0a1b2c3d4e5f', 'hex');

/**
 * The alert id: a UUIDv5 of tenant, rule, person and the event the detection is anchored
 * to (the first event of the burst, the reset of a reset-then-change). The same events
 * give the same id on every replay and restart, so the store and consumers deduplicate on it.
 */
export function alertId(tenantId: string, rule: string, subjectId: string, anchor: string): string {
  const h = createHash('sha1')
    .update(ALERT_NAMESPACE)
    .update(`${tenantId}\n${rule}\n${subjectId}\n${anchor}`, 'utf8')
    .digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
