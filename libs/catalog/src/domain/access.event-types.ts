import { MAX, text } from './field.builders';
import { defineSystemEvent } from './system-event.builder';
import { actorKeyId, count } from './system-event.fields';

/**
 * Audited reads of personal data (seed 003: access to audit data is itself recorded, and
 * no admin can remove the record). On `t-{tenant}-access`. How to add one:
 * libs/catalog/README.md.
 */
export const ACCESS_EVENTS = {
  personalDataRead: defineSystemEvent({
    type: 'access.PersonalDataRead',
    category: 'access',
    description:
      'Personal data was shown in clear to a privacy admin: who asked, what they read and how many people it named, never the names.',
    data: {
      actorKeyId: actorKeyId(),
      resource: text({
        seed: null,
        description: 'What was read, e.g. "GET /v1/subjects/{subjectId}/events".',
        maxLength: MAX.name,
      }),
      people: count('How many different people were shown by name.'),
    },
    audit: { entity: 'Personal Data', action: 'read' },
  }),
} as const;

/** Type names of the access records. */
export const ACCESS_EVENT = {
  personalDataRead: ACCESS_EVENTS.personalDataRead.type,
} as const;
