import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { AppConfig } from '@authtrail/config';
import { Metrics, WorkerStatusBoard } from '@authtrail/platform';
import {
  ReadModelUnavailableError,
  type ClickHouseExecutor,
  type SqlParams,
  type SqlRow,
} from '@authtrail/reporting';
import { ExecutorOp, FromWorkers, ToWorkers, applyMetric, revive } from './protocol';
import type { WorkersThreadData } from './workers.thread';

/** Name of the workers' thread (its OS thread name too). */
export const WORKERS_THREAD_NAME = 'workers';

export interface WorkersThreadOptions {
  readonly config: AppConfig;
  /** The API thread's registry and board: the workers' updates land in them. */
  readonly metrics: Metrics;
  readonly board: WorkerStatusBoard;
  readonly logger: Logger;
  /** Called when the thread ends without being stopped (a crash): serve exits. */
  readonly onCrash: (error: Error) => void;
  /** The entry's compiled file (default: workers.thread.js beside this one). */
  readonly entry?: string;
}

/**
 * `authtrail serve`'s workers on a thread of their own (issue #15): the projector, the SIEM
 * forwarder, the sealer and the other background jobs ran their JavaScript on the event
 * loop that ingest saturates, and fell ~100k events behind a 30 s burst of batches. On
 * their own thread they get their share of the cores from the OS scheduler instead.
 *
 * The thread owns the read model's ClickHouse (the embedded engine allows one opener per
 * process): `clickhouse` is the API's way to it, for reports, audit queries and erasure.
 * It opens its own connections to the log and the vault, as `apps/worker` does, and the
 * workers' metrics and statuses are mirrored into the API thread's registry and board.
 */
export class WorkersThread {
  /** The read model's ClickHouse, owned by the thread (closing it is the thread's). */
  readonly clickhouse: ClickHouseExecutor;
  private worker: Worker | null = null;
  /** Messages sent before the thread started. */
  private readonly queued: ToWorkers[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private opened: Promise<void> | null = null;
  private jobsStarted: Promise<void> | null = null;
  private stopped: Promise<void> | null = null;
  private ended: Error | null = null;
  private readonly waiters = new Map<
    FromWorkers['t'],
    { resolve: (m: FromWorkers) => void; reject: (e: Error) => void }
  >();

  constructor(private readonly options: WorkersThreadOptions) {
    this.clickhouse = new ThreadClickHouseExecutor((op, args) => this.call(op, args));
  }

  /**
   * Starts the thread; resolves once its app has opened the stores (and so answers
   * ClickHouse calls; those made before wait). Start it after the API's app has opened
   * the same stores: that one creates and migrates them, and the master key on a first
   * start, alone.
   */
  start(): Promise<void> {
    if (this.opened) return this.opened;
    const workerData: WorkersThreadData = { config: this.options.config };
    const worker = new Worker(this.options.entry ?? join(__dirname, 'workers.thread.js'), {
      workerData,
      // Also the OS thread's name (≤ 15 characters), as `top -H` and the bench show it.
      name: WORKERS_THREAD_NAME,
    });
    this.worker = worker;
    this.opened = this.next('opened').then(() => undefined);
    worker.on('message', (m: FromWorkers) => this.receive(m));
    worker.on('error', (error: Error) => this.end(error));
    worker.on('exit', (code) => this.end(new Error(`the workers' thread exited (${code})`)));
    for (const m of this.queued.splice(0)) worker.postMessage(m);
    return this.opened;
  }

  /** Starts the background jobs (after the API listens, as in the single-loop layout). */
  startJobs(): Promise<void> {
    this.jobsStarted ??= this.start().then(() => {
      const started = this.next('jobs-started');
      this.send({ t: 'start-jobs' });
      return started.then(() => undefined);
    });
    return this.jobsStarted;
  }

  /** Stops the jobs (the sealer seals the tail), closes the thread's stores, ends it. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const worker = this.worker;
      if (this.ended || !worker) return;
      const done = this.next('stopped');
      this.send({ t: 'stop' });
      const m = await done;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      await Promise.race([exited, delay(2000).then(() => worker.terminate())]);
      if (m.t === 'stopped' && m.error) throw revive(m.error);
    })();
    return this.stopped;
  }

  private call(op: ExecutorOp, args: unknown[]): Promise<unknown> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ t: 'call', id, op, args });
    });
  }

  private send(m: ToWorkers): void {
    if (this.worker) this.worker.postMessage(m);
    else this.queued.push(m);
  }

  private next(t: FromWorkers['t']): Promise<FromWorkers> {
    return new Promise((resolve, reject) => {
      if (this.ended) {
        reject(this.ended);
        return;
      }
      this.waiters.set(t, { resolve, reject });
    });
  }

  private receive(m: FromWorkers): void {
    switch (m.t) {
      case 'reply': {
        const call = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) call?.reject(revive(m.error));
        else call?.resolve(m.value);
        return;
      }
      case 'metric':
        applyMetric(this.options.metrics, m);
        return;
      case 'status':
        this.options.board.set(m.status);
        return;
      case 'failed':
        this.end(revive(m.error));
        return;
      default: {
        const waiter = this.waiters.get(m.t);
        this.waiters.delete(m.t);
        waiter?.resolve(m);
      }
    }
  }

  /** The thread ended or failed: every call and wait fails; unless stopping, a crash. */
  private end(error: Error): void {
    if (this.ended) return;
    const expected = this.stopped !== null;
    this.ended = error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
    // A thread that failed may still be running (a failed start): nothing more runs there.
    void this.worker?.terminate();
    if (!expected) {
      this.options.logger.error({ err: error }, "the workers' thread ended");
      this.options.onCrash(error);
    }
  }
}

/** The ClickHouse executor of the API thread: each call runs on the workers' thread. */
class ThreadClickHouseExecutor implements ClickHouseExecutor {
  constructor(private readonly call: (op: ExecutorOp, args: unknown[]) => Promise<unknown>) {}

  async query<T = SqlRow>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await this.through('query', [sql, params])) as T[];
  }

  async insert(table: string, rows: readonly SqlRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.through('insert', [table, rows]);
  }

  async command(sql: string, params?: SqlParams): Promise<void> {
    await this.through('command', [sql, params]);
  }

  /** The thread closes its ClickHouse when it stops. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private async through(op: ExecutorOp, args: unknown[]): Promise<unknown> {
    try {
      return await this.call(op, args);
    } catch (e) {
      throw new ReadModelUnavailableError(e);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
