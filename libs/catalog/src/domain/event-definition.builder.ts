import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import type {
  Category,
  EventTypeDefinition,
  FieldSpec,
  Presence,
  SecretHandling,
  Upcaster,
  Whose,
} from './catalog.types';
import { ANNOTATION, MAX, dateTime, object, oneOf, text, uuid } from './field.builders';
import { retentionDays } from './retention';

export interface PersonSpec {
  readonly presence: Presence;
  readonly description?: string;
  /** Seed names of the person's fields, where the seed names them. */
  readonly upnSeed?: string | null;
  readonly displayNameSeed?: string | null;
  readonly roleSeed?: string | null;
}

export interface ResultSpec {
  readonly statuses: readonly string[];
  readonly statusSeed: string | null;
  readonly statusDescription: string;
  readonly reasons: readonly string[] | 'free-text' | null;
  /** Statuses on which a reason may be given; default: `Failure` only. */
  readonly reasonStatuses?: readonly string[];
  readonly reasonSeed?: string | null;
  readonly reasonDescription?: string;
}

export interface EventTypeSpec {
  readonly type: string;
  readonly category: Category;
  readonly seedName: string;
  readonly description: string;
  readonly producerPostable?: boolean;
  readonly schemaVersion?: number;
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  readonly versionNotes?: Readonly<Record<number, string>>;
  readonly occurredAtSeed: string | null;
  readonly actor: PersonSpec;
  readonly target: PersonSpec;
  readonly result: ResultSpec;
  readonly details?: { readonly properties: TProperties; readonly required: boolean };
  /** Envelope members beyond the producer shape (the service's own events only). */
  readonly extraProperties?: TProperties;
}

const NO_PERSON: PersonSpec = { presence: 'none' };

function personSchema(whose: Whose, spec: PersonSpec): TSchema {
  const who = whose === 'actor' ? 'actor' : 'target';
  return object(
    {
      userPrincipalName: text({
        seed: spec.upnSeed ?? null,
        description: `User principal name of the ${who}.`,
        maxLength: MAX.name,
        personal: true,
        whose,
      }),
      displayName: Type.Optional(
        text({
          seed: spec.displayNameSeed ?? null,
          description: `Display name of the ${who}.`,
          maxLength: MAX.name,
          personal: true,
          whose,
        }),
      ),
      role: Type.Optional(
        text({
          seed: spec.roleSeed ?? null,
          description: `Directory role of the ${who} (e.g. User, HelpdeskAdministrator); not personal.`,
          maxLength: MAX.code,
        }),
      ),
    },
    { seed: null, description: spec.description ?? `The ${who} of the event.` },
  );
}

function resultSchema(spec: ResultSpec): { schema: TSchema; reasonStatuses: readonly string[] } {
  const reasonStatuses =
    spec.reasons === null
      ? []
      : (spec.reasonStatuses ?? spec.statuses.filter((s) => s === 'Failure'));
  const properties: TProperties = {
    status: oneOf(spec.statuses, { seed: spec.statusSeed, description: spec.statusDescription }),
  };
  if (spec.reasons !== null) {
    const o = {
      seed: spec.reasonSeed ?? null,
      description: spec.reasonDescription ?? 'Why the activity failed.',
    };
    properties.reason = Type.Optional(
      spec.reasons === 'free-text' ? text({ ...o, maxLength: MAX.text }) : oneOf(spec.reasons, o),
    );
  }
  const withoutReason = spec.statuses.filter((s) => !reasonStatuses.includes(s));
  const conditional =
    spec.reasons !== null && withoutReason.length > 0
      ? {
          if: {
            type: 'object',
            properties: { status: { enum: withoutReason } },
            required: ['status'],
          },
          then: {
            type: 'object',
            properties: {
              reason: Type.Never({
                [ANNOTATION.message]: `is only allowed when status is ${reasonStatuses.join(' or ')}`,
              }),
            },
          },
        }
      : {};
  const schema = Type.Object(properties, {
    additionalProperties: false,
    description: 'Outcome of the activity.',
    ...conditional,
  });
  return { schema, reasonStatuses };
}

