import type { Logger } from 'pino';

/**
 * Runs `tick` now and then every `intervalMs`, never overlapping itself. Failures are
 * logged and retried at the next tick, never swallowed silently.
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
  ) {}

  start(): this {
    this.schedule(0);
    return this;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => {
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
