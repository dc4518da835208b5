import type { Metrics, WorkerStatus } from '@authtrail/platform';
import { WorkerStatusBoard } from '@authtrail/platform';

/**
 * The messages between `authtrail serve`'s API thread and its workers' thread
 * (workers-thread.ts hosts it, workers.thread.ts is its entry). Plain data only: they
 * cross as structured clones.
 */
export type ExecutorOp = 'query' | 'insert' | 'command';

export type ToWorkers =
  /** A call of the ClickHouse executor the workers' thread owns (reports, erasure, admin). */
  | { readonly t: 'call'; readonly id: number; readonly op: ExecutorOp; readonly args: unknown[] }
  | { readonly t: 'start-jobs' }
  | { readonly t: 'stop' };

export type FromWorkers =
  | { readonly t: 'opened' }
  | { readonly t: 'jobs-started' }
  /** Opening the app or starting the jobs failed: the thread ends. */
  | { readonly t: 'failed'; readonly error: CarriedError }
  | {
      readonly t: 'reply';
      readonly id: number;
      readonly value?: unknown;
      readonly error?: CarriedError;
    }
  /** A metric update of a worker, applied to the API thread's registry (`/metrics`). */
  | {
      readonly t: 'metric';
      readonly name: string;
      readonly method: MetricMethod;
      readonly args: unknown[];
    }
  /** A worker's status, mirrored on the API thread's board (`/healthz`, diagnostics). */
  | { readonly t: 'status'; readonly status: WorkerStatus }
  | { readonly t: 'stopped'; readonly error?: CarriedError };

/** An error as it crosses: class name, stable code and message (logged, never shown). */
export interface CarriedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export function carry(error: unknown): CarriedError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | null;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}

/** The error again on this side, with its name and code (what logs and labels use). */
export function revive(carried: CarriedError): Error {
  const error = new Error(carried.message);
  error.name = carried.name;
  if (carried.code !== undefined) Object.assign(error, { code: carried.code });
  return error;
}

const METRIC_METHODS = ['inc', 'dec', 'set', 'observe', 'reset'] as const;
export type MetricMethod = (typeof METRIC_METHODS)[number];

type Mutable = Partial<Record<MetricMethod, (...args: unknown[]) => unknown>>;

/** The metric objects of `metrics` (its counters, gauges and histograms), by field name. */
function metricFields(metrics: Metrics): [string, Mutable][] {
  return Object.entries(metrics as unknown as Record<string, unknown>).filter(
    (entry): entry is [string, Mutable] =>
      entry[0] !== 'registry' && typeof entry[1] === 'object' && entry[1] !== null,
  );
}

/**
 * Makes every update of `metrics` also `post`ed (the workers' side): the API thread
 * applies it to the process's registry, which `/metrics` and diagnostics read.
 */
export function mirrorMetrics(metrics: Metrics, post: (m: FromWorkers) => void): Metrics {
  for (const [name, metric] of metricFields(metrics))
    for (const method of METRIC_METHODS) {
      const original = metric[method];
      if (typeof original !== 'function') continue;
      metric[method] = (...args: unknown[]) => {
        post({ t: 'metric', name, method, args });
        return original.apply(metric, args);
      };
    }
  return metrics;
}

/** Applies a mirrored update (the API's side); an unknown metric or method is ignored. */
export function applyMetric(metrics: Metrics, m: Extract<FromWorkers, { t: 'metric' }>): void {
  if (!(METRIC_METHODS as readonly string[]).includes(m.method)) return;
  const metric = metricFields(metrics).find(([name]) => name === m.name)?.[1];
  // Called as a method: prom-client's metrics use `this`.
  metric?.[m.method]?.call(metric, ...m.args);
}

/** The workers' side of the board: each status is also `post`ed to the API thread's. */
export class MirroredStatusBoard extends WorkerStatusBoard {
  constructor(private readonly post: (m: FromWorkers) => void) {
    super();
  }

  override set(status: WorkerStatus): void {
    super.set(status);
    this.post({ t: 'status', status });
  }
}
