import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteAppender } from './sqlite-appender';
import { configureConnection } from './sqlite-connection';
import type { WriterReply, WriterRequest, WriterThreadOptions } from './sqlite-writer.protocol';

// The event store's writer thread (see `ThreadSqliteWriter`): its own connection to the
// file the store already opened and migrated, set up like the store's own.
if (parentPort) {
  const port = parentPort;
  const options = workerData as WriterThreadOptions;
  const db = new Database(options.file);
  configureConnection(db, options);
  const appender = new SqliteAppender(db);
  port.on('message', (message: WriterRequest) => {
    if (message.type === 'close') {
      db.close();
      port.postMessage({ type: 'closed', id: message.id } satisfies WriterReply);
      return;
    }
    try {
      const outcomes = appender.commit(message.jobs);
      port.postMessage({ type: 'committed', id: message.id, outcomes } satisfies WriterReply);
    } catch (error) {
      port.postMessage({
        type: 'failed',
        id: message.id,
        message: error instanceof Error ? error.message : String(error),
      } satisfies WriterReply);
    }
  });
}
