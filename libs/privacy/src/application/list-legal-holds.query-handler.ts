import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { LegalHold, deferredErasures, holdsOf } from '../domain/legal-hold';
import { readPrivacyLog } from './privacy-log';

/** `GET /v1/holds`: the tenant's holds, in force and released. */
export class ListLegalHoldsQuery {
  constructor(readonly tenantId: string) {}
}

export interface LegalHoldView extends LegalHold {
  readonly status: 'active' | 'released';
  /** Subject ids of deferred erasures this hold (in force) covers: they run once no hold covers them. */
  readonly deferredErasures: readonly string[];
}

/** Newest first; read from the tenant's privacy stream. */
@QueryHandler(ListLegalHoldsQuery)
export class ListLegalHoldsHandler implements IQueryHandler<
  ListLegalHoldsQuery,
  { items: LegalHoldView[] }
> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ tenantId }: ListLegalHoldsQuery): Promise<{ items: LegalHoldView[] }> {
    const { records } = await readPrivacyLog(this.store, tenantId);
    const deferred = deferredErasures(records);
    const items = holdsOf(records).map((h): LegalHoldView => ({
      ...h,
      status: h.releasedAt === null ? 'active' : 'released',
      deferredErasures:
        h.releasedAt !== null
          ? []
          : deferred
              .filter((d) => h.scope === 'tenant' || h.subjectId === d.subjectId)
              .map((d) => d.subjectId),
    }));
    return { items: items.reverse() };
  }
}
