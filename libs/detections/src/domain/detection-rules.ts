import { SSPR_SIGNAL_TYPES, SUSPICIOUS_SIGNALS, isAdminSelfReset } from '@authtrail/catalog';

/** What a rule reads of a stored event: its non-personal part. */
export interface DetectionEvent {
  readonly position: number;
  readonly eventId: string;
  readonly tenantId: string;
  readonly type: string;
  readonly occurredAtMs: number;
  readonly recordedAtMs: number;
  readonly actor?: string;
  readonly target?: string;
  readonly status?: string;
  readonly actorRole?: string;
  readonly targetRole?: string;
}

/** More than `moreThan` of a person's matching events within `withinMs`. */
export interface CountRule {
  readonly kind: 'count';
  readonly name: string;
  readonly person: 'actor' | 'target';
  readonly moreThan: number;
  readonly withinMs: number;
  readonly severityId: 3 | 4;
  readonly title: string;
  matches(e: DetectionEvent): boolean;
}

/** A `first` event of a person followed by a `then` event within `withinMs`. */
export interface SequenceRule {
  readonly kind: 'sequence';
  readonly name: string;
  readonly person: 'target';
  readonly withinMs: number;
  readonly severityId: 3 | 4;
  readonly title: string;
  first(e: DetectionEvent): boolean;
  then(e: DetectionEvent): boolean;
}

export type DetectionRule = CountRule | SequenceRule;

const isSspr = (e: DetectionEvent) => e.type.startsWith('sspr.');

/** One of the report's signals as a live rule: the same types, status, count and window. */
function fromSignal(
  signal: (typeof SUSPICIOUS_SIGNALS)[keyof typeof SUSPICIOUS_SIGNALS],
  title: string,
  extra: (e: DetectionEvent) => boolean = () => true,
): CountRule {
  const types: readonly string[] | undefined = 'types' in signal ? signal.types : undefined;
  const status: string | undefined = 'status' in signal ? signal.status : undefined;
  return {
    kind: 'count',
    name: signal.name,
    person: signal.person,
    moreThan: signal.moreThan,
    withinMs: signal.withinMs,
    severityId: 3,
    title,
    matches: (e) =>
      isSspr(e) &&
      (types === undefined || types.includes(e.type)) &&
      (status === undefined || e.status === status) &&
      extra(e),
  };
}

/** A changed MFA or SSPR method: a new authenticator app, changed MFA settings, a new SSPR registration. */
export const MFA_METHOD_CHANGES: readonly string[] = [
  'mfa.UserChanged',
  'mfa.AppActivated',
  'sspr.Registered',
];

/** "Within minutes": a method change this soon after a reset is the account-takeover pattern. */
export const RESET_THEN_CHANGE_MS = 10 * 60_000;

/**
 * The live rules: the `suspicious` report's four signals (SUSPICIOUS_SIGNALS, the same
 * thresholds) and a password reset followed by an MFA method change of the same person.
 */
export const DETECTION_RULES: readonly DetectionRule[] = [
  fromSignal(SUSPICIOUS_SIGNALS.blocked, 'Blocked from self-service password reset'),
  fromSignal(SUSPICIOUS_SIGNALS.resetAttempts, 'Burst of self-service password reset attempts'),
  fromSignal(SUSPICIOUS_SIGNALS.failureBurst, 'Burst of failed password reset activity'),
  fromSignal(
    SUSPICIOUS_SIGNALS.adminSelfReset,
    'Administrator reset their own password repeatedly',
    (e) => isAdminSelfReset(e),
  ),
  {
    kind: 'sequence',
    name: 'reset-then-mfa-change',
    person: 'target',
    withinMs: RESET_THEN_CHANGE_MS,
    severityId: 4,
    title: 'Password reset followed by an MFA method change',
    first: (e) =>
      (e.type === SSPR_SIGNAL_TYPES.selfService || e.type === SSPR_SIGNAL_TYPES.byAdmin) &&
      e.status === 'Success',
    then: (e) => MFA_METHOD_CHANGES.includes(e.type) && e.status !== 'Failure',
  },
];
