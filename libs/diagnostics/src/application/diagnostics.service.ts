import type { CheckpointStore, EventStore } from '@authtrail/event-store';
import type { Clock, Metrics, WorkerStatusBoard } from '@authtrail/platform';
import {
  DiagnosticsBundle,
  StoreHealth,
  WorkerLag,
  WorkerOverview,
  countByType,
  sortedCounts,
} from '../domain/diagnostics-bundle';
import type { RecentErrors } from '../domain/recent-errors';

/** Where the diagnostics come from: ports and plain values, wired by the module. */
export interface DiagnosticsSources {
  readonly build: DiagnosticsBundle['build'];
  /** Already redacted (`redactConfig`). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly store: EventStore;
  /** A cheap read of the key vault (credentials live in the same database). */
  readonly keyVaultProbe: () => Promise<unknown>;
  /** The projector's checkpoint, kept with the read model. */
  readonly projectorCheckpoint: () => Promise<number>;
  readonly checkpoints: CheckpointStore;
  /** Workers that keep their place in the checkpoint store, and whether each one is on. */
  readonly checkpointWorkers: readonly { readonly worker: string; readonly enabled: boolean }[];
  readonly metrics: Metrics;
  /**
   * Every worker the deployment has, whether its configuration runs it, and whether it
   * follows the log (has a position and a lag).
   */
  readonly knownWorkers?: readonly {
    readonly worker: string;
    readonly enabled: boolean;
    readonly followsLog: boolean;
  }[];
  /** What this process's workers report about themselves (running, retrying, parked). */
  readonly workers?: WorkerStatusBoard;
  readonly errors: RecentErrors;
  readonly clock: Clock;
  readonly startedAt: Date;
  /** How long the per-type count may scan the log before it answers with a partial count. */
  readonly scanBudgetMs?: number;
}

const SCAN_PAGE = 5000;
/** The projector keeps its checkpoint beside the read model, not in the checkpoint store. */
const PROJECTOR = 'projector';

/** Builds the support bundle of one tenant (`GET /v1/diagnostics`, `authtrail diagnostics`). */
export class DiagnosticsService {
  constructor(private readonly s: DiagnosticsSources) {}

  async bundle(tenantId: string): Promise<DiagnosticsBundle> {
    const now = this.s.clock.now();
    let head: number | null = null;
    let projector: number | null = null;
    const [eventStore, keyVault, readModel] = await Promise.all([
      this.probe(async () => void (head = await this.s.store.headPosition())),
      this.probe(() => this.s.keyVaultProbe()),
      this.probe(async () => void (projector = await this.s.projectorCheckpoint())),
    ]);
    return {
      generatedAt: now.toISOString(),
      tenantId,
      build: this.s.build,
      process: {
        startedAt: this.s.startedAt.toISOString(),
        uptimeSeconds: Math.round((now.getTime() - this.s.startedAt.getTime()) / 1000),
      },
      config: this.s.config,
      stores: { eventStore, keyVault, readModel },
      log: { headPosition: head },
      workers: {
        all: await this.overview(head, projector),
        lags: await this.lags(head, projector),
        statuses: this.s.workers?.list() ?? [],
        reportedLags: (await this.s.metrics.workerLag.get()).values.map((v) => ({
          worker: String(v.labels.worker),
          lag: v.value,
        })),
        errors: (await this.s.metrics.workerErrors.get()).values.map((v) => ({
          worker: String(v.labels.worker),
          retriable: v.labels.retriable === 'true',
          count: v.value,
        })),
      },
      eventCounts: eventStore.status === 'ok' ? await this.counts(tenantId) : this.noCounts(),
      recentErrors: this.s.errors.forTenant(tenantId),
    };
  }

  private async overview(head: number | null, projector: number | null): Promise<WorkerOverview[]> {
    const errors = (await this.s.metrics.workerErrors.get()).values;
    const out: WorkerOverview[] = [];
    for (const { worker, enabled, followsLog } of this.s.knownWorkers ?? []) {
      const status = enabled ? (this.s.workers?.get(worker) ?? null) : null;
      let position: number | null = null;
      if (enabled && followsLog)
        position =
          worker === PROJECTOR
            ? projector
            : (status?.position ?? (await this.s.checkpoints.load(worker).catch(() => null)));
      out.push({
        worker,
        enabled,
        state: !enabled ? 'off' : (status?.state ?? 'unknown'),
        since: status?.since ?? null,
        position,
        lag: head === null || position === null ? null : Math.max(0, head - position),
        lastError: status?.state === 'running' ? null : (status?.error ?? null),
        errors: errors.filter((v) => v.labels.worker === worker).reduce((n, v) => n + v.value, 0),
      });
    }
    return out;
  }

  private async lags(head: number | null, projector: number | null): Promise<WorkerLag[]> {
    const lag = (position: number | null) =>
      head === null || position === null ? null : Math.max(0, head - position);
    const state = (worker: string, position: number | null): WorkerLag['state'] =>
      position === null ? 'unknown' : (this.s.workers?.get(worker)?.state ?? 'running');
    const out: WorkerLag[] = [
      {
        worker: 'projector',
        state: state('projector', projector),
        position: projector,
        lag: lag(projector),
      },
    ];
    for (const { worker, enabled } of this.s.checkpointWorkers) {
      if (!enabled) {
        out.push({ worker, state: 'off', position: null, lag: null });
        continue;
      }
      const position = await this.s.checkpoints.load(worker).catch(() => null);
      out.push({
        worker,
        state: state(worker, position),
        position,
        lag: lag(position),
      });
    }
    return out;
  }

  private async counts(tenantId: string): Promise<DiagnosticsBundle['eventCounts']> {
    const budget = this.s.scanBudgetMs ?? 10_000;
    const started = Date.now();
    const counts = new Map<string, number>();
    let after = 0;
    let total = 0;
    for (;;) {
      const page = await this.s.store.readAll({ after, limit: SCAN_PAGE, tenantId });
      countByType(
        page.map((r) => r.type),
        counts,
      );
      total += page.length;
      if (page.length > 0) after = page[page.length - 1].position;
      if (page.length < SCAN_PAGE)
        return { byType: sortedCounts(counts), total, complete: true, scannedTo: after };
      if (Date.now() - started > budget)
        return { byType: sortedCounts(counts), total, complete: false, scannedTo: after };
    }
  }

  private noCounts(): DiagnosticsBundle['eventCounts'] {
    return { byType: {}, total: 0, complete: false, scannedTo: 0 };
  }

  private async probe(fn: () => Promise<unknown>): Promise<StoreHealth> {
    const started = performance.now();
    try {
      await fn();
      return { status: 'ok', ms: Math.round((performance.now() - started) * 10) / 10 };
    } catch (e) {
      const err = e as { name?: unknown; code?: unknown };
      const name = typeof err?.name === 'string' ? err.name : 'Error';
      const code =
        typeof err?.code === 'string' && /^[A-Z0-9_.]{1,64}$/.test(err.code) ? ` ${err.code}` : '';
      return {
        status: 'failing',
        ms: Math.round((performance.now() - started) * 10) / 10,
        error: `${name}${code}`,
      };
    }
  }
}
