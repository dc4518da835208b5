/** Where a failed batch or pass stood: the saved checkpoint, and the batch that failed. */
export interface WorkerFailure {
  readonly error: unknown;
  /** Failed attempts in a row, this one included. */
  readonly attempt: number;
  /** The worker's saved checkpoint (it starts over from there). */
  readonly position: number;
  /** First log position of the batch that failed; null when no batch did (connecting, loading the checkpoint). */
  readonly failedAt: number | null;
}

/**
 * What a checkpointed worker tells about itself; the app wires it to the log, `/metrics`
 * and the diagnostics (`createWorkerReporter`). Every method is optional.
 */
export interface WorkerReporter {
  /** Events in the log after its checkpoint. */
  lag?(events: number): void;
  /** A batch of `events` was handled and checkpointed in `seconds`. */
  batch?(events: number, seconds: number): void;
  /** A pass to the head moved on (catching up). */
  progress?(position: number, head: number): void;
  /** Following the log from `position` (started, or after a retry). */
  running?(position: number): void;
  /** A retriable failure: it starts over from its checkpoint after `delayMs`. */
  retrying?(failure: WorkerFailure & { readonly delayMs: number }): void;
  /** A failure that retrying cannot fix: it stopped, and stays stopped until restarted. */
  parked?(failure: WorkerFailure): void;
}
