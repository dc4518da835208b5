import type { Category } from './catalog.types';

const DAY_MS = 86_400_000;

/**
 * Retention window per category (DESIGN.md "Streams and ordering"): MFA 90 days (seed 000),
 * SSPR and audit one year (seeds 002, 003). The service's own records (privacy, tenant,
 * access, ledger) are kept at least as long as the longest data window, so an erasure or
 * seal outlives every event it speaks about.
 */
export const RETENTION_DAYS: Readonly<Record<Category, number>> = {
  mfa: 90,
  sspr: 365,
  privacy: 365,
  tenant: 365,
  access: 365,
  ledger: 365,
};

/** Days an event of this category is kept, counted from its `occurredAt`. */
export function retentionDays(category: Category): number {
  return RETENTION_DAYS[category];
}

/**
 * True when an event that occurred at `occurredAt` is already outside its category's
 * window at `now` (older than exactly `retentionDays` days). An event exactly on the
 * boundary is still inside.
 */
export function isPastRetention(category: Category, occurredAt: Date, now: Date): boolean {
  return now.getTime() - occurredAt.getTime() > RETENTION_DAYS[category] * DAY_MS;
}

/** The instant before which events of this category are past retention at `now`. */
export function retentionCutoff(category: Category, now: Date): Date {
  return new Date(now.getTime() - RETENTION_DAYS[category] * DAY_MS);
}

/**
 * Categories the retention job prunes from the log. Privacy, tenant and ledger records are
 * kept: erasure recovery, tenant state and the seal chain rely on them.
 */
export const PRUNED_CATEGORIES: readonly Category[] = ['mfa', 'sspr', 'access'];

/**
 * A category's window under the configured MFA and SSPR windows (AUTHTRAIL_RETENTION_*):
 * authtrail's own records (access, privacy, tenant, ledger) follow the longer of the two.
 */
export function configuredRetentionDays(
  windows: { readonly mfaDays: number; readonly ssprDays: number },
  category: Category,
): number {
  if (category === 'mfa') return windows.mfaDays;
  if (category === 'sspr') return windows.ssprDays;
  return Math.max(windows.mfaDays, windows.ssprDays);
}
