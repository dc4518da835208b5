import type { Alert } from './alert';
import type { PersonState } from './detect';

/** One person's rule state, to save. */
export interface StateChange {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly state: PersonState;
}

/** A stored alert waiting for one destination (`kafka`, `webhook:<id>`). */
export interface Delivery {
  readonly alertId: string;
  readonly destination: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** The OCSF Detection Finding, as published. */
  readonly body: string;
  readonly tenantId: string;
  readonly position: number;
}

/**
 * The detections' own store: the rules' state per person, the alerts (unique by id) and
 * their deliveries (an outbox). `commit` is one transaction, so a crash leaves either the
 * batch's states and alerts or neither; the worker's checkpoint moves after it.
 */
export interface DetectionStore {
  states(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, PersonState>>;
  /**
   * Saves the states and the alerts whose id is not stored yet, each with one pending
   * delivery per destination. Resolves with the alerts that were new (a replayed batch
   * yields none).
   */
  commit(input: {
    readonly states: readonly StateChange[];
    readonly alerts: readonly { readonly alert: Alert; readonly body: string }[];
    readonly destinations: readonly string[];
    readonly nowMs: number;
  }): Promise<Alert[]>;
  /**
   * A deleted tenant: its people's rule states go, and its deliveries not made yet are
   * parked (an alert about a tenant that asked to be deleted is not sent afterwards).
   */
  forgetTenant(tenantId: string): Promise<void>;
  /**
   * Pending deliveries to these destinations due at `nowMs`, oldest alert first (those of a
   * webhook no longer configured wait, in case it comes back, without taking the place of
   * others).
   */
  due(nowMs: number, limit: number, destinations: readonly string[]): Promise<Delivery[]>;
  delivered(deliveries: readonly Pick<Delivery, 'alertId' | 'destination'>[]): Promise<void>;
  /** Counts a failed attempt; tried again from `nextMs`. */
  retryLater(
    d: Pick<Delivery, 'alertId' | 'destination'>,
    attempts: number,
    nextMs: number,
  ): Promise<void>;
  /** Gives up on a delivery after its last attempt (kept, visible, never sent again). */
  park(d: Pick<Delivery, 'alertId' | 'destination'>, attempts: number): Promise<void>;
  /** Counts by state, for diagnostics and tests. */
  counts(): Promise<{ alerts: number; pending: number; delivered: number; parked: number }>;
  close(): Promise<void>;
}
