import { EventCatalog } from '@authtrail/catalog';
import type { EventStore, RecordedEvent, Subscription } from '@authtrail/event-store';
import { readAhead } from '@authtrail/platform';
import type { ReadModelWriter } from './read-model.port';
import { Projection } from './projection';

/** What the projector reports about itself (wired to pino and Prometheus by the app). */
export interface ProjectorHooks {
  readonly onLag?: (lag: number) => void;
  readonly onError?: (error: unknown, retriable: boolean) => void;
  readonly onProgress?: (position: number, head: number) => void;
}

export interface ProjectorOptions {
  /** Largest batch read from the log and written at once (default 5000). */
  readonly batchSize?: number;
  /** Wait after new events arrive before reading them (see `SubscribeOptions.lingerMs`). Default 100 ms. */
  readonly lingerMs?: number;
  /** First retry delay after a failure; doubles up to 30 s (default 500 ms). */
  readonly retryDelayMs?: number;
}

const MAX_RETRY_MS = 30_000;

/**
 * Projects the event log into the read model. Follows the log from its checkpoint with a
 * catch-up subscription, writes each batch, and saves the checkpoint only after the
 * write: a crash replays at most one batch, and the read model's rows are idempotent, so
 * nothing is counted twice (DESIGN.md invariant 6).
 */
export class Projector {
  private readonly projection: Projection;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly retryDelayMs: number;
  private subscription: Subscription | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private running = false;
  private applied = 0;

  constructor(
    private readonly store: EventStore,
    private readonly model: ReadModelWriter,
    catalog: EventCatalog,
    private readonly hooks: ProjectorHooks = {},
    options: ProjectorOptions = {},
  ) {
    this.projection = new Projection(catalog);
    this.batchSize = options.batchSize ?? 5000;
    this.lingerMs = options.lingerMs ?? 100;
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  /** Last log position written to the read model. */
  get position(): number {
    return this.applied;
  }

  /** Starts following the log from the saved checkpoint. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // A read model that is down at start is retried with backoff, like any failed batch.
    await this.follow();
  }

  /** Stops following; resolves once no batch is being written. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const sub = this.subscription;
    this.subscription = null;
    await sub?.close();
  }

  /** Writes one batch of the log (in order) and then saves the checkpoint. */
  async apply(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const step of this.projection.steps(events)) {
      if (step.kind === 'rows') await this.model.write(step.rows);
      else if (step.kind === 'erase-subject') await this.model.eraseSubject(step.erasure);
      else await this.model.deleteTenant(step.deletion);
    }
    const last = events[events.length - 1].position;
    await this.model.saveCheckpoint(last);
    this.applied = last;
  }

  /**
   * Reads the log from the checkpoint to its current head and writes it (no
   * subscription). Returns the position reached.
   */
  async catchUp(): Promise<number> {
    this.applied = await this.model.loadCheckpoint();
    const head = await this.store.headPosition();
    this.hooks.onProgress?.(this.applied, head);
    let events = await this.store.readAll({ after: this.applied, limit: this.batchSize });
    while (events.length > 0) {
      const last = events[events.length - 1].position;
      // The next batch is read while this one's inserts run in ClickHouse (on its own
      // threads): reading and projecting overlap writing. The log is append-only, so
      // reading ahead cannot change what is written; batches are still applied in order.
      const next = await readAhead(this.apply(events), () =>
        last < head ? this.store.readAll({ after: last, limit: this.batchSize }) : [],
      );
      this.hooks.onProgress?.(this.applied, head);
      events = next;
    }
    this.hooks.onLag?.(Math.max(0, (await this.store.headPosition()) - this.applied));
    return this.applied;
  }

  /** Empties the read model and projects the whole log again from position zero. */
  async rebuild(): Promise<number> {
    await this.model.reset();
    this.applied = 0;
    return this.catchUp();
  }

  /** Resolves once everything appended before the call is in the read model. */
  async waitForHead(timeoutMs = 30_000): Promise<void> {
    const target = await this.store.headPosition();
    const deadline = Date.now() + timeoutMs;
    while (this.applied < target) {
      if (Date.now() > deadline) {
        throw new Error(
          `projector did not reach position ${target} within ${timeoutMs} ms (at ${this.applied})`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async follow(): Promise<void> {
    if (!this.running) return;
    try {
      this.applied = await this.model.loadCheckpoint();
      this.hooks.onLag?.(Math.max(0, (await this.store.headPosition()) - this.applied));
    } catch (e) {
      this.fail(e);
      return;
    }
    this.subscription = this.store.subscribe({
      after: this.applied,
      batchSize: this.batchSize,
      // Each insert writes a part per table: a busy log is better read in few large batches.
      lingerMs: this.lingerMs,
      handler: async (events) => {
        await this.apply(events);
        this.failures = 0;
        this.hooks.onLag?.(Math.max(0, (await this.store.headPosition()) - this.applied));
      },
      onError: (e) => this.fail(e),
    });
  }

  /** Logs the failure and resubscribes from the saved checkpoint after a backoff. */
  private fail(error: unknown): void {
    this.failures += 1;
    const retriable = (error as { retriable?: unknown })?.retriable !== false;
    this.hooks.onError?.(error, retriable);
    const sub = this.subscription;
    this.subscription = null;
    if (!this.running) return;
    const delay = Math.min(MAX_RETRY_MS, this.retryDelayMs * 2 ** Math.min(this.failures - 1, 10));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void (sub?.close() ?? Promise.resolve()).then(() => this.follow());
    }, delay);
    this.retryTimer.unref();
  }
}
