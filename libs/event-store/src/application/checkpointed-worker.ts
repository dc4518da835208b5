import { readAhead, type WorkerReporter } from '@authtrail/platform';
import type { CheckpointStore } from '../domain/checkpoint-store.port';
import type { EventStore, RecordedEvent, Subscription } from '../domain/event-store.port';

/** What a worker does with the log; the runtime does the rest (checkpoint, retries, parking). */
export interface WorkerHandler {
  /**
   * One batch, in log order. A failure is retried (from the checkpoint, after a backoff)
   * only when the error says `retriable: true` (`AppError`); any other failure parks the
   * worker: a bug or a bad event fails the same way every time, so retrying would loop.
   */
  handle(events: readonly RecordedEvent[]): Promise<void>;
  /** Makes pending work durable before the checkpoint moves (see `saveAfter`). */
  flush?(): Promise<void>;
  /** Forgets what was built since the last saved checkpoint (the runtime starts over from it). */
  reset?(): void;
}

/**
 * `follow`: a catch-up subscription, each batch as it arrives; `everyMs`: a pass from the
 * checkpoint to the head now and then every `everyMs`.
 */
export type WorkerTrigger =
  { readonly follow: true; readonly lingerMs?: number } | { readonly everyMs: number };

export interface CheckpointedWorkerOptions {
  /** The worker's name: its checkpoint, its lease, its metrics label. */
  readonly name: string;
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly handler: WorkerHandler;
  readonly trigger: WorkerTrigger;
  readonly reporter?: WorkerReporter;
  /** Largest batch read from the log at once; default 1000. */
  readonly batchSize?: number;
  /**
   * When a pass saves the checkpoint: after every batch (default), or once at the end of
   * the pass, after `flush` (a sealer seals what it gathered only there). Following always
   * saves after every batch.
   */
  readonly saveAfter?: 'batch' | 'pass';
  /** First pause after a retriable failure; doubles up to `retryMaxMs`. Defaults 500 ms, 30 s. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** How often the lag is refreshed while following (idle or retrying); default 5 s. */
  readonly lagIntervalMs?: number;
  /** Runs before the first batch and is retried like one until it succeeds (connecting a destination). */
  readonly prepare?: () => Promise<void>;
}

/** A failure of the handler, with where its batch started. */
class HandlerFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly failedAt: number | null,
  ) {
    super('worker handler failed');
  }
}

/**
 * Whether the runtime retries a failure. The handler's own failures must say so
 * (`retriable: true`); failures of the log, the checkpoint store or `prepare` are the
 * stores' I/O and are retried unless they say `retriable: false`.
 */
export function isRetriable(failure: unknown): boolean {
  if (failure instanceof HandlerFailure)
    return (failure.error as { retriable?: unknown })?.retriable === true;
  return (failure as { retriable?: unknown })?.retriable !== false;
}

/**
 * The one runtime of the workers that follow the global log from a checkpoint (projector,
 * SIEM forwarder, sealer; STYLE.md "Workers retry what is retriable with backoff, park
 * what is not"): load the checkpoint, read or subscribe, hand each batch to the handler,
 * save the checkpoint only after it succeeded (at-least-once; handlers are idempotent).
 * A retriable failure starts over from the saved checkpoint after a backoff; any other
 * parks the worker at its checkpoint, reported once (log line, metric, diagnostics), and
 * nothing runs until it is started again. A restart resumes from the checkpoint.
 */
