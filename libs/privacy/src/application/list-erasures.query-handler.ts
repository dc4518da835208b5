import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore, decodeEnvelope, subjectStream } from '@authtrail/event-store';
import { PRIVACY_EVENT } from '../domain/erasure';
import { privacyStream } from './privacy-streams';

/** `GET /v1/privacy/erasures`: the erasures done in a tenant. */
export class ListErasuresQuery {
  constructor(readonly tenantId: string) {}
}

export interface ErasureView {
  readonly subjectId: string;
  readonly requestedAt: string;
  /** null while the erasure is pending (cut off by a crash, finished at the next start). */
  readonly erasedAt: string | null;
  readonly events: number | null;
  readonly status: 'erased' | 'pending';
  /** The key that asked for it. */
  readonly actorKeyId: string | null;
}

/**
 * The erasures done in the tenant, newest first, read from the log: the request on the
 * tenant's privacy stream, the outcome on the subject's lifecycle stream. Subject ids
 * only: the person's name went with their key, which is the point.
 */
@QueryHandler(ListErasuresQuery)
export class ListErasuresHandler implements IQueryHandler<
  ListErasuresQuery,
  { items: ErasureView[] }
> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ tenantId }: ListErasuresQuery): Promise<{ items: ErasureView[] }> {
    const requests = (await this.store.readStream(privacyStream(tenantId)))
      .filter((r) => r.type === PRIVACY_EVENT.erasureRequested)
      .map((r) => {
        const data = decodeEnvelope(r.data).data;
        return {
          subjectId: String(data.subjectId),
          requestedAt: r.occurredAt.toISOString(),
          actorKeyId: typeof data.actorKeyId === 'string' ? data.actorKeyId : null,
        };
      });
    // One row per person: the first request is the one that erased them.
    const first = new Map<string, (typeof requests)[number]>();
    for (const r of requests) if (!first.has(r.subjectId)) first.set(r.subjectId, r);
    const items: ErasureView[] = [];
    for (const r of first.values()) {
      const done = (await this.store.readStream(subjectStream(tenantId, r.subjectId)))
        .filter((e) => e.type === PRIVACY_EVENT.erased)
        .map((e) => decodeEnvelope(e.data).data)[0];
      items.push({
        ...r,
        erasedAt: done ? String(done.erasedAt) : null,
        events: done ? Number(done.events ?? 0) : null,
        status: done ? 'erased' : 'pending',
      });
    }
    items.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
    return { items };
  }
}
