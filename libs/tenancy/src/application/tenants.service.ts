import { AppError, Clock, IdSource } from '@authtrail/platform';
import { TENANT_EVENTS } from '@authtrail/catalog';
import {
  ConcurrencyError,
  EventStore,
  NewEvent,
  decodeEnvelope,
  systemEvent,
  tenantStream,
} from '@authtrail/event-store';
import {
  TenantDecision,
  TenantDecisionEvent,
  TenantState,
  decideCancelDeletion,
  decideCreate,
  decideOptIn,
  decideScheduleDeletion,
  evolveTenant,
  initialTenantState,
  isDeletionDue,
  TENANT_EVENT,
} from '../domain/tenant';

/** Tenant ids are lower-case letters, digits and `_` (no `-`: it separates stream name parts). */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_]{0,62}$/;

export class TenantNotOptedInError extends AppError {
  constructor() {
    super(
      'TENANT.NOT_OPTED_IN',
      'conflict',
      'this tenant has not opted in to data collection (POST /v1/tenant/opt-in); nothing was kept',
    );
  }
}

/** What tenant deletion must shred besides the log's own record: keys and credentials. */
export interface TenantShredder {
  shredTenant(tenantId: string): Promise<void>;
}

/**
 * The legal holds in force on a tenant (a tenant-wide hold, or a hold on any of its
 * people): a due deletion waits while there is one, since it would shred what they hold.
 * Privacy owns holds; tenancy only asks.
 */
export interface TenantHolds {
  holdsInForce(tenantId: string): Promise<readonly string[]>;
}

/** What a deletion run did: deleted, not due yet, or due but deferred by these holds. */
export type DeletionOutcome =
  { readonly deleted: true } | { readonly deleted: false; readonly deferredBy: readonly string[] };

export interface TenantActor {
  readonly keyId: string;
}

/**
 * Tenant lifecycle over the event store. State is rebuilt from the tenant's stream and
 * cached for at most a second, so several API replicas agree within a second.
 */
