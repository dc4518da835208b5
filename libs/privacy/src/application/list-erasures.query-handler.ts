import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore, decodeEnvelope, subjectStream } from '@authtrail/event-store';
import { PRIVACY_EVENT } from '../domain/erasure';
import { deferredErasures, holdsCovering, holdsOf } from '../domain/legal-hold';
import { readPrivacyLog } from './privacy-log';

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
  readonly status: 'erased' | 'pending' | 'deferred';
  /** The key that asked for it. */
  readonly actorKeyId: string | null;
  /** Deferred only: the holds in force that cover the person; the erasure runs when the last is released. */
  readonly deferredBy?: readonly string[];
}

/**
 * The erasures done in the tenant, newest first, read from the log: the request on the
 * tenant's privacy stream, the outcome on the subject's lifecycle stream. Subject ids
 * only: the person's name went with their key, which is the point. An erasure a legal
 * hold defers is listed as `deferred` (requested at the deferral) until the hold's
 * release runs it.
 */
@QueryHandler(ListErasuresQuery)
export class ListErasuresHandler implements IQueryHandler<
  ListErasuresQuery,
  { items: ErasureView[] }
> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ tenantId }: ListErasuresQuery): Promise<{ items: ErasureView[] }> {
    const { records } = await readPrivacyLog(this.store, tenantId);
    const requests = records
      .filter((r) => r.type === PRIVACY_EVENT.erasureRequested)
      .map((r) => ({
        subjectId: String(r.data.subjectId),
        requestedAt: r.occurredAt,
        actorKeyId: typeof r.data.actorKeyId === 'string' ? r.data.actorKeyId : null,
      }));
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
    const holds = holdsOf(records);
    for (const d of deferredErasures(records))
      items.push({
        subjectId: d.subjectId,
        requestedAt: d.deferredAt,
        erasedAt: null,
        events: null,
        status: 'deferred',
        actorKeyId: d.actorKeyId,
        deferredBy: holdsCovering(holds, d.subjectId).map((h) => h.holdId),
      });
    items.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
    return { items };
  }
}
