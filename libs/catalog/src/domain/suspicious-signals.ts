/**
 * What the `suspicious` report calls suspicious (seed 002, seed 003), as data: the report's
 * ClickHouse query (libs/reporting) and the live detections (libs/detections) read the same
 * definitions, so a threshold changes in one place. They live with the catalog because
 * they are facts about the SSPR events, and both readers already depend on it.
 */

/** Event types the SSPR reports single out (seed 002). */
export const SSPR_SIGNAL_TYPES = {
  selfService: 'sspr.PasswordResetSelfService',
  byAdmin: 'sspr.PasswordResetByAdmin',
  flow: 'sspr.ResetFlowProgressed',
  blocked: 'sspr.BlockedFromReset',
} as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Which person of an event a signal is about. */
export type SignalPerson = 'actor' | 'target';

export interface SuspiciousSignal {
  readonly name: 'blocked' | 'reset-attempts' | 'failure-burst' | 'admin-self-reset';
  readonly person: SignalPerson;
  /** Event types that count (any SSPR type when absent). */
  readonly types?: readonly string[];
  /** Result status that counts (any when absent). */
  readonly status?: 'Success' | 'Failure';
  /** The signal holds when more than this many count within `withinMs`. */
  readonly moreThan: number;
  /** Length of the window, from one counted event on. */
  readonly withinMs: number;
}

/** The person's events that hint at abuse, with their thresholds. */
export const SUSPICIOUS_SIGNALS = {
  /** Every throttling: the person tried more than five times in 24 hours (seed 002). */
  blocked: {
    name: 'blocked',
    person: 'target',
    types: [SSPR_SIGNAL_TYPES.blocked],
    moreThan: 0,
    // SSPR throttles for 24 hours after a block.
    withinMs: DAY_MS,
  },
  /** More than five self-service resets or reset steps by one person in 24 hours. */
  resetAttempts: {
    name: 'reset-attempts',
    person: 'actor',
    types: [SSPR_SIGNAL_TYPES.selfService, SSPR_SIGNAL_TYPES.flow],
    moreThan: 5,
    withinMs: DAY_MS,
  },
  /** More than nine failed SSPR activities by one person in an hour. */
  failureBurst: {
    name: 'failure-burst',
    person: 'actor',
    status: 'Failure',
    moreThan: 9,
    withinMs: HOUR_MS,
  },
  /**
   * An administrator resetting their own password by self-service (seed 003): at least
   * three (the reports' default `min`) within the reports' default window of 30 days.
   * Which resets are an admin's own: {@link isAdminSelfReset}.
   */
  adminSelfReset: {
    name: 'admin-self-reset',
    person: 'actor',
    types: [SSPR_SIGNAL_TYPES.selfService],
    status: 'Success',
    moreThan: 2,
    withinMs: 30 * DAY_MS,
  },
} as const satisfies Record<string, SuspiciousSignal>;

/** The reports' default window, in days, for the signal reports. */
export const SIGNAL_REPORT_DAYS = SUSPICIOUS_SIGNALS.adminSelfReset.withinMs / DAY_MS;
/** The reports' default least count of admin self-resets. */
export const ADMIN_SELF_RESET_MIN = SUSPICIOUS_SIGNALS.adminSelfReset.moreThan + 1;

/**
 * A successful self-service reset of their own password by someone whose directory role
 * is an administrator's (the `sspr_admin_self_resets` table's rule): the target's role,
 * else the actor's, ends with `Administrator`.
 */
export function isAdminSelfReset(e: {
  readonly type: string;
  readonly status?: string;
  readonly actor?: string;
  readonly target?: string;
  readonly actorRole?: string;
  readonly targetRole?: string;
}): boolean {
  const role = e.targetRole !== undefined && e.targetRole !== '' ? e.targetRole : e.actorRole;
  return (
    e.type === SSPR_SIGNAL_TYPES.selfService &&
    e.status === 'Success' &&
    e.actor !== undefined &&
    e.actor === e.target &&
    role !== undefined &&
    role.endsWith('Administrator')
  );
}
