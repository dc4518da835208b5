import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { NotFoundError } from '@authtrail/platform';
import { type Caller, mayReadNames } from '../domain/caller';
import { isPersonEventType } from '../domain/erasure';
import { AccessAuditService } from './access-audit.service';
import { EventReader, EventView } from './event-reader';

/** `GET /v1/subjects/{subjectId}/events`: the events about one subject id. */
export class SubjectEventsQuery {
  constructor(
    readonly caller: Caller,
    readonly subjectId: string,
  ) {}
}

export interface SubjectEvents {
  readonly subjectId: string;
  /** True once the person's key is gone in every event (their fields can never be read again). */
  readonly erased: boolean;
  readonly items: readonly EventView[];
}

/** What an audited read of this query is recorded as (`access.PersonalDataRead`). */
export const SUBJECT_EVENTS_RESOURCE = 'GET /v1/subjects/{subjectId}/events';

/**
 * Every SSPR and MFA event that names the subject, people per the caller's role: names
 * for `privacy-admin`, whose read is itself recorded (how many people it named, never
 * who), subject ids for everyone else; erased people marked erased.
 */
@QueryHandler(SubjectEventsQuery)
export class SubjectEventsHandler implements IQueryHandler<SubjectEventsQuery, SubjectEvents> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reader: EventReader,
    private readonly audit: AccessAuditService,
  ) {}

  async execute({ caller, subjectId }: SubjectEventsQuery): Promise<SubjectEvents> {
    const records = (await this.store.readBySubject(caller.tenantId, subjectId)).filter((r) =>
      isPersonEventType(r.type),
    );
    if (records.length === 0)
      throw new NotFoundError('no events for this subject', 'SUBJECT.NOT_FOUND');
    const reveal = mayReadNames(caller) ? ({ kind: 'all' } as const) : ({ kind: 'none' } as const);
    const views = await this.reader.views(caller.tenantId, records, reveal);
    if (reveal.kind === 'all') {
      await this.audit.personalDataRead(
        caller,
        SUBJECT_EVENTS_RESOURCE,
        views.flatMap((v) => Object.values(v.subjects)),
      );
    }
    return { subjectId, erased: views.every((v) => v.erased.includes(subjectId)), items: views };
  }
}
