import { Keyring, SealedDataError } from '@authtrail/key-vault';
import type { ReportReader } from './read-model.port';

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
      this.reader.erasedAmong(tenantId, ids),
      this.keyring.dataKeys(tenantId, ids),
    ]);
    const names = new Map<string, string>();
    if (reveal) {
      const visible = ids.filter((id) => !erased.has(id) && keys.has(id));
      for (const row of await this.reader.sealedOf(tenantId, visible)) {
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
