import { Keyring, SealedDataError } from '@authtrail/key-vault';
import type { SubjectSealedRow } from '../domain/read-model.types';
import type { ReportQuery, ReportReader } from './read-model.port';
import { TABLES, parseDateTime64 } from './reports/report-sql';

interface SubjectsOf {
  readonly tenantId: string;
  readonly subjectIds: readonly string[];
}

/** A query: the subjects of a list that have a row in `table`. */
const subjectsIn =
  (table: string): ReportQuery<SubjectsOf, Set<string>> =>
  async (sql, q) => {
    if (q.subjectIds.length === 0) return new Set();
    const rows = await sql.select<{ subject_id: string }>(
      `SELECT DISTINCT subject_id FROM ${sql.table(table)}
WHERE tenant_id = {tenant:String} AND subject_id IN {ids:Array(String)}`,
      { tenant: q.tenantId, ids: q.subjectIds },
    );
    return new Set(rows.map((r) => r.subject_id));
  };

/** Subjects of this list that joined the erased-subjects table. */
export const erasedAmong = subjectsIn(TABLES.erased);

/**
 * Subjects of this list whose ciphertext rows the read model still holds: for an erased
 * person, a delete the engine has queued and not carried out yet (the projection writer
 * does not wait for it).
 */
export const sealedAmong = subjectsIn(TABLES.sealed);

/** The sealed display blob of each person (SSPR preferred, then newest). */
export const sealedOf: ReportQuery<SubjectsOf, SubjectSealedRow[]> = async (sql, q) => {
  if (q.subjectIds.length === 0) return [];
  const rows = await sql.select(
    `SELECT subject_id, s.1 AS event_id, s.2 AS sealed, s.3 AS service, s.4 AS position, s.5 AS occurred_at
FROM (
  SELECT subject_id, argMax(tuple(event_id, sealed, toString(service), position, occurred_at), tuple(service = 'sspr', position)) AS s
  FROM ${sql.table(TABLES.sealed)}
  WHERE tenant_id = {tenant:String} AND subject_id IN {ids:Array(String)}
  GROUP BY subject_id
)`,
    { tenant: q.tenantId, ids: q.subjectIds },
  );
  return rows.map((r) => ({
    tenantId: q.tenantId,
    subjectId: String(r.subject_id),
    service: r.service as 'sspr' | 'mfa',
    eventId: String(r.event_id),
    position: Number(r.position),
    occurredAt: parseDateTime64(r.occurred_at),
    sealed: String(r.sealed),
  }));
};

/** How a person appears in a report: `user` per the caller's role, null once erased. */
export interface PersonView {
  readonly subjectId: string;
  readonly user: string | null;
  readonly erased: boolean;
}

type Json = Record<string, unknown>;

const nameIn = (fields: Json): string | null => {
  for (const key of [
    '/target/displayName',
    '/actor/displayName',
    '/target/userPrincipalName',
    '/actor/userPrincipalName',
  ]) {
    const v = fields[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return null;
};

/**
 * Turns subject ids into what a caller may see (API.md "Reports"): the display name or
 * user principal name for privacy admins (opened from the sealed blob with the person's
 * key, never stored in clear), the subject id for readers, and null with `erased` once
 * the person is erased. Erased = in the read model's erased-subjects table, or without a
 * key (erased or tenant deleted after the projector's last batch).
 */
export class SubjectNames {
  constructor(
    private readonly reader: ReportReader,
    private readonly keyring: Keyring,
  ) {}

  async resolve(
    tenantId: string,
    subjectIds: readonly string[],
    reveal: boolean,
  ): Promise<Map<string, PersonView>> {
    const ids = [...new Set(subjectIds.filter((s) => s !== ''))];
    const out = new Map<string, PersonView>();
    if (ids.length === 0) return out;
    const [erased, keys] = await Promise.all([
      this.reader.run(erasedAmong, { tenantId, subjectIds: ids }),
      this.keyring.dataKeys(tenantId, ids),
    ]);
    const names = new Map<string, string>();
    if (reveal) {
      const visible = ids.filter((id) => !erased.has(id) && keys.has(id));
      for (const row of await this.reader.run(sealedOf, { tenantId, subjectIds: visible })) {
        const key = keys.get(row.subjectId);
        if (!key) continue;
        try {
          const name = nameIn(
            this.keyring.open(key, row.sealed, { eventId: row.eventId, subjectId: row.subjectId }),
          );
          if (name !== null) names.set(row.subjectId, name);
        } catch (e) {
          // A blob that does not open under the person's key shows the subject id instead.
          if (!(e instanceof SealedDataError)) throw e;
        }
      }
    }
    for (const id of ids) {
      const gone = erased.has(id) || !keys.has(id);
      out.set(id, {
        subjectId: id,
        user: gone ? null : reveal ? (names.get(id) ?? id) : id,
        erased: gone,
      });
    }
    return out;
  }
}

/** Every person of the tenant the read model holds a sealed name for. */
export const subjectsWithNames: ReportQuery<{ tenantId: string }, string[]> = async (sql, q) =>
  (
    await sql.select<{ subject_id: string }>(
      `SELECT DISTINCT subject_id FROM ${sql.table(TABLES.sealed)} WHERE tenant_id = {tenant:String}`,
      { tenant: q.tenantId },
    )
  ).map((r) => String(r.subject_id));

/**
 * The people shown as `displayName` (case-insensitive), for a privacy admin's name filter.
 * Display names are sealed per person, with no index: each person's name is opened and
 * compared here, in memory, and the name goes nowhere else (no query, no log).
 */
export async function subjectsShownAs(
  reader: ReportReader,
  names: SubjectNames,
  tenantId: string,
  displayName: string,
): Promise<string[]> {
  const wanted = displayName.trim().toLowerCase();
  const ids = await reader.run(subjectsWithNames, { tenantId });
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const views = await names.resolve(tenantId, ids.slice(i, i + 1000), true);
    for (const [id, v] of views)
      if (!v.erased && v.user !== null && v.user.toLowerCase() === wanted) out.push(id);
  }
  return out;
}