export class CheckpointedWorker {
  private readonly batchSize: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly lagIntervalMs: number;
  private loop: Promise<void> | null = null;
  private active = false;
  private prepared = false;
  private saved = 0;
  private parkedOn: unknown = null;
  private subscription: Subscription | null = null;
  private endFollowing: (() => void) | null = null;
  private wake: (() => void) | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private passes: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: CheckpointedWorkerOptions) {
    this.batchSize = Math.max(1, o.batchSize ?? 1000);
    this.retryInitialMs = o.retryInitialMs ?? 500;
    this.retryMaxMs = o.retryMaxMs ?? 30_000;
    this.lagIntervalMs = o.lagIntervalMs ?? 5000;
  }

  get name(): string {
    return this.o.name;
  }

  /** Last log position whose batch was handled and checkpointed by this instance (or loaded). */
  get position(): number {
    return this.saved;
  }

  /** True while started and not parked. */
  get running(): boolean {
    return this.active && this.parkedOn === null;
  }

  /** The failure it parked on, or null. */
  get parked(): unknown {
    return this.parkedOn;
  }

  /** Starts in the background; a store that is down at start is retried, not an error. */
  start(): void {
    // A parked worker's loop has ended: starting it again resumes from its checkpoint.
    if (this.loop !== null && this.parkedOn === null) return;
    this.active = true;
    this.parkedOn = null;
    const trigger = this.o.trigger;
    this.loop =
      'follow' in trigger ? this.follow(trigger.lingerMs ?? 0) : this.every(trigger.everyMs);
    if ('follow' in trigger) {
      this.lagTimer = setInterval(() => void this.refreshLag(), this.lagIntervalMs);
      this.lagTimer.unref();
    }
  }

  /** Stops; resolves once no batch is being handled. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = null;
    this.wake?.();
    this.endFollowing?.();
    const sub = this.subscription;
    this.subscription = null;
    await sub?.close();
    await this.loop;
    this.loop = null;
  }

  /**
   * One pass from the checkpoint to the current head, without a subscription; resolves
   * with the position reached. Failures are the caller's (nothing is retried or parked).
   * Passes never overlap.
   */
  async runOnce(): Promise<number> {
    try {
      return await this.serialisedPass();
    } catch (failure) {
      throw failure instanceof HandlerFailure ? failure.error : failure;
    }
  }

  /** Handles one batch (in log order) now, then saves the checkpoint at its last event. */
  async process(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.o.handler.handle(events);
    await this.o.handler.flush?.();
    await this.save(events[events.length - 1].position);
  }

  private async follow(lingerMs: number): Promise<void> {
    let attempt = 0;
    while (this.active) {
      try {
        if (!this.prepared) {
          await this.o.prepare?.();
          this.prepared = true;
        }
        this.saved = await this.o.checkpoints.load(this.o.name);
        this.o.handler.reset?.();
        await this.refreshLag();
        if (attempt === 0) this.o.reporter?.running?.(this.saved);
        await new Promise<void>((resolve, reject) => {
          this.endFollowing = resolve;
          if (!this.active) return resolve();
          this.subscription = this.o.store.subscribe({
            after: this.saved,
            batchSize: this.batchSize,
            lingerMs,
            handler: async (events) => {
              const started = performance.now();
              await this.guarded(events[0]?.position ?? null, () => this.o.handler.handle(events));
              await this.guarded(events[0]?.position ?? null, () =>
                this.o.handler.flush ? this.o.handler.flush() : Promise.resolve(),
              );
              if (events.length > 0) {
                await this.save(events[events.length - 1].position);
                this.o.reporter?.batch?.(events.length, (performance.now() - started) / 1000);
              }
              if (attempt > 0) {
                attempt = 0;
                this.o.reporter?.running?.(this.saved);
              }
              await this.refreshLag();
            },
            onError: reject,
          });
        });
        this.endFollowing = null;
      } catch (failure) {
        this.endFollowing = null;
        const sub = this.subscription;
        this.subscription = null;
        await sub?.close().catch(() => undefined);
        if (!this.active) return;
        attempt += 1;
        if (!(await this.failed(failure, attempt))) return;
      }
    }
  }

  private async every(everyMs: number): Promise<void> {
    let attempt = 0;
    this.o.reporter?.running?.(this.saved);
    while (this.active) {
      try {
        await this.serialisedPass();
        if (attempt > 0) {
          attempt = 0;
          this.o.reporter?.running?.(this.saved);
        }
        await this.sleep(everyMs);
      } catch (failure) {
        if (!this.active) return;
        attempt += 1;
        if (!(await this.failed(failure, attempt))) return;
      }
    }
  }

  /** Backs off and returns true for a retriable failure; parks and returns false otherwise. */
  private async failed(failure: unknown, attempt: number): Promise<boolean> {
    const error = failure instanceof HandlerFailure ? failure.error : failure;
    const failedAt = failure instanceof HandlerFailure ? failure.failedAt : null;
    if (!isRetriable(failure)) {
      this.parkedOn = error;
      this.o.reporter?.parked?.({ error, attempt, position: this.saved, failedAt });
      return false;
    }
    const delayMs = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(attempt - 1, 20));
    this.o.reporter?.retrying?.({ error, attempt, position: this.saved, failedAt, delayMs });
    await this.sleep(delayMs);
    await this.refreshLag();
    return true;
  }

  private serialisedPass(): Promise<number> {
    const pass = this.passes.catch(() => undefined).then(() => this.pass());
    this.passes = pass;
    return pass;
  }

  private async pass(): Promise<number> {
    const { store, handler, reporter } = this.o;
    const perBatch = (this.o.saveAfter ?? 'batch') === 'batch';
    const from = await this.o.checkpoints.load(this.o.name);
    this.saved = from;
    handler.reset?.();
    const head = await store.headPosition();
    reporter?.progress?.(from, head);
    const read = (after: number) =>
      after < head
        ? store
            .readAll({ after, limit: Math.min(this.batchSize, head - after) })
            .then((events) => events.filter((e) => e.position <= head))
        : Promise.resolve([]);
    let after = from;
    let events = await read(after);
    while (events.length > 0) {
      const batch = events;
      const last = batch[batch.length - 1].position;
      // The next batch is read while this one is handled (a ClickHouse insert, appending a
      // seal): the log is append-only, so reading ahead cannot change what is handled, and
      // batches are still handled one at a time, in order.
      events = await readAhead(
        (async () => {
          const started = performance.now();
          await this.guarded(batch[0].position, () => handler.handle(batch));
          if (perBatch) {
            await this.guarded(batch[0].position, () => handler.flush?.() ?? Promise.resolve());
            await this.save(last);
          }
          reporter?.batch?.(batch.length, (performance.now() - started) / 1000);
        })(),
        () => read(last),
      );
      after = last;
      reporter?.progress?.(after, head);
    }
    if (!perBatch) {
      await this.guarded(null, () => handler.flush?.() ?? Promise.resolve());
      if (after > from) await this.save(after);
    }
    await this.refreshLag();
    return this.saved;
  }

  private async save(position: number): Promise<void> {
    await this.o.checkpoints.save(this.o.name, position);
    this.saved = position;
  }

  private async guarded(failedAt: number | null, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      throw new HandlerFailure(error, failedAt);
    }
  }

  private async refreshLag(): Promise<void> {
    if (this.o.reporter?.lag === undefined) return;
    try {
      this.o.reporter.lag(Math.max(0, (await this.o.store.headPosition()) - this.saved));
    } catch {
      // The store is closing or down: the gauge keeps its last value.
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.active) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
