import type { Lease, LeaseStore } from '../domain/lease.port';

/** A job started under a lease; stopped when the lease is lost or the process stops. */
export interface LeasedJob {
  stop(): Promise<void>;
}

export interface LeaseHandle {
  /** True while this process holds the lease and its job runs. */
  readonly active: boolean;
  /**
   * Resolves once the job first started. Without a lease store that is right away; a
   * standby replica's handle may never resolve it, so only the embedded mode awaits it.
   */
  readonly ready: Promise<void>;
  /** Stops the job (if running) and releases the lease. */
  stop(): Promise<void>;
}

export interface WorkerLeaseOptions {
  /** How long a lease lasts without renewal: the longest a dead replica blocks a handover. Default 5 s. */
  readonly ttlMs?: number;
  /** Renewal period; well under the TTL so one slow renewal does not lose the lease. Default ttl / 3. */
  readonly renewEveryMs?: number;
  /** How often a standby replica tries to take the lease. Default 1 s. */
  readonly acquireEveryMs?: number;
}

/** The few log calls the leases make (pino's Logger fits). */
export interface LeaseLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/**
 * Runs once-per-deployment jobs under leases. With a store (PostgreSQL), a job runs only
 * while this replica holds its lease: standbys poll, the holder renews, and a holder that
 * cannot renew within the TTL stops its job. Without a store (embedded mode, one process)
 * every job runs at once and `current` is null, so nothing is fenced.
 */
export class WorkerLeases {
  private readonly held = new Map<string, Lease>();
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly acquireEveryMs: number;

  constructor(
    private readonly store: LeaseStore | null,
    readonly holder: string,
    options: WorkerLeaseOptions = {},
    private readonly logger?: LeaseLogger,
  ) {
    this.ttlMs = options.ttlMs ?? 5000;
    this.renewEveryMs = options.renewEveryMs ?? Math.floor(this.ttlMs / 3);
    this.acquireEveryMs = options.acquireEveryMs ?? 1000;
  }

  /** True when jobs are coordinated through a lease store (scale-out mode). */
  get coordinated(): boolean {
    return this.store !== null;
  }

  /** The lease this replica holds under `name`, or null. */
  current(name: string): Lease | null {
    return this.held.get(name) ?? null;
  }

  /** Starts `start()` whenever this replica holds lease `name`, and stops it when it does not. */
  hold(name: string, start: () => Promise<LeasedJob>): LeaseHandle {
    const store = this.store;
    let stopped = false;
    let active = false;
    let job: LeasedJob | null = null;
    let wake: (() => void) | null = null;
    let started: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const sleep = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        wake = done;
      });

    if (store === null) {
      const running = start().then((j) => {
        job = j;
        active = true;
      });
      return {
        get active() {
          return active;
        },
        ready: running,
        stop: async () => {
          await running;
          active = false;
          await job?.stop();
        },
      };
    }

    const loop = async (): Promise<void> => {
      while (!stopped) {
        const lease = await store.tryAcquire(name, this.holder, this.ttlMs).catch(() => null);
        if (!lease) {
          await sleep(this.acquireEveryMs);
          continue;
        }
        let current: Lease = lease;
        this.held.set(name, current);
        this.logger?.info(
          { lease: name, token: current.token, holder: this.holder },
          'lease acquired',
        );
        try {
          job = await start();
          active = true;
          started();
        } catch (error) {
          this.held.delete(name);
          await store.release(current).catch(() => undefined);
          this.logger?.warn(
            { lease: name, err: { message: (error as Error)?.message } },
            'leased job failed to start',
          );
          await sleep(this.acquireEveryMs);
          continue;
        }
        let renewedAt = Date.now();
        let lost = false;
        while (!stopped) {
          await sleep(this.renewEveryMs);
          if (stopped) break;
          const renewed = await store.renew(current, this.ttlMs).catch(() => undefined);
          if (renewed) {
            current = renewed;
            this.held.set(name, current);
            renewedAt = Date.now();
          } else if (renewed === null || Date.now() - renewedAt >= this.ttlMs) {
            // Taken over, or unreachable for a whole TTL (another replica may hold it now).
            lost = true;
            break;
          }
        }
        // Fence first: from here on this replica's checkpoint writes are refused.
        this.held.delete(name);
        active = false;
        await job?.stop();
        job = null;
        if (lost) {
          this.logger?.warn({ lease: name, token: current.token }, 'lease lost; job stopped');
          continue;
        }
        await store.release(current).catch(() => undefined);
        this.logger?.info({ lease: name, token: current.token }, 'lease released');
      }
    };
    const running = loop();
    return {
      get active() {
        return active;
      },
      ready,
      stop: async () => {
        stopped = true;
        wake?.();
        await running;
      },
    };
  }
}