/** Builds a definition: its schema, and the field specs derived from the schema's annotations. */
export function defineEventType(spec: EventTypeSpec): EventTypeDefinition {
  const schemaVersion = spec.schemaVersion ?? 1;
  const upcasters = spec.upcasters ?? {};
  for (let v = 1; v < schemaVersion; v++) {
    if (typeof upcasters[v] !== 'function') {
      throw new Error(`${spec.type}: no upcaster from v${v} to v${v + 1}`);
    }
  }
  const actor = spec.actor ?? NO_PERSON;
  const target = spec.target ?? NO_PERSON;
  const { schema: result, reasonStatuses } = resultSchema(spec.result);

  const properties: TProperties = {
    eventId: uuid({
      seed: null,
      description: 'Producer-assigned UUID; the idempotency key per tenant.',
    }),
    type: Type.Literal(spec.type, { description: 'Event type name.' }),
    occurredAt: dateTime({
      seed: spec.occurredAtSeed,
      description: 'When the activity happened (ISO-8601 with Z or an offset).',
    }),
    correlationId: Type.Optional(
      text({ seed: null, description: 'Producer correlation id (not personal).', maxLength: 128 }),
    ),
    ...(spec.extraProperties ?? {}),
  };
  if (actor.presence !== 'none') {
    const s = personSchema('actor', actor);
    properties.actor = actor.presence === 'required' ? s : Type.Optional(s);
  }
  if (target.presence !== 'none') {
    const s = personSchema('target', target);
    properties.target = target.presence === 'required' ? s : Type.Optional(s);
  }
  properties.result = result;
  if (spec.details !== undefined) {
    const d = object(spec.details.properties, {
      seed: null,
      description: `Fields of ${spec.type}.`,
    });
    properties.details = spec.details.required ? d : Type.Optional(d);
  }

  const schema = Type.Object(properties, {
    additionalProperties: false,
    title: spec.type,
    description: spec.description,
  });

  return Object.freeze({
    type: spec.type,
    category: spec.category,
    schemaVersion,
    seedName: spec.seedName,
    description: spec.description,
    producerPostable: spec.producerPostable ?? true,
    actor: actor.presence,
    target: target.presence,
    statuses: Object.freeze([...spec.result.statuses]),
    reasons: Array.isArray(spec.result.reasons)
      ? Object.freeze([...(spec.result.reasons as readonly string[])])
      : (spec.result.reasons as 'free-text' | null),
    reasonStatuses: Object.freeze([...reasonStatuses]),
    retentionDays: retentionDays(spec.category),
    fields: Object.freeze(deriveFields(schema)),
    schema,
    upcasters: Object.freeze({ ...upcasters }),
    versionNotes: Object.freeze({ ...(spec.versionNotes ?? {}) }),
  });
}

type Json = Record<string, unknown>;

function isObjectSchema(s: Json): boolean {
  return s.type === 'object' && typeof s.properties === 'object' && s.properties !== null;
}

/** Readable type of a schema for docs, e.g. `enum: A | B`, `string (date-time)`, `array<object>`. */
export function describeType(s: Json): string {
  if (s.not !== undefined) return 'never (rejected)';
  if (Array.isArray(s.enum)) return `enum: ${(s.enum as string[]).join(' | ')}`;
  if (s.const !== undefined) return `const: ${JSON.stringify(s.const)}`;
  if (s.type === 'array') {
    const items = s.items as Json;
    const inner = isObjectSchema(items) ? 'object' : describeType(items);
    return `array<${inner}>`;
  }
  if (s.type === 'string') {
    if (typeof s.format === 'string') return `string (${s.format})`;
    return typeof s.maxLength === 'number' ? `string (≤${s.maxLength})` : 'string';
  }
  if (s.type === 'integer' || s.type === 'number') {
    const min = typeof s.minimum === 'number' ? `≥${s.minimum}` : '';
    const max = typeof s.maximum === 'number' ? `≤${s.maximum}` : '';
    const range = [min, max].filter(Boolean).join(', ');
    return range === '' ? String(s.type) : `${String(s.type)} (${range})`;
  }
  return String(s.type);
}

function whoseOf(path: string, s: Json): Whose | null {
  if (s[ANNOTATION.personal] !== true) return null;
  const annotated = s[ANNOTATION.whose];
  if (annotated === 'actor' || annotated === 'target') return annotated;
  return path.startsWith('/actor/') ? 'actor' : 'target';
}

/** Walks the schema once, at definition time: every property becomes a field spec. */
export function deriveFields(root: TSchema): FieldSpec[] {
  const out: FieldSpec[] = [];
  const walk = (s: Json, path: string, required: boolean): void => {
    if (path !== '') {
      const secret = s[ANNOTATION.secret] === true;
      const handling = s[ANNOTATION.secretHandling] as SecretHandling | undefined;
      const whose = whoseOf(path, s);
      out.push({
        path,
        seedName: (s[ANNOTATION.seedName] as string | undefined) ?? null,
        type: isObjectSchema(s) ? 'object' : describeType(s),
        required,
        personal: whose !== null,
        whose,
        secret,
        ...(secret && handling !== undefined ? { secretHandling: handling } : {}),
        description: (s.description as string | undefined) ?? '',
      });
    }
    if (isObjectSchema(s)) {
      const req = new Set((s.required as string[] | undefined) ?? []);
      for (const [key, child] of Object.entries(s.properties as Record<string, Json>)) {
        walk(child, `${path}/${key}`, req.has(key));
      }
    } else if (s.type === 'array' && isObjectSchema(s.items as Json)) {
      const items = s.items as Json;
      const req = new Set((items.required as string[] | undefined) ?? []);
      for (const [key, child] of Object.entries(items.properties as Record<string, Json>)) {
        walk(child, `${path}/*/${key}`, req.has(key));
      }
    }
  };
  walk(root, '', true);
  return out;
}
