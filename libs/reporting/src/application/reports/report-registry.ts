import type { ReportDefinition, ReportService } from './report-definition';

/** A report of any parameters and rows (they meet only inside its own definition). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyReport = ReportDefinition<any, any>;
import { activations } from './mfa/activations.report';
import { attempts } from './mfa/attempts.report';
import { blocks } from './mfa/blocks.report';
import { bypasses } from './mfa/bypasses.report';
import { changes } from './mfa/changes.report';
import { adminSelfResets } from './sspr/admin-self-resets.report';
import { policyChanges } from './sspr/policy-changes.report';
import { problems } from './sspr/problems.report';
import { registeredCount } from './sspr/registered-count.report';
import { registeredMethods } from './sspr/registered-methods.report';
import { registrations } from './sspr/registrations.report';
import { resetMethods } from './sspr/reset-methods.report';
import { resets } from './sspr/resets.report';
import { resetsOverTime } from './sspr/resets-over-time.report';
import { suspicious } from './sspr/suspicious.report';

/**
 * Every prebuilt report, in the order the API, `authtrail report` and the console list
 * them. Adding a report is its file and a line here.
 */
export const REPORTS = [
  registeredCount,
  registrations,
  registeredMethods,
  resets,
  resetsOverTime,
  resetMethods,
  problems,
  adminSelfResets,
  suspicious,
  policyChanges,
  attempts,
  blocks,
  bypasses,
  activations,
  changes,
] as const satisfies readonly AnyReport[];

export type ReportName = (typeof REPORTS)[number]['name'];

/** The report of that service and name, or null. */
export function findReport(service: string, name: string): AnyReport | null {
  return (
    (REPORTS as readonly AnyReport[]).find((r) => r.service === service && r.name === name) ?? null
  );
}

export const isReportService = (service: string): service is ReportService =>
  (REPORTS as readonly AnyReport[]).some((r) => r.service === service);

/** Names of the reports of one service, in registry order. */
export function reportNames(service: ReportService): string[] {
  return (REPORTS as readonly AnyReport[]).filter((r) => r.service === service).map((r) => r.name);
}

/** What the console and the CLI need to know of a report (`GET /v1/reports`). */
export interface ReportInfo {
  readonly service: ReportService;
  readonly name: string;
  readonly path: string;
  readonly title: string;
  /** Default window in days; null: the current state, no window. */
  readonly defaultDays: number | null;
  readonly columns: readonly string[];
}

export function reportCatalog(): ReportInfo[] {
  return (REPORTS as readonly AnyReport[]).map((r) => ({
    service: r.service,
    name: r.name,
    path: `/v1/reports/${r.service}/${r.name}`,
    title: r.title,
    defaultDays: r.defaultDays,
    columns: r.columns,
  }));
}

export const SSPR_REPORTS: readonly string[] = reportNames('sspr');
export const MFA_REPORTS: readonly string[] = reportNames('mfa');
