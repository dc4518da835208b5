import { Inject, Optional } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { ERASURE_FOLLOWERS, ErasureFollowers } from './erasure-followers.port';
import { ErasureView, erasureViews } from './erasure-views';

export type { ErasureView } from './erasure-views';

/** `GET /v1/privacy/erasures`: the erasures done in a tenant. */
export class ListErasuresQuery {
  constructor(readonly tenantId: string) {}
}

/**
 * The erasures done in the tenant, newest first (`erasureViews`). Subject ids only: the
 * person's name went with their key, which is the point. Where the API runs, each erased
 * row says how far the clean-up of its copies outside the log has got (`surfaces`).
 */
@QueryHandler(ListErasuresQuery)
export class ListErasuresHandler implements IQueryHandler<
  ListErasuresQuery,
  { items: ErasureView[] }
> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(ERASURE_FOLLOWERS) private readonly followers?: ErasureFollowers,
  ) {}

  async execute({ tenantId }: ListErasuresQuery): Promise<{ items: ErasureView[] }> {
    return { items: await erasureViews(this.store, tenantId, { followers: this.followers }) };
  }
}
