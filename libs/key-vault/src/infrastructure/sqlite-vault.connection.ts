import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyVaultUnavailableError } from '../domain/key-vault.errors';

const CHECKPOINT_ATTEMPTS = 100;
const CHECKPOINT_RETRY_MS = 20;

/**
 * One better-sqlite3 connection shared by the key vault and the credential store. Closed
 * when every user released it.
 */
export class SqliteVaultConnection {
  readonly db: Database.Database;
  private users = 0;
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    // Deleted content is overwritten with zeros in the file, so a shredded key leaves no
    // bytes in freed cells or pages: https://www.sqlite.org/pragma.html#pragma_secure_delete
    this.db.pragma('secure_delete = ON');
    if (this.db.pragma('secure_delete', { simple: true }) !== 1) {
      throw new KeyVaultUnavailableError(
        'SQLite refused secure_delete; the key vault cannot erase reliably',
      );
    }
    if (!this.inMemory) {
      this.db.pragma('journal_mode = WAL');
      // A created subject key must be durable before any event sealed under it is.
      this.db.pragma('synchronous = FULL');
    }
  }

  /** A prepared statement, compiled once per connection (preparing costs more than most runs). */
  prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  get inMemory(): boolean {
    return this.file === ':memory:' || this.file === '';
  }

  acquire(): this {
    this.users += 1;
    return this;
  }

  release(): void {
    this.users -= 1;
    if (this.users <= 0) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /**
   * Copies the WAL into the main file and truncates it to zero bytes, so that old page
   * images holding deleted keys survive in neither file:
   * https://www.sqlite.org/pragma.html#pragma_wal_checkpoint. A reader (another process)
   * can hold the checkpoint back; retried, then reported as retriable.
   */
  async scrubWal(): Promise<void> {
    if (this.inMemory) return;
    for (let attempt = 0; attempt < CHECKPOINT_ATTEMPTS; attempt++) {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as {
        busy: number;
        log: number;
        checkpointed: number;
      }[];
      if (result.busy === 0 && result.log <= 0) return;
      await sleep(CHECKPOINT_RETRY_MS);
    }
    throw new KeyVaultUnavailableError(
      `key vault ${this.file}: deletion committed but the WAL could not be truncated (a reader holds it); retry the deletion`,
    );
  }
}

/** Runs synchronous driver work as a promise, so a thrown error becomes a rejection. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
