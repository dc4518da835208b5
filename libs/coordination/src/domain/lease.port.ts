import { AppError } from '@authtrail/platform';

/**
 * A time-bound right to run a once-per-deployment worker (DESIGN.md "Scale-out"). `token`
 * is the fencing token: it grows with every new holder, and a store accepts a write only
 * with the token that is current there.
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly token: number;
  readonly expiresAt: Date;
}

/** Where leases live. Expiry is judged by the store's clock, never by a replica's. */
export interface LeaseStore {
  /** Takes the lease when it is free or expired (with a new, larger token); null when another holder has it. */
  tryAcquire(name: string, holder: string, ttlMs: number): Promise<Lease | null>;
  /** Extends a lease still held with the same token; null when it was taken over. */
  renew(lease: Lease, ttlMs: number): Promise<Lease | null>;
  /** Gives the lease up at once (the token is kept, so the next one is larger). */
  release(lease: Lease): Promise<void>;
  close(): Promise<void>;
}

/** A write was fenced off: this replica no longer holds the lease it wrote under. */
export class LeaseLostError extends AppError {
  constructor(readonly lease: string) {
    super('COORDINATION.LEASE_LOST', 'conflict', `lease ${lease} is not held by this replica`, {
      retriable: true,
    });
  }
}

/** The coordination store cannot be reached. */
export class CoordinationUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('COORDINATION.UNAVAILABLE', 'unavailable', message, { retriable: true, cause });
  }
}
