/**
 * What a log-following worker (projector, SIEM forwarder, sealer…) is doing, for the
 * diagnostics bundle and the worker's health probe. Codes and positions only: an error's
 * message can echo data, so it stays in the process log.
 */
export interface WorkerStatus {
  readonly worker: string;
  /** `running`; `retrying` after a retriable failure (backing off); `parked`: stopped on a failure that retrying cannot fix. */
  readonly state: 'running' | 'retrying' | 'parked';
  /** When it entered this state (ISO 8601). */
  readonly since: string;
  /** Last log position it saved (its checkpoint) as far as it knows. */
  readonly position: number;
  /** Failed attempts in a row (retrying), or the attempt that parked it. */
  readonly attempts: number;
  /** Error class and stable code of the failure (`LedgerCorruptError LEDGER.CORRUPT`). */
  readonly error: string | null;
  /** First log position of the batch that failed, when a batch did. */
  readonly failedAt: number | null;
}

/** The error's class and code, nothing of its message. */
export function errorLabel(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown } | null;
  const name =
    typeof e?.name === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(e.name) ? e.name : 'Error';
  const code = typeof e?.code === 'string' && /^[A-Z0-9_.]{1,64}$/.test(e.code) ? ` ${e.code}` : '';
  return `${name}${code}`;
}

/** The latest status of each worker of this process. */
export class WorkerStatusBoard {
  private readonly byWorker = new Map<string, WorkerStatus>();

  set(status: WorkerStatus): void {
    this.byWorker.set(status.worker, status);
  }

  get(worker: string): WorkerStatus | null {
    return this.byWorker.get(worker) ?? null;
  }

  /** Every worker that reported, by name. */
  list(): WorkerStatus[] {
    return [...this.byWorker.values()].sort((a, b) => a.worker.localeCompare(b.worker));
  }
}

/**
 * The workers that make a process degraded: parked ones, and ones that have been retrying
 * for longer than `afterMs` (a broker or database out of reach that long is not a blip).
 * A degraded process still serves what it can: its health answers 200 with status
 * `degraded` and these workers, so probes do not restart it for an outage a restart
 * cannot fix, while monitoring sees it.
 */
export function degradedWorkers(
  statuses: readonly WorkerStatus[],
  now: Date,
  afterMs: number,
): WorkerStatus[] {
  return statuses.filter(
    (s) =>
      s.state === 'parked' ||
      (s.state === 'retrying' && now.getTime() - Date.parse(s.since) >= afterMs),
  );
}
