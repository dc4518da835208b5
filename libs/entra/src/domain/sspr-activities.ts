import { SSPR_POLICY_CHANGES_ACTIVITY } from '@authtrail/catalog';

/**
 * Entra's SSPR activity names (`activityDisplayName`, Azure Monitor `operationName`) →
 * authtrail event types. The seven of seed 002 and the policy changes of Microsoft's
 * current SSPR reporting doc, with the spellings Microsoft's own docs use for the same
 * activity (the reporting doc's section headings differ from its list).
 */
export const SSPR_ACTIVITY_TYPES: Readonly<Record<string, string>> = {
  'Blocked from self-service password reset': 'sspr.BlockedFromReset',
  'Change password (self-service)': 'sspr.PasswordChanged',
  'Reset password (by admin)': 'sspr.PasswordResetByAdmin',
  'Reset password (self-service)': 'sspr.PasswordResetSelfService',
  'Self-service password reset flow activity progress': 'sspr.ResetFlowProgressed',
  'Self serve password reset flow activity progress': 'sspr.ResetFlowProgressed',
  'Unlock user account (self-service)': 'sspr.AccountUnlocked',
  'Unlock a user account (self-service)': 'sspr.AccountUnlocked',
  'User registered for self-service password reset': 'sspr.Registered',
  [SSPR_POLICY_CHANGES_ACTIVITY]: 'sspr.PolicyChanged',
};

const squash = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();

const BY_NAME = new Map(Object.entries(SSPR_ACTIVITY_TYPES).map(([k, v]) => [squash(k), v]));

/** The event type of an activity name (case and spacing ignored), or null for any other activity. */
export function ssprTypeOf(activity: string): string | null {
  return BY_NAME.get(squash(activity)) ?? null;
}

/** True when `service` is the SSPR service (Microsoft writes it with either capitalisation). */
export function isSsprService(service: string): boolean {
  return squash(service) === 'self-service password management';
}
