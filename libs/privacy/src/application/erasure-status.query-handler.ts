import { Inject, Optional } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { NotFoundError } from '@authtrail/platform';
import { looksLikeSubjectId } from '../domain/erasure';
import { ERASURE_FOLLOWERS, ErasureFollowers } from './erasure-followers.port';
import { ErasureView, erasureViews } from './erasure-views';

/** `GET /v1/privacy/erasures/{subjectId}`: one person's erasure, to follow it to the end. */
export class ErasureStatusQuery {
  constructor(
    readonly tenantId: string,
    readonly subjectId: string,
  ) {}
}

/**
 * One subject's erasure as the list shows it: requested, pending, deferred by a hold, or
 * erased, and then how far each copy's clean-up has got (`surfaces`): a privacy admin
 * polls it until nothing is `pending`. 404 when the subject was never asked to be erased
 * in this tenant.
 */
@QueryHandler(ErasureStatusQuery)
export class ErasureStatusHandler implements IQueryHandler<ErasureStatusQuery, ErasureView> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(ERASURE_FOLLOWERS) private readonly followers?: ErasureFollowers,
  ) {}

  async execute({ tenantId, subjectId }: ErasureStatusQuery): Promise<ErasureView> {
    const [newest] = looksLikeSubjectId(subjectId)
      ? await erasureViews(this.store, tenantId, { subjectId, followers: this.followers })
      : [];
    if (!newest)
      throw new NotFoundError('no erasure of this subject in this tenant', 'ERASURE.NOT_FOUND');
    return newest;
  }
}
