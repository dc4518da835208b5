import type { IdentityFingerprints, PublishedSubjectsStore } from '@authtrail/siem';
import { ByteScanner } from '../key-vault/file-scan';

/** The data every store opened on one `InMemoryPublishedSubjectsData` shares (the "database"). */
export class InMemoryPublishedSubjectsData {
  readonly rows = new Map<string, Map<string, IdentityFingerprints>>();
  /** What a store would have written to disk, as text: the live rows unless a store says otherwise. */
  disk: () => string = () => JSON.stringify([...this.rows].map(([t, m]) => [t, [...m]]));

  tenant(tenantId: string): Map<string, IdentityFingerprints> {
    let rows = this.rows.get(tenantId);
    if (!rows) this.rows.set(tenantId, (rows = new Map()));
    return rows;
  }

  /** Names of the needles in what is "on disk". */
  filesContaining(needles: Readonly<Record<string, Uint8Array>>): string[] {
    return new ByteScanner(needles).scan(Buffer.from(this.disk(), 'utf8')).map((h) => h.needle);
  }
}

/**
 * The reference store of the contract: what the SQLite and PostgreSQL stores must behave
 * like, and the base of deliberately broken stores that prove the contract catches them.
 */
export class InMemoryPublishedSubjectsStore implements PublishedSubjectsStore {
  constructor(protected readonly data: InMemoryPublishedSubjectsData) {}

  get(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, IdentityFingerprints>> {
    const rows = this.data.tenant(tenantId);
    const out = new Map<string, IdentityFingerprints>();
    for (const sid of subjectIds) {
      const fps = rows.get(sid);
      if (fps) out.set(sid, { ...fps });
    }
    return Promise.resolve(out);
  }

  save(tenantId: string, changes: ReadonlyMap<string, IdentityFingerprints | null>): Promise<void> {
    const rows = this.data.tenant(tenantId);
    for (const [sid, fps] of changes) {
      if (fps === null) rows.delete(sid);
      else rows.set(sid, { ...fps });
    }
    return Promise.resolve();
  }

  subjectsOf(tenantId: string): Promise<string[]> {
    return Promise.resolve([...this.data.tenant(tenantId).keys()].sort());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
