import type { Database as Db } from 'better-sqlite3';

/** How a connection to the event log file is set up; the same for every thread that opens one. */
export interface ConnectionSettings {
  /** See `SqliteEventStoreOptions.synchronous`. */
  readonly synchronous: 'FULL' | 'NORMAL';
  readonly busyTimeoutMs: number;
  /** Whether this connection appends (the writer thread's, or the only one). */
  readonly appends: boolean;
}

/**
 * Page cache (KiB) of the connection that appends: it holds the inner pages of the
 * random-key indexes. 16 MiB holds them for well over a GiB of index; at 64 MiB the cache
 * filled under load and was ~48 MiB of the server's peak RSS (issue #15).
 */
const WRITER_CACHE_KIB = 16_384;
/** Page cache (KiB) of a connection that only reads (followers read recent pages). */
const READER_CACHE_KIB = 8_192;

export function configureConnection(db: Db, settings: ConnectionSettings): void {
  // WAL lets readers (subscriptions, other processes) run during a write. https://www.sqlite.org/wal.html
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${settings.synchronous}`);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(settings.busyTimeoutMs))}`);
  db.pragma('foreign_keys = ON');
  // The index B-trees (event ids, subjects) take random inserts: a 16 MiB page cache
  // (default 2 MiB) keeps their inner pages in memory — on the connection that appends.
  db.pragma(`cache_size = -${settings.appends ? WRITER_CACHE_KIB : READER_CACHE_KIB}`);
  // Checkpoint every ~40 MiB of WAL instead of 4 MiB: a page changed by several groups is
  // copied into the database file once (measured ~15% more appends per second).
  if (settings.appends) db.pragma('wal_autocheckpoint = 10000');
}
