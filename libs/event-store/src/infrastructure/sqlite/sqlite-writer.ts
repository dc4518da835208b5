import type { Database as Db } from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type AppendJob, type JobOutcome, SqliteAppender } from './sqlite-appender';
import type { WriterReply, WriterRequest, WriterThreadOptions } from './sqlite-writer.protocol';

/** Name of the SQLite writer thread (its OS thread name too). */
export const SQLITE_WRITER_THREAD_NAME = 'sqlite-writer';

/**
 * Commits groups of append requests. Either on the caller's thread (`:memory:` stores, or
 * when asked), or on a thread of its own with its own connection to the file, so that the
 * B-tree and WAL work of a commit and its fsync do not stop the event loop: HTTP parsing,
 * validation and sealing of the next requests go on meanwhile (issue #9).
 */
export interface SqliteWriter {
  /** Resolves with one outcome per job; rejects when the group's transaction failed as a whole. */
  commit(jobs: readonly AppendJob[]): Promise<JobOutcome[]>;
  close(): Promise<void>;
}

export class InThreadSqliteWriter implements SqliteWriter {
  private readonly appender: SqliteAppender;

  constructor(db: Db) {
    this.appender = new SqliteAppender(db);
  }

  commit(jobs: readonly AppendJob[]): Promise<JobOutcome[]> {
    try {
      return Promise.resolve(this.appender.commit(jobs));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The writer on a worker thread. One group in flight at a time; a dead thread fails it and is replaced. */
export class ThreadSqliteWriter implements SqliteWriter {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (reply: WriterReply) => void; reject: (error: Error) => void }
  >();

  constructor(private readonly options: WriterThreadOptions) {}

  async commit(jobs: readonly AppendJob[]): Promise<JobOutcome[]> {
    const reply = await this.request({ type: 'commit', id: 0, jobs });
    if (reply.type === 'failed') throw new Error(reply.message);
    if (reply.type !== 'committed') throw new Error(`unexpected writer reply ${reply.type}`);
    return reply.outcomes;
  }

  async close(): Promise<void> {
    if (!this.worker) return;
    try {
      await this.request({ type: 'close', id: 0 });
    } finally {
      await this.worker?.terminate();
      this.worker = null;
    }
  }

  private request(message: WriterRequest): Promise<WriterReply> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<WriterReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerSource(), {
      eval: true,
      workerData: this.options,
      // Also the OS thread's name (≤ 15 characters), as `top -H` and the bench show it.
      name: SQLITE_WRITER_THREAD_NAME,
    });
    // An idle writer must not keep a finished process alive; one with a group in flight must.
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      waiting.resolve(reply);
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error: unknown) =>
      fail(error instanceof Error ? error : new Error(String(error))),
    );
    worker.on('exit', (code) => fail(new Error(`event store writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}

/**
 * The thread's entry. A build runs the compiled `.js`; tests and `test/bench/run.js` run the
 * TypeScript sources, which a thread cannot load by itself: it then transpiles them on
 * require with SWC and the repo's `.swcrc`, as jest does.
 */
function workerSource(): string {
  const ext = extname(__filename);
  const entry = join(__dirname, `sqlite-writer.thread${ext}`);
  if (ext !== '.ts') return `require(${JSON.stringify(entry)});`;
  let root = __dirname;
  while (!existsSync(join(root, '.swcrc'))) {
    if (dirname(root) === root) throw new Error('no .swcrc above the event store sources');
    root = dirname(root);
  }
  const swc = {
    ...(JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8')) as object),
    swcrc: false,
  };
  return `
    const fs = require('node:fs');
    const { transformSync } = require(require.resolve('@swc/core', { paths: [${JSON.stringify(root)}] }));
    const swc = ${JSON.stringify(swc)};
    require.extensions['.ts'] = (module, filename) => {
      const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swc, filename });
      module._compile(code, filename);
    };
    require(${JSON.stringify(entry)});
  `;
}
