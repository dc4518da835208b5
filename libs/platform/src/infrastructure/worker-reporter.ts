import type { Logger } from 'pino';
import type { WorkerFailure, WorkerReporter } from '../application/worker-reporter';
import { WorkerStatusBoard, errorLabel } from '../domain/worker-status';
import type { Metrics } from './metrics';

export interface WorkerReporterSinks {
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly board?: WorkerStatusBoard;
  /** Clock for the board's `since` (default: the system clock). */
  readonly now?: () => Date;
}

/**
 * Reports a worker to the process log, `/metrics` (`authtrail_worker_lag_events`,
 * `authtrail_worker_errors_total`, `authtrail_worker_parked`,
 * `authtrail_worker_batch_duration_seconds`, `authtrail_worker_events_total`) and the
 * diagnostics board.
 * Log lines carry the error's message and code, never an event's content.
 */
export function createWorkerReporter(worker: string, sinks: WorkerReporterSinks): WorkerReporter {
  const { logger, metrics, board } = sinks;
  const now = sinks.now ?? (() => new Date());
  const err = (error: unknown) => ({
    message: (error as Error)?.message,
    code: (error as { code?: unknown })?.code,
  });
  const status = (
    state: 'running' | 'retrying' | 'parked',
    position: number,
    failure?: WorkerFailure,
  ): void => {
    // `since` is when the worker entered this state: a retry after a retry keeps the
    // first failure's time, so the health check can tell an outage from a blip.
    const before = board?.get(worker);
    board?.set({
      worker,
      state,
      since: before?.state === state ? before.since : now().toISOString(),
      position,
      attempts: failure?.attempt ?? 0,
      error: failure ? errorLabel(failure.error) : null,
      failedAt: failure?.failedAt ?? null,
    });
  };
  return {
    lag: (events) => metrics?.workerLag.set({ worker }, events),
    batch: (events, seconds) => {
      metrics?.workerBatchSeconds.observe({ worker }, seconds);
      metrics?.workerEvents.inc({ worker }, events);
    },
    running: (position) => {
      const before = board?.get(worker);
      if (before?.state === 'retrying')
        logger.info(
          { worker, position, attempts: before.attempts },
          `${worker} is running again after ${before.attempts} failed attempts`,
        );
      metrics?.workerParked.set({ worker }, 0);
      status('running', position);
    },
    retrying: (failure) => {
      metrics?.workerErrors.inc({ worker, retriable: 'true' });
      logger.warn(
        {
          worker,
          attempt: failure.attempt,
          retryInMs: failure.delayMs,
          position: failure.position,
          failedAt: failure.failedAt,
          err: err(failure.error),
        },
        `${worker} failed; retrying from its checkpoint`,
      );
      status('retrying', failure.position, failure);
    },
    parked: (failure) => {
      metrics?.workerErrors.inc({ worker, retriable: 'false' });
      metrics?.workerParked.set({ worker }, 1);
      logger.error(
        {
          worker,
          position: failure.position,
          failedAt: failure.failedAt,
          err: err(failure.error),
        },
        `${worker} parked: the failure is not retriable, so it stopped at its checkpoint until restarted`,
      );
      status('parked', failure.position, failure);
    },
  };
}
