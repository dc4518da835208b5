import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import type { Category, EventTypeDefinition, Upcaster } from './catalog.types';
import { deriveFields } from './event-definition.builder';
import { ANNOTATION, dateTime, text, uuid } from './field.builders';
import { retentionDays } from './retention';

/**
 * What an audit consumer is told a system event did, independent of any one format (the
 * SIEM stream maps it to OCSF Entity Management activities).
 */
export interface SystemEventAudit {
  /** The managed entity, e.g. `Data Subject`, `Tenant`, `API Key`. */
  readonly entity: string;
  readonly action: 'create' | 'read' | 'update' | 'delete' | 'enable' | 'other';
  /** Name of the action when it is `other`, e.g. `Erasure Requested`. */
  readonly actionName?: string;
}

export interface SystemEventSpec<T extends string, P extends TProperties> {
  /** Stable, context-prefixed, past tense; never derived from a class name. */
  readonly type: T;
  readonly category: Exclude<Category, 'sspr' | 'mfa'>;
  readonly description: string;
  /** The envelope's `data`: every field, nothing personal (people by subject id, callers by key id). */
  readonly data: P;
  /**
   * The data field naming the person the event is about: its value (when a string) becomes
   * the envelope's `subjects.subject`, so the subject index finds the event.
   */
  readonly subject?: keyof P & string;
  readonly audit: SystemEventAudit;
  readonly schemaVersion?: number;
  /** Upcasters keyed by the version they upgrade from (v → v + 1), over the stored data. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  readonly versionNotes?: Readonly<Record<number, string>>;
}

/** A system event type: its catalog definition plus what its typed constructor needs. */
export interface SystemEventType<
  T extends string = string,
  D = Record<string, unknown>,
> extends EventTypeDefinition {
  readonly type: T;
  readonly producerPostable: false;
  /** Schema of the envelope's `data` alone. */
  readonly dataSchema: TObject;
  readonly subjectField: string | null;
  readonly audit: SystemEventAudit;
  /** Type-level only: the data the constructor takes. */
  readonly __data?: D;
}

/** The data a system event type's constructor takes. */
export type SystemEventData<S> = S extends SystemEventType<string, infer D> ? D : never;

/** Envelope members every system event carries beside its data, as readers see them. */
const ENVELOPE_MEMBERS = {
  eventId: uuid({ seed: null, description: 'Id of the record (a fresh UUID).' }),
  occurredAt: dateTime({ seed: null, description: 'When authtrail did it.' }),
  correlationId: Type.Optional(
    text({ seed: null, description: 'Correlation id, when there is one.', maxLength: 128 }),
  ),
  causationId: Type.Optional(
    text({
      seed: null,
      description: 'Id of the event or request that caused this one.',
      maxLength: 128,
    }),
  ),
};

/** Names a system event's data may not use: they are the envelope's. */
export const SYSTEM_ENVELOPE_MEMBERS: readonly string[] = [
  'type',
  ...Object.keys(ENVELOPE_MEMBERS),
];

type Json = Record<string, unknown>;

/**
 * Defines one event authtrail records itself. One schema gives its TypeScript type (the
 * typed constructor `systemEvent` in `@authtrail/event-store` takes `Static` of it), its
 * validation (on every append, and over stored events in tests) and the JSON Schema
 * published at `GET /v1/schemas` and in docs/event-catalog.md.
 *
 * The published schema is the event as readers see it (`GET /v1/subjects/{id}/events`,
 * the audit query, exports): the envelope's `eventId`, `type`, `occurredAt` and optional
 * `correlationId`/`causationId`, beside the fields of its `data`. The SIEM stream carries
 * the same `data` fields as `unmapped.details`.
 */
export function defineSystemEvent<const T extends string, P extends TProperties>(
  spec: SystemEventSpec<T, P>,
): SystemEventType<T, Static<TObject<P>>> {
  const schemaVersion = spec.schemaVersion ?? 1;
  const upcasters = spec.upcasters ?? {};
  for (let v = 1; v < schemaVersion; v++) {
    if (typeof upcasters[v] !== 'function') {
      throw new Error(`${spec.type}: no upcaster from v${v} to v${v + 1}`);
    }
  }
  for (const key of Object.keys(spec.data)) {
    if (SYSTEM_ENVELOPE_MEMBERS.includes(key))
      throw new Error(`${spec.type}: data field ${key} is an envelope member`);
    if ((spec.data[key] as Json)[ANNOTATION.personal] === true)
      throw new Error(`${spec.type}: data field ${key} is personal; system events hold none`);
  }
  const dataSchema = Type.Object(spec.data, { additionalProperties: false });
  const schema = Type.Object(
    {
      eventId: ENVELOPE_MEMBERS.eventId,
      type: Type.Literal(spec.type, { description: 'Event type name.' }),
      occurredAt: ENVELOPE_MEMBERS.occurredAt,
      correlationId: ENVELOPE_MEMBERS.correlationId,
      causationId: ENVELOPE_MEMBERS.causationId,
      ...spec.data,
    },
    { additionalProperties: false, title: spec.type, description: spec.description },
  );
  return Object.freeze({
    type: spec.type,
    category: spec.category,
    schemaVersion,
    seedName: 'none (recorded by authtrail)',
    description: spec.description,
    producerPostable: false,
    actor: 'none',
    target: 'none',
    statuses: Object.freeze([]),
    reasons: null,
    reasonStatuses: Object.freeze([]),
    retentionDays: retentionDays(spec.category),
    fields: Object.freeze(deriveFields(schema)),
    schema,
    upcasters: Object.freeze({ ...upcasters }),
    versionNotes: Object.freeze({ ...(spec.versionNotes ?? {}) }),
    dataSchema,
    subjectField: spec.subject ?? null,
    audit: Object.freeze({ ...spec.audit }),
  }) as SystemEventType<T, Static<TObject<P>>>;
}

/** True for the definitions `defineSystemEvent` made. */
export function isSystemEventType(d: EventTypeDefinition): d is SystemEventType {
  return !d.producerPostable && 'dataSchema' in d;
}
