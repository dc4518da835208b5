import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PRIVACY_EVENTS } from '@authtrail/catalog';
import { ConcurrencyError, EVENT_STORE, EventStore, systemEvent } from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import { CLOCK, Clock, ID_SOURCE, IdSource, NotFoundError } from '@authtrail/platform';
import { LegalHold } from '../domain/legal-hold';
import type { LegalHoldRequest } from './legal-hold-request';
import { PRIVACY_APPEND_ATTEMPTS, readPrivacyLog } from './privacy-log';
import { privacyStream } from './privacy-streams';

export class PlaceLegalHoldCommand {
  constructor(
    readonly tenantId: string,
    readonly request: LegalHoldRequest,
    readonly actorKeyId: string,
  ) {}
}

/**
 * `POST /v1/holds`: records `privacy.LegalHoldPlaced` on the tenant's privacy stream. A
 * person is named as erasure names them and held by subject id; an unknown or erased
 * name is a 404 (there is nothing of theirs to hold). The append expects the stream's
 * revision read, so an erasure racing the hold either sees it or is seen by it.
 */
@CommandHandler(PlaceLegalHoldCommand)
export class PlaceLegalHoldHandler implements ICommandHandler<PlaceLegalHoldCommand, LegalHold> {
  constructor(
    private readonly keyring: Keyring,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
  ) {}

  async execute({ tenantId, request, actorKeyId }: PlaceLegalHoldCommand): Promise<LegalHold> {
    let subjectId: string | null = null;
    if (request.scope === 'person') {
      const subject = await this.keyring.findSubject(tenantId, request.userPrincipalName!);
      if (!subject)
        throw new NotFoundError(
          'no such person in this tenant (unknown or erased)',
          'SUBJECT.NOT_FOUND',
        );
      subjectId = subject.subjectId;
    }
    const holdId = this.ids.uuid();
    for (let attempt = 1; ; attempt++) {
      const { revision } = await readPrivacyLog(this.store, tenantId);
      const now = this.clock.now();
      try {
        await this.store.append(tenantId, [
          {
            streamId: privacyStream(tenantId),
            expectedRevision: revision ?? 'no_stream',
            events: [
              systemEvent(PRIVACY_EVENTS.legalHoldPlaced, {
                eventId: holdId,
                tenantId,
                now,
                data: {
                  holdId,
                  scope: request.scope,
                  subjectId,
                  caseReference: request.caseReference,
                  actorKeyId,
                },
              }),
            ],
          },
        ]);
        return {
          holdId,
          scope: request.scope,
          subjectId,
          caseReference: request.caseReference,
          placedAt: now.toISOString(),
          placedBy: actorKeyId,
          releasedAt: null,
          releasedBy: null,
        };
      } catch (e) {
        if (!(e instanceof ConcurrencyError) || attempt >= PRIVACY_APPEND_ATTEMPTS) throw e;
      }
    }
  }
}
