import type { WorkerStatus } from '@authtrail/platform';
import type { RecentError } from './recent-errors';

/** Health of one store, as measured when the bundle was made. */
export interface StoreHealth {
  readonly status: 'ok' | 'failing';
  readonly ms: number;
  /** Error class and code only: vendor messages can echo data. */
  readonly error?: string;
}

/** How far a worker is behind the head of the log (positions are global log positions). */
export interface WorkerLag {
  readonly worker: string;
  /** `retrying` / `parked` as this process's worker reported (see `workers.statuses`). */
  readonly state: 'running' | 'retrying' | 'parked' | 'off' | 'unknown';
  readonly position: number | null;
  readonly lag: number | null;
}

/** One worker of the deployment as support sees it: every worker, on or off, in one list. */
export interface WorkerOverview {
  readonly worker: string;
  /** Whether this deployment's configuration runs it at all. */
  readonly enabled: boolean;
  /**
   * `off` (not configured), `unknown` (configured, but no report from it in this process:
   * it runs on another replica, holds no lease here, or has not started), else its own
   * report: `running`, `retrying` (since its first failure), `parked`.
   */
  readonly state: 'running' | 'retrying' | 'parked' | 'off' | 'unknown';
  /** When it entered that state. */
  readonly since: string | null;
  /** Log followers: the last position they saved, and how far behind the log's head that is. */
  readonly position: number | null;
  readonly lag: number | null;
  /** Its failure now (error class and code), while retrying or parked. */
  readonly lastError: string | null;
  /** Failures counted since this process started (`authtrail_worker_errors_total`). */
  readonly errors: number;
}

/**
 * What `GET /v1/diagnostics` and `authtrail diagnostics` hand to support. Pseudonymous by
 * construction (seed 001: telemetry is pseudonymous, logs identify people): counts, codes,
 * positions, the redacted configuration; tenant ids and key ids, never a person.
 */
export interface DiagnosticsBundle {
  readonly generatedAt: string;
  readonly tenantId: string;
  readonly build: {
    readonly name: string;
    readonly version: string;
    readonly node: string;
    readonly platform: string;
  };
  readonly process: { readonly startedAt: string; readonly uptimeSeconds: number };
  readonly config: Readonly<Record<string, unknown>>;
  readonly stores: Readonly<Record<'eventStore' | 'keyVault' | 'readModel', StoreHealth>>;
  readonly log: { readonly headPosition: number | null };
  readonly workers: {
    /** Every worker of the deployment (projector, forwarder, sealer, retention, Entra…). */
    readonly all: readonly WorkerOverview[];
    readonly lags: readonly WorkerLag[];
    /**
     * What each worker of this process last reported: running, retrying after a
     * retriable failure, or parked on one that is not (error class and code, the
     * checkpoint it stopped at, the batch that failed).
     */
    readonly statuses: readonly WorkerStatus[];
    /** What running workers last reported to the metrics registry. */
    readonly reportedLags: readonly { readonly worker: string; readonly lag: number }[];
    readonly errors: readonly {
      readonly worker: string;
      readonly retriable: boolean;
      readonly count: number;
    }[];
  };
  /** The tenant's own stored events by type (data, privacy, tenant, access, ledger). */
  readonly eventCounts: {
    readonly byType: Readonly<Record<string, number>>;
    readonly total: number;
    /** False when the scan stopped at its time budget; `scannedTo` says how far it got. */
    readonly complete: boolean;
    readonly scannedTo: number;
  };
  readonly recentErrors: {
    readonly items: readonly RecentError[];
    /** Entries of other tenants or of unauthenticated callers in the ring (not shown). */
    readonly otherCount: number;
    readonly recordedTotal: number;
  };
}

/** Counts record types into a sorted object (stable output for diffs between bundles). */
export function countByType(types: Iterable<string>, into: Map<string, number>): void {
  for (const t of types) into.set(t, (into.get(t) ?? 0) + 1);
}

export function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
