import type { Logger } from 'pino';
import { type WorkerStatusBoard, errorLabel } from '@authtrail/platform';

/**
 * Runs `tick` now and then every `intervalMs`, never overlapping itself. Failures are
 * logged and retried at the next tick, never swallowed silently; with a board, each tick
 * reports the job `running` or `retrying` (since its first failure, with the error's class
 * and code) to the diagnostics bundle and `/healthz`.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
    private readonly logger: Logger,
    private readonly onError?: (error: unknown) => void,
    private readonly board?: WorkerStatusBoard,
  ) {}

  private report(error: unknown): void {
    if (this.board === undefined) return;
    const before = this.board.get(this.name);
    const state = error === null ? 'running' : 'retrying';
    this.board.set({
      worker: this.name,
      state,
      since: before?.state === state ? before.since : new Date().toISOString(),
      position: 0,
      attempts: error === null ? 0 : (before?.state === 'retrying' ? before.attempts : 0) + 1,
      error: error === null ? null : errorLabel(error),
      failedAt: null,
    });
  }

  start(): this {
    this.schedule(0);
    return this;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => this.report(null))
        .catch((error: unknown) => {
          this.report(error);
          this.onError?.(error);
          this.logger.error(
            { job: this.name, err: { message: (error as Error)?.message } },
            'job failed; retrying at next tick',
          );
        })
        .finally(() => {
          this.running = null;
          this.schedule(this.intervalMs);
        });
    }, delay);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
