import { defineSystemEvent } from './system-event.builder';
import { oneOf, text, uuid } from './field.builders';
import { actorKeyId, at, count, nullableSubjectId, subjectId } from './system-event.fields';

const holdId = (description: string) => uuid({ seed: null, description });

/**
 * The privacy context's own records: erasure (request and outcome), export and legal hold
 * (placed, released, an erasure it deferred), all on the tenant's privacy stream except
 * `SubjectErased`, which is on the person's lifecycle stream. Ingest
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
  legalHoldPlaced: defineSystemEvent({
    type: 'privacy.LegalHoldPlaced',
    category: 'privacy',
    description:
      "A privacy admin placed a legal hold on a person or on the whole tenant: until it is released, erasure of what it covers is deferred (recorded, run at release) and retention does not prune it. On the tenant's privacy stream.",
    data: {
      holdId: holdId('Id of the hold (`DELETE /v1/holds/{holdId}` releases it).'),
      scope: oneOf(['person', 'tenant'] as const, {
        seed: null,
        description: '`person`: one person (by subject id); `tenant`: everyone in the tenant.',
      }),
      subjectId: nullableSubjectId('Subject id of the person held; null for a tenant hold.'),
      caseReference: text({
        seed: null,
        description:
          'Case or matter reference the hold is for, e.g. `LIT-2026-014` (letters, digits, spaces and `._:/#-`; no names).',
        maxLength: 128,
        pattern: '^[A-Za-z0-9][A-Za-z0-9 ._:/#-]*$',
      }),
      actorKeyId: actorKeyId(),
    },
    subject: 'subjectId',
    audit: { entity: 'Legal Hold', action: 'create' },
  }),
  legalHoldReleased: defineSystemEvent({
    type: 'privacy.LegalHoldReleased',
    category: 'privacy',
    description:
      'A privacy admin released a legal hold. Erasures it deferred run now unless another hold still covers the person.',
    data: {
      holdId: holdId('Id of the released hold.'),
      actorKeyId: actorKeyId(),
    },
    audit: { entity: 'Legal Hold', action: 'delete' },
  }),
  erasureDeferred: defineSystemEvent({
    type: 'privacy.ErasureDeferred',
    category: 'privacy',
    description:
      'An erasure was asked for while a legal hold covers the person: recorded, not run. It runs (as `SubjectErasureRequested` caused by this event) when the last hold covering the person is released.',
    data: {
      subjectId: subjectId(),
      holdId: holdId('The (oldest) hold covering the person when the erasure was asked for.'),
      actorKeyId: actorKeyId(),
    },
    subject: 'subjectId',
    audit: { entity: 'Data Subject', action: 'other', actionName: 'Erasure Deferred' },
  }),
} as const;

/** Type names of the privacy records. */
export const PRIVACY_EVENT = {
  erasureRequested: PRIVACY_EVENTS.erasureRequested.type,
  erased: PRIVACY_EVENTS.erased.type,
  exported: PRIVACY_EVENTS.exported.type,
  legalHoldPlaced: PRIVACY_EVENTS.legalHoldPlaced.type,
  legalHoldReleased: PRIVACY_EVENTS.legalHoldReleased.type,
  erasureDeferred: PRIVACY_EVENTS.erasureDeferred.type,
} as const;
