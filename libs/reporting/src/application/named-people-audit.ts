import { AccessAuditService, type Caller, mayReadNames } from '@authtrail/privacy';
import { flattenItem } from '../domain/csv';
import type { ReportResult } from './reports.service';

const SUBJECT_ID = /^s_[A-Za-z0-9_-]{22}$/;

/** How many rows named a person (a `user` shown as a name, not a subject id). */
export function namedPeople(rows: readonly Record<string, unknown>[]): number {
  let n = 0;
  for (const row of rows) {
    const flat = flattenItem(row);
    if (
      Object.entries(flat).some(
        ([k, v]) =>
          (k === 'user' || k.endsWith('.user')) &&
          typeof v === 'string' &&
          v !== '' &&
          !SUBJECT_ID.test(v),
      )
    )
      n++;
  }
  return n;
}

/**
 * Names shown to a privacy admin are themselves audited (`access.PersonalDataRead`:
 * caller, report, how many rows named someone — never the names). A CSV export is
 * audited once, when it ends (or is broken off), for the rows it handed out.
 */
export async function auditNamedPeople(
  audit: AccessAuditService,
  caller: Caller,
  resource: string,
  result: ReportResult,
): Promise<ReportResult> {
  if (!mayReadNames(caller)) return result;
  const csv = result.csv;
  if (csv === undefined) {
    const n = namedPeople(result.rows);
    if (n > 0) await audit.personalDataRead(caller, resource, n);
    return result;
  }
  return {
    ...result,
    csv: {
      ...csv,
      async *pages() {
        let n = 0;
        try {
          for await (const page of csv.pages()) {
            n += namedPeople(page);
            yield page;
          }
        } finally {
          if (n > 0) await audit.personalDataRead(caller, resource, n);
        }
      },
    },
  };
}
