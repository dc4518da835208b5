import { createHash } from 'node:crypto';
import type { DirectoryAudit, KeyValue, TargetResource } from './entra-records.types';

/**
 * The Entra admin center's CSV download of audit logs (Audit logs → Download → CSV):
 * one row per record, columns `Date (UTC)`, `CorrelationId`, `Service`, `Category`,
 * `Activity`, `Result`, `ResultReason`, `ActorType`, `ActorDisplayName`, `ActorObjectId`,
 * `ActorUserPrincipalName`, `IPAddress`, `ActorServicePrincipalId`,
 * `ActorServicePrincipalName`, `Target1Type` … `Target3ModifiedProperty5NewValue`,
 * `AdditionalDetail1Key` … `AdditionalDetail6Value` (fixtures/README.md).
 */

/** RFC 4180 fields: quotes, doubled quotes, separators and line breaks inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // the portal writes a UTF-8 BOM
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
  }
  return rows;
}

/** The columns a portal download must have to be read as one. */
export const REQUIRED_CSV_COLUMNS = ['Date (UTC)', 'Service', 'Activity', 'Result'] as const;

export type CsvRecords =
  | { readonly ok: true; readonly records: DirectoryAudit[] }
  | { readonly ok: false; readonly message: string };

const blank = (v: string | undefined): string | null =>
  v === undefined || v.trim() === '' ? null : v;

/**
 * Rows of a portal CSV download → `directoryAudit` records. The CSV has no record id, so
 * each row's id is a digest of the whole row: importing the same file again gives the same
 * ids (duplicates), while a CSV and a JSON download of one record are two different ids.
 */
export function csvToDirectoryAudits(text: string): CsvRecords {
  const rows = parseCsv(text);
  if (rows.length === 0) return { ok: false, message: 'the CSV file is empty' };
  const header = rows[0].map((h) => h.trim());
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    return {
      ok: false,
      message: `not an Entra audit log download: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    };
  const col = new Map(header.map((h, i) => [h, i]));
  const records = rows.slice(1).map((cells) => {
    const get = (name: string): string | null => {
      const i = col.get(name);
      return i === undefined ? null : blank(cells[i]);
    };
    const targets: TargetResource[] = [];
    for (let t = 1; col.has(`Target${t}Type`) || col.has(`Target${t}DisplayName`); t++) {
      const modified = [];
      for (let m = 1; col.has(`Target${t}ModifiedProperty${m}Name`); m++) {
        const name = get(`Target${t}ModifiedProperty${m}Name`);
        if (name === null) continue;
        modified.push({
          displayName: name,
          oldValue: get(`Target${t}ModifiedProperty${m}OldValue`),
          newValue: get(`Target${t}ModifiedProperty${m}NewValue`),
        });
      }
      const target: TargetResource = {
        id: get(`Target${t}ObjectId`),
        displayName: get(`Target${t}DisplayName`),
        type: get(`Target${t}Type`),
        userPrincipalName: get(`Target${t}UserPrincipalName`),
        modifiedProperties: modified,
      };
      if (target.type !== null || target.displayName !== null || target.userPrincipalName !== null)
        targets.push(target);
    }
    const details: KeyValue[] = [];
    for (let d = 1; col.has(`AdditionalDetail${d}Key`); d++) {
      const key = get(`AdditionalDetail${d}Key`);
      if (key !== null) details.push({ key, value: get(`AdditionalDetail${d}Value`) });
    }
    const actorType = (get('ActorType') ?? '').toLowerCase();
    const user = {
      id: get('ActorObjectId'),
      displayName: get('ActorDisplayName'),
      userPrincipalName: get('ActorUserPrincipalName'),
      ipAddress: get('IPAddress'),
    };
    const app = {
      appId: null,
      displayName: get('ActorDisplayName'),
      servicePrincipalId: get('ActorServicePrincipalId'),
      servicePrincipalName: get('ActorServicePrincipalName'),
    };
    const audit: DirectoryAudit = {
      id: `csv:${createHash('sha256').update(JSON.stringify(cells)).digest('hex')}`,
      category: get('Category') ?? undefined,
      correlationId: get('CorrelationId'),
      result: (get('Result') ?? '').toLowerCase(),
      resultReason: get('ResultReason'),
      activityDisplayName: get('Activity') ?? undefined,
      activityDateTime: get('Date (UTC)') ?? undefined,
      loggedByService: get('Service') ?? undefined,
      initiatedBy:
        actorType === 'user' || (actorType === '' && user.userPrincipalName !== null)
          ? { user, app: null }
          : { user: null, app },
      targetResources: targets,
      additionalDetails: details,
    };
    return audit;
  });
  return { ok: true, records };
}
