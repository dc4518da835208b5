import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '../../libs/entra/fixtures');

type Json = Record<string, unknown>;

/** The Graph fixture's records (libs/entra/fixtures/README.md), a fresh copy. */
export function graphFixtureRecords(): Json[] {
  const page = JSON.parse(readFileSync(join(FIXTURES, 'graph-directory-audits.json'), 'utf8'));
  return page.value as Json[];
}

export function monitorFixture(): { records: Json[] } {
  return JSON.parse(readFileSync(join(FIXTURES, 'azure-monitor-auditlogs.json'), 'utf8'));
}

export function csvFixture(): string {
  return readFileSync(join(FIXTURES, 'portal-download.csv'), 'utf8');
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The fixture times moved so that the newest is `newest` (they are fixed in November 2026). */
export function shiftBy(records: readonly Json[], newest: Date): Json[] {
  const times = records
    .map((r) => r.activityDateTime)
    .filter((t): t is string => typeof t === 'string' && ISO.test(t))
    .map((t) => Date.parse(t));
  const delta = newest.getTime() - Math.max(...times);
  const move = (t: unknown): unknown =>
    typeof t === 'string' && ISO.test(t) ? new Date(Date.parse(t) + delta).toISOString() : t;
  return records.map((r) => ({
    ...structuredClone(r),
    activityDateTime: move(r.activityDateTime),
  }));
}

/** The CSV download with its `Date (UTC)` column moved by the same rule. */
export function shiftCsv(csv: string, newest: Date): string {
  const dates = [...csv.matchAll(/\r\n"(\d{4}-\d{2}-\d{2}T[^"]+Z)"/g)].map((m) => Date.parse(m[1]));
  const delta = newest.getTime() - Math.max(...dates);
  return csv.replace(
    /\r\n"(\d{4}-\d{2}-\d{2}T[^"]+Z)"/g,
    (_, t: string) => `\r\n"${new Date(Date.parse(t) + delta).toISOString()}"`,
  );
}