export class TenantsService {
  private readonly cache = new Map<string, { state: TenantState; at: number }>();
  private static readonly CACHE_MS = 1000;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly graceMs: number,
  ) {}

  async state(tenantId: string): Promise<TenantState> {
    const hit = this.cache.get(tenantId);
    const now = Date.now();
    if (hit && now - hit.at < TenantsService.CACHE_MS) return hit.state;
    const state = await this.load(tenantId);
    this.cache.set(tenantId, { state, at: now });
    return state;
  }

  async load(tenantId: string): Promise<TenantState> {
    const events = await this.store.readStream(tenantStream(tenantId));
    return events.reduce((s, e) => {
      const env = decodeEnvelope(e.data);
      return evolveTenant(s, { type: env.type, data: env.data });
    }, initialTenantState(tenantId));
  }

  /** Throws unless the tenant exists, is not deleted and has opted in. */
  async assertCollecting(tenantId: string): Promise<void> {
    const s = await this.state(tenantId);
    if (!s.exists || s.deleted || !s.optedIn) throw new TenantNotOptedInError();
  }

  async create(tenantId: string, actor: TenantActor): Promise<TenantState> {
    if (!TENANT_ID_PATTERN.test(tenantId)) {
      throw new AppError('TENANT.INVALID_ID', 'invalid', 'invalid tenant id', {
        errors: [
          {
            path: '/tenantId',
            message:
              'lower-case letters, digits and _ only, 1-63 characters, starting with a letter or digit',
          },
        ],
      });
    }
    return this.apply(tenantId, actor, decideCreate);
  }

  async optIn(tenantId: string, actor: TenantActor): Promise<TenantState> {
    return this.apply(tenantId, actor, (s) => decideOptIn(s, this.clock.now()));
  }

  async scheduleDeletion(tenantId: string, actor: TenantActor): Promise<TenantState> {
    return this.apply(tenantId, actor, (s) =>
      decideScheduleDeletion(s, this.clock.now(), this.graceMs),
    );
  }

  async cancelDeletion(tenantId: string, actor: TenantActor): Promise<TenantState> {
    return this.apply(tenantId, actor, decideCancelDeletion);
  }

  /**
   * Completes a due deletion: records `TenantDeleted` first, with the expected revision
   * (a cancel that came in meanwhile wins: the append fails and nothing is shredded),
   * then shreds. A crash in between leaves a deleted tenant whose key still exists; the
   * next run finds it (its key is still listed) and shreds again.
   */
  async completeDeletionIfDue(
    tenantId: string,
    shredder: TenantShredder,
    holds?: TenantHolds,
  ): Promise<boolean> {
    return (await this.runDeletionIfDue(tenantId, shredder, holds)).deleted;
  }

  /**
   * As `completeDeletionIfDue`, saying why nothing happened: a due deletion of a tenant
   * under legal hold is deferred (not cancelled): it stays scheduled and runs at the first
   * run after the last hold is released.
   */
  async runDeletionIfDue(
    tenantId: string,
    shredder: TenantShredder,
    holds?: TenantHolds,
  ): Promise<DeletionOutcome> {
    const s = await this.load(tenantId);
    if (s.deleted) {
      await shredder.shredTenant(tenantId);
      return { deleted: false, deferredBy: [] };
    }
    if (!isDeletionDue(s, this.clock.now())) return { deleted: false, deferredBy: [] };
    const held = (await holds?.holdsInForce(tenantId)) ?? [];
    if (held.length > 0) return { deleted: false, deferredBy: held };
    await this.appendDecision(
      s,
      { keyId: 'system' },
      {
        ok: true,
        events: [
          { type: TENANT_EVENT.deleted, data: { deletedAt: this.clock.now().toISOString() } },
        ],
      },
    );
    await shredder.shredTenant(tenantId);
    return { deleted: true };
  }

  private async apply(
    tenantId: string,
    actor: TenantActor,
    decide: (s: TenantState) => TenantDecision,
  ): Promise<TenantState> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.load(tenantId);
      const decision = decide(state);
      try {
        return await this.appendDecision(state, actor, decision);
      } catch (e) {
        // Another replica changed the tenant between our read and append: decide again.
        if (e instanceof ConcurrencyError && attempt < 3) continue;
        throw e;
      }
    }
  }

  private async appendDecision(
    state: TenantState,
    actor: TenantActor,
    decision: TenantDecision,
  ): Promise<TenantState> {
    if (!decision.ok) {
      const category = decision.code === 'TENANT.NOT_FOUND' ? 'not-found' : 'conflict';
      throw new AppError(decision.code, category, decision.message);
    }
    if (decision.events.length === 0) return state;
    const now = this.clock.now();
    await this.store.append(
      state.tenantId,
      [
        {
          streamId: tenantStream(state.tenantId),
          expectedRevision: state.revision === null ? 'no_stream' : state.revision,
          events: decision.events.map((e) => this.record(state.tenantId, e, actor, now)),
        },
      ],
      // A deletion empties the tenant's tables on this record: followers read it at once.
      { prompt: decision.events.some((e) => e.type === TENANT_EVENT.deleted) },
    );
    this.cache.delete(state.tenantId);
    return decision.events.reduce(evolveTenant, state);
  }

  /** The decided event as stored: its catalog type's constructor, with who asked. */
  private record(
    tenantId: string,
    event: TenantDecisionEvent,
    actor: TenantActor,
    now: Date,
  ): NewEvent {
    const base = { eventId: this.ids.uuid(), tenantId, now };
    const actorKeyId = actor.keyId;
    switch (event.type) {
      case TENANT_EVENTS.created.type:
        return systemEvent(TENANT_EVENTS.created, { ...base, data: { ...event.data, actorKeyId } });
      case TENANT_EVENTS.optedIn.type:
        return systemEvent(TENANT_EVENTS.optedIn, { ...base, data: { ...event.data, actorKeyId } });
      case TENANT_EVENTS.deletionScheduled.type:
        return systemEvent(TENANT_EVENTS.deletionScheduled, {
          ...base,
          data: { ...event.data, actorKeyId },
        });
      case TENANT_EVENTS.deletionCancelled.type:
        return systemEvent(TENANT_EVENTS.deletionCancelled, { ...base, data: { actorKeyId } });
      case TENANT_EVENTS.deleted.type:
        return systemEvent(TENANT_EVENTS.deleted, { ...base, data: { ...event.data, actorKeyId } });
    }
  }
}
