import { Inject, Injectable } from '@nestjs/common';
import { ACCESS_EVENTS } from '@authtrail/catalog';
import { EVENT_STORE, EventStore, accessStream, systemEvent } from '@authtrail/event-store';
import { CLOCK, Clock, ID_SOURCE, IdSource } from '@authtrail/platform';
import type { Caller } from '../domain/caller';

/**
 * Access to personal data is itself audited: every read that returned decrypted names
 * is recorded as `access.PersonalDataRead` with the caller as actor (key id), what was
 * read and how many people it named — never the names themselves. The log is append-only,
 * so no admin can remove these records (seed 003).
 */
@Injectable()
export class AccessAuditService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
  ) {}

  /** `people`: the subject ids named, or how many names were returned. */
  async personalDataRead(
    principal: Pick<Caller, 'tenantId' | 'keyId'>,
    resource: string,
    people: readonly string[] | number,
  ): Promise<void> {
    const count = typeof people === 'number' ? people : new Set(people).size;
    await this.store.append(principal.tenantId, [
      {
        streamId: accessStream(principal.tenantId),
        expectedRevision: 'any',
        events: [
          systemEvent(ACCESS_EVENTS.personalDataRead, {
            eventId: this.ids.uuid(),
            tenantId: principal.tenantId,
            now: this.clock.now(),
            data: { actorKeyId: principal.keyId, resource, people: count },
          }),
        ],
      },
    ]);
  }
}
