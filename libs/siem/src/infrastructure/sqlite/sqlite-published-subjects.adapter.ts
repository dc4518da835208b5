import Database from 'better-sqlite3';
import type { IdentityFingerprints } from '../../domain/identity';
import type { PublishedSubjectsStore } from '../../domain/published-subjects.port';

/**
 * The forwarder's record of published people, in its own small SQLite file. Deleted rows
 * are overwritten (`secure_delete`) and the WAL truncated, so an erased person's
 * fingerprints do not linger in free pages.
 */
export class SqlitePublishedSubjectsStore implements PublishedSubjectsStore {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string, string], { fingerprints: string }>;
  private readonly putStmt: Database.Statement<[string, string, string]>;
  private readonly delStmt: Database.Statement<[string, string]>;
  private readonly listStmt: Database.Statement<[string], { subject_id: string }>;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS siem_published_subjects (tenant_id TEXT NOT NULL, subject_id TEXT NOT NULL, fingerprints TEXT NOT NULL, PRIMARY KEY (tenant_id, subject_id)) WITHOUT ROWID',
    );
    this.getStmt = this.db.prepare(
      'SELECT fingerprints FROM siem_published_subjects WHERE tenant_id = ? AND subject_id = ?',
    );
    this.putStmt = this.db.prepare(
      'INSERT INTO siem_published_subjects (tenant_id, subject_id, fingerprints) VALUES (?, ?, ?) ON CONFLICT (tenant_id, subject_id) DO UPDATE SET fingerprints = excluded.fingerprints',
    );
    this.delStmt = this.db.prepare(
      'DELETE FROM siem_published_subjects WHERE tenant_id = ? AND subject_id = ?',
    );
    this.listStmt = this.db.prepare(
      'SELECT subject_id FROM siem_published_subjects WHERE tenant_id = ? ORDER BY subject_id',
    );
  }

  get(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, IdentityFingerprints>> {
    const out = new Map<string, IdentityFingerprints>();
    for (const sid of subjectIds) {
      const row = this.getStmt.get(tenantId, sid);
      if (row) out.set(sid, JSON.parse(row.fingerprints) as IdentityFingerprints);
    }
    return Promise.resolve(out);
  }

  save(tenantId: string, changes: ReadonlyMap<string, IdentityFingerprints | null>): Promise<void> {
    let removed = false;
    // One transaction (one fsync) per batch.
    this.db.transaction(() => {
      for (const [sid, fps] of changes) {
        if (fps === null) {
          this.delStmt.run(tenantId, sid);
          removed = true;
        } else this.putStmt.run(tenantId, sid, JSON.stringify(fps));
      }
    })();
    // The deleted rows' old pages may still sit in the WAL: fold it back and truncate it.
    if (removed) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return Promise.resolve();
  }

  subjectsOf(tenantId: string): Promise<string[]> {
    return Promise.resolve(this.listStmt.all(tenantId).map((r) => r.subject_id));
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
