import { TENANT_EVENT, TENANT_EVENTS, type SystemEventData } from '@authtrail/catalog';

/**
 * A tenant's lifecycle, decided by pure functions over its own events
 * (`t-{tenant}-tenant`): created → opted in → deletion scheduled ⇄ cancelled → deleted.
 * Seed 002: nothing is collected for a tenant until it has opted in.
 */
export { TENANT_EVENT };

/** A lifecycle event as read back from the stream. */
export interface TenantEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

type Lifecycle = Pick<
  typeof TENANT_EVENTS,
  'created' | 'optedIn' | 'deletionScheduled' | 'deletionCancelled' | 'deleted'
>;

/**
 * A lifecycle event a decision yields, typed by its catalog schema; the service adds who
 * asked (`actorKeyId`) when it records it.
 */
export type TenantDecisionEvent = {
  [K in keyof Lifecycle]: {
    readonly type: Lifecycle[K]['type'];
    readonly data: Omit<SystemEventData<Lifecycle[K]>, 'actorKeyId'>;
  };
}[keyof Lifecycle];

export interface TenantState {
  readonly tenantId: string;
  readonly exists: boolean;
  readonly optedIn: boolean;
  readonly optedInAt: string | null;
  /** When the scheduled deletion becomes due, or null. */
  readonly deletionDueAt: string | null;
  readonly deleted: boolean;
  /** Revision of the tenant stream this state was built from (null: no stream). */
  readonly revision: number | null;
}

export const initialTenantState = (tenantId: string): TenantState => ({
  tenantId,
  exists: false,
  optedIn: false,
  optedInAt: null,
  deletionDueAt: null,
  deleted: false,
  revision: null,
});

export function evolveTenant(state: TenantState, event: TenantEvent): TenantState {
  const revision = state.revision === null ? 0 : state.revision + 1;
  switch (event.type) {
    case TENANT_EVENT.created:
      return { ...state, exists: true, revision };
    case TENANT_EVENT.optedIn:
      return { ...state, optedIn: true, optedInAt: String(event.data.optedInAt), revision };
    case TENANT_EVENT.deletionScheduled:
      return { ...state, deletionDueAt: String(event.data.dueAt), revision };
    case TENANT_EVENT.deletionCancelled:
      return { ...state, deletionDueAt: null, revision };
    case TENANT_EVENT.deleted:
      return { ...state, deleted: true, optedIn: false, deletionDueAt: null, revision };
    default:
      return { ...state, revision };
  }
}

export type TenantDecision =
  | { readonly ok: true; readonly events: TenantDecisionEvent[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

const refuse = (code: string, message: string): TenantDecision => ({ ok: false, code, message });

export function decideCreate(state: TenantState): TenantDecision {
  if (state.exists) return refuse('TENANT.EXISTS', 'a tenant with this id exists or existed');
  return { ok: true, events: [{ type: TENANT_EVENT.created, data: { tenantId: state.tenantId } }] };
}

export function decideOptIn(state: TenantState, now: Date): TenantDecision {
  if (!state.exists || state.deleted) return refuse('TENANT.NOT_FOUND', 'tenant not found');
  if (state.optedIn) return { ok: true, events: [] };
  return {
    ok: true,
    events: [{ type: TENANT_EVENT.optedIn, data: { optedInAt: now.toISOString() } }],
  };
}

export function decideScheduleDeletion(
  state: TenantState,
  now: Date,
  graceMs: number,
): TenantDecision {
  if (!state.exists || state.deleted) return refuse('TENANT.NOT_FOUND', 'tenant not found');
  if (state.deletionDueAt !== null) return { ok: true, events: [] };
  const dueAt = new Date(now.getTime() + graceMs).toISOString();
  return {
    ok: true,
    events: [
      { type: TENANT_EVENT.deletionScheduled, data: { requestedAt: now.toISOString(), dueAt } },
    ],
  };
}

export function decideCancelDeletion(state: TenantState): TenantDecision {
  if (!state.exists || state.deleted) return refuse('TENANT.NOT_FOUND', 'tenant not found');
  if (state.deletionDueAt === null)
    return refuse('TENANT.NO_DELETION_SCHEDULED', 'no deletion is scheduled');
  return { ok: true, events: [{ type: TENANT_EVENT.deletionCancelled, data: {} }] };
}

export function isDeletionDue(state: TenantState, now: Date): boolean {
  return (
    !state.deleted &&
    state.deletionDueAt !== null &&
    Date.parse(state.deletionDueAt) <= now.getTime()
  );
}
