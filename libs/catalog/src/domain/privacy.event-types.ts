import { defineSystemEvent } from './system-event.builder';
import { actorKeyId, at, count, nullableSubjectId, subjectId } from './system-event.fields';

/**
 * The privacy context's own records: erasure (request and outcome) and export. Ingest
 * guards each person's lifecycle stream against `SubjectErased` (DESIGN.md "Streams and
 * ordering"). How to add one: libs/catalog/README.md.
 */
export const PRIVACY_EVENTS = {
  erasureRequested: defineSystemEvent({
    type: 'privacy.SubjectErasureRequested',
    category: 'privacy',
    description:
      "A privacy admin asked to erase a person (on the tenant's privacy stream; an erasure cut off by a crash is finished from it at the next start).",
    data: { subjectId: subjectId(), actorKeyId: actorKeyId() },
    subject: 'subjectId',
    audit: { entity: 'Data Subject', action: 'other', actionName: 'Erasure Requested' },
  }),
  erased: defineSystemEvent({
    type: 'privacy.SubjectErased',
    category: 'privacy',
    description:
      "A person's data key and name-index row were deleted: their personal data is unreadable everywhere (crypto-shredding). On the person's lifecycle stream; `causationId` is the request's event id.",
    data: {
      subjectId: subjectId(),
      events: count(
        'Stored events about the person (SSPR and MFA) when the erasure was recorded; all of them are unreadable now.',
      ),
      erasedAt: at('When the key was shredded (equals `occurredAt`).'),
      actorKeyId: actorKeyId(),
    },
    subject: 'subjectId',
    audit: { entity: 'Data Subject', action: 'delete' },
  }),
  exported: defineSystemEvent({
    type: 'privacy.SubjectExported',
    category: 'privacy',
    description: "A person's stored events were exported for a data-subject request.",
    data: {
      subjectId: nullableSubjectId(
        'Subject id of the person; null when the name is unknown or erased (the export was empty).',
      ),
      events: count('Events in the export.'),
      actorKeyId: actorKeyId(),
    },
    subject: 'subjectId',
    audit: { entity: 'Data Subject', action: 'read' },
  }),
} as const;

/** Type names of the privacy records. */
export const PRIVACY_EVENT = {
  erasureRequested: PRIVACY_EVENTS.erasureRequested.type,
  erased: PRIVACY_EVENTS.erased.type,
  exported: PRIVACY_EVENTS.exported.type,
} as const;
