import {
  START,
  streamNameFilter,
  type EventStoreDBClient,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../../domain/event-store.errors';
import type { RecordedEvent, SubscribeOptions, Subscription } from '../../domain/event-store.port';
import { translateEsdbError } from './esdb-errors';

/** Our numeric log position (a commit position) as the client's `$all` position. */
export function esdbPosition(at: number): Position {
  return { commit: BigInt(at), prepare: BigInt(at) };
}

/** How a dropped subscription comes back. */
export interface ReconnectPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly onReconnect?: (error: unknown, attempt: number) => void;
}

class HandlerFailed extends Error {
  constructor(readonly original: unknown) {
    super('subscription handler failed');
  }
}

/**
 * Catch-up subscription to `$all`, filtered on the server by our stream prefix. It hands
 * the handler batches of what is already buffered (up to `batchSize`), reads on only after
 * the handler resolved, and after a dropped connection (outage, leader change) subscribes
 * again from the last position the handler finished — at-least-once, never a gap, and an
 * event is repeated only if the process dies mid-batch.
 */
export class EsdbSubscription implements Subscription {
  private stopped = false;
  private wake: (() => void) | null = null;
  private cancel: (() => Promise<void>) | null = null;
  private running: Promise<void> = Promise.resolve();
  /** Last position the handler finished: where a reconnect resumes. */
  private after: number;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly prefix: string,
    private readonly decode: (e: ResolvedEvent['event']) => RecordedEvent | null,
    private readonly options: SubscribeOptions,
    private readonly reconnect: ReconnectPolicy,
    private readonly onEnd: () => void,
  ) {
    this.after = options.after;
  }

  start(): void {
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.cancel?.();
    await this.running;
  }

  private async run(): Promise<void> {
    const batchSize = Math.max(1, this.options.batchSize ?? 500);
    let attempt = 0;
    try {
      await Promise.resolve();
      while (!this.stopped) {
        try {
          await this.follow(batchSize, () => (attempt = 0));
        } catch (error) {
          if (error instanceof HandlerFailed) throw error.original;
          if (this.stopped) return;
          attempt++;
          this.reconnect.onReconnect?.(error, attempt);
          await this.pause(
            Math.min(this.reconnect.maxMs, this.reconnect.initialMs * 2 ** (attempt - 1)),
          );
        }
      }
    } catch (error) {
      this.stopped = true;
      this.options.onError?.(error);
    } finally {
      this.onEnd();
    }
  }

  /** One connection: returns when stopped, throws when it drops. */
  private async follow(batchSize: number, healthy: () => void): Promise<void> {
    const stream = this.client.subscribeToAll({
      fromPosition: this.after === 0 ? START : esdbPosition(this.after),
      filter: streamNameFilter({ prefixes: [this.prefix] }),
    });
    let signal: (() => void) | null = null;
    let ended = false;
    let failure: unknown = null;
    const notify = (): void => signal?.();
    stream.on('readable', notify);
    stream.on('end', () => ((ended = true), notify()));
    stream.on('close', () => ((ended = true), notify()));
    stream.on('error', (error: unknown) => ((failure = error), notify()));
    this.cancel = () => stream.unsubscribe();
    try {
      while (!this.stopped) {
        const batch: RecordedEvent[] = [];
        let item: ResolvedEvent | null;
        while (
          batch.length < batchSize &&
          (item = stream.read() as ResolvedEvent | null) !== null
        ) {
          const recorded = this.decode(item.event);
          // A reconnect may start at the last handled event again: drop what was handled.
          if (recorded && recorded.position > this.after) batch.push(recorded);
        }
        if (batch.length > 0) {
          try {
            await this.options.handler(batch);
          } catch (error) {
            throw new HandlerFailed(error);
          }
          this.after = batch[batch.length - 1].position;
          healthy();
          continue;
        }
        if (failure !== null) throw translateEsdbError(failure, 'subscription');
        if (ended) throw new EventStoreUnavailableError('subscription ended by the server');
        await new Promise<void>((resolve) => {
          signal = resolve;
          this.wake = resolve;
        });
        signal = null;
        this.wake = null;
      }
    } finally {
      this.cancel = null;
      if (!ended) await stream.unsubscribe().catch(() => undefined);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
