import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type {
  CatalogIssue,
  EventTypeDefinition,
  Person,
  PersonalInput,
  ProducerEvent,
  SplitEvent,
  ValidationOutcome,
  Whose,
} from './catalog.types';
import { UnknownEventTypeError, UnsupportedSchemaVersionError } from './catalog.errors';
import { ANNOTATION, ANNOTATION_KEYWORDS } from './field.builders';
import { toIssues } from './ajv-issues';
import { setAtPointer } from './json-pointer';
import { MFA_EVENT_TYPES } from './mfa.event-types';
import { SYSTEM_ENVELOPE_MEMBERS, isSystemEventType } from './system-event.builder';
import { SYSTEM_EVENT_TYPES } from './system-events';
import { buildSplitPlan, type SplitPlan } from './split-plan';
import { SSPR_EVENT_TYPES } from './sspr.event-types';

/** RFC 4122 layout only: ajv-formats' `uuid` also takes a `urn:uuid:` prefix, which would let one id have two spellings. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const PERSONAL_ROOTS: ReadonlySet<string> = new Set(['actor', 'target', 'details']);
const WHO: readonly Whose[] = ['actor', 'target'];
const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

interface Entry {
  readonly definition: EventTypeDefinition;
  readonly validate: ValidateFunction;
  readonly plan: SplitPlan;
}

/** A system event's stored envelope, as far as the catalog checks it. */
export interface StoredSystemEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly subjects: Readonly<Record<string, string>>;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ValidateOptions {
  /** Accept the service's own (non-postable) types: for events authtrail records itself. */
  readonly internal?: boolean;
}

type Json = Record<string, unknown>;

function fail(path: string, message: string): ValidationOutcome {
  return { ok: false, issues: [{ path, message }] };
}

function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const k of Object.keys(value)) out[k] = cloneJson((value as Json)[k]);
    return out as T;
  }
  return value;
}

/**
 * The event catalog: every event type with its schema, validation, personal and secret
 * fields, versions and published JSON Schema. Validators are compiled once, at
 * construction; split and merge follow plans precomputed per type.
 */
export class EventCatalog {
  private static shared: EventCatalog | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly definitions: readonly EventTypeDefinition[];
  private publishedSchemas: Record<string, object> | undefined;

  constructor(definitions: readonly EventTypeDefinition[]) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    addFormats(ajv, ['date-time']);
    ajv.addFormat('uuid', UUID);
    ajv.addVocabulary([...ANNOTATION_KEYWORDS]);
    for (const definition of definitions) {
      if (this.entries.has(definition.type))
        throw new Error(`duplicate event type ${definition.type}`);
      this.entries.set(definition.type, {
        definition,
        validate: ajv.compile(definition.schema),
        plan: buildSplitPlan(definition),
      });
    }
    this.definitions = Object.freeze([...definitions]);
  }

  /** The catalog of every authtrail event type; built once per process. */
  static default(): EventCatalog {
    EventCatalog.shared ??= new EventCatalog([
      ...SSPR_EVENT_TYPES,
      ...MFA_EVENT_TYPES,
      ...SYSTEM_EVENT_TYPES,
    ]);
    return EventCatalog.shared;
  }

  get(type: string): EventTypeDefinition | undefined {
    return this.entries.get(type)?.definition;
  }

  list(): readonly EventTypeDefinition[] {
    return this.definitions;
  }

  /** Types producers may post. */
  producerTypes(): readonly EventTypeDefinition[] {
    return this.definitions.filter((d) => d.producerPostable);
  }

  /**
   * Validates one producer event. Unknown or non-postable types give one issue at
   * `/type`; otherwise every schema violation is reported, each at its JSON pointer.
   * The event is returned as given (never copied or coerced).
   */
  validate(raw: unknown, options: ValidateOptions = {}): ValidationOutcome {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return fail('', 'must be an event object');
    }
    const type = (raw as Json).type;
    if (type === undefined) return fail('/type', 'is required');
    if (typeof type !== 'string') return fail('/type', 'must be a string');
    const entry = this.entries.get(type);
    if (entry === undefined) {
      return fail('/type', `unknown event type "${type.slice(0, 100)}"`);
    }
    if (!entry.definition.producerPostable && options.internal !== true) {
      return fail('/type', `${type} is recorded by authtrail itself and cannot be posted`);
    }
    if (entry.validate(raw)) {
      return { ok: true, event: raw as ProducerEvent, definition: entry.definition };
    }
    const issues: CatalogIssue[] = toIssues(entry.validate.errors);
    return {
      ok: false,
      issues: issues.length > 0 ? issues : [{ path: '', message: 'is invalid' }],
    };
  }

  /**
   * Every way a system event's envelope departs from its type: the schema (over the event
   * as readers see it: envelope ids and times beside the data), the current schema
   * version, and `subjects` naming exactly the data's subject field. Empty when it is
   * valid. The typed constructor refuses to build an event with any; tests check stored
   * events with it.
   */
  checkSystemEvent(envelope: StoredSystemEvent): CatalogIssue[] {
    const entry = this.entries.get(envelope.type);
    if (entry === undefined)
      return [
        { path: '/type', message: `unknown event type "${String(envelope.type).slice(0, 100)}"` },
      ];
    const { definition } = entry;
    if (!isSystemEventType(definition))
      return [{ path: '/type', message: `${definition.type} is not recorded by authtrail` }];
    const issues: CatalogIssue[] = [];
    if (envelope.schemaVersion !== definition.schemaVersion)
      issues.push({
        path: '/schemaVersion',
        message: `must be ${definition.schemaVersion}, the current version`,
      });
    const data = envelope.data as Json;
    for (const key of Object.keys(data))
      if (SYSTEM_ENVELOPE_MEMBERS.includes(key))
        issues.push({ path: `/${key}`, message: 'is an envelope member, not data' });
    const view: Json = {
      eventId: envelope.eventId,
      type: envelope.type,
      occurredAt: envelope.occurredAt,
      ...(envelope.correlationId !== undefined ? { correlationId: envelope.correlationId } : {}),
      ...(envelope.causationId !== undefined ? { causationId: envelope.causationId } : {}),
      ...data,
    };
    if (!entry.validate(view)) issues.push(...toIssues(entry.validate.errors));
    const subject = definition.subjectField === null ? undefined : data[definition.subjectField];
    const expected = typeof subject === 'string' ? { subject } : {};
    if (JSON.stringify(envelope.subjects) !== JSON.stringify(expected))
      issues.push({
        path: '/subjects',
        message: `must be ${JSON.stringify(expected)} (from the data's ${definition.subjectField ?? 'no'} subject field)`,
      });
    return issues;
  }

  /**
   * Splits a validated event into its non-personal data and each person's personal
   * fields, applying secret handling: fact secrets become `fact: true`, and no secret
   * value survives in either part.
   */
  split(event: ProducerEvent): SplitEvent {
    const { plan } = this.entry(event.type);
    const data: Json = {};
    const personal: SplitEvent['personal'] = {};
    if (event.correlationId !== undefined) data.correlationId = event.correlationId;
    for (const who of WHO) {
      const person: Person | undefined = event[who];
      if (person === undefined) continue;
      const bucket: Json = {};
      for (const key of Object.keys(person)) {
        const value = (person as unknown as Json)[key];
        if (plan.personKeys.has(key)) bucket[`/${who}/${key}`] = value;
        else if (key === 'role') data[`${who}Role`] = value;
      }
      personal[who] = bucket;
    }
    data.result = { ...event.result };
    if (event.details !== undefined) {
      const details: Json = {};
      for (const key of Object.keys(event.details)) {
        const value = event.details[key];
        const rule = plan.details.get(key);
        if (rule === undefined) {
          details[key] = value;
          continue;
        }
        switch (rule.kind) {
          case 'personal':
            (personal[rule.whose] ??= {})[`/details/${key}`] = value;
            break;
          case 'fact':
            details[rule.fact] = true;
            break;
          case 'reject':
            break; // validation already refused it; never carried on
          case 'items':
            details[key] = (value as Json[]).map((item, i) => {
              const kept: Json = {};
              for (const sub of Object.keys(item)) {
                const whose = rule.items.get(sub);
                if (whose === undefined) kept[sub] = item[sub];
                else (personal[whose] ??= {})[`/details/${key}/${i}/${sub}`] = item[sub];
              }
              return kept;
            });
            break;
        }
      }
      data.details = details;
    }
    return { data, personal };
  }

  /**
   * Inverse of `split`: the event body (without `eventId`, `type` and `occurredAt`, which
   * the stored envelope carries). A person given as null is erased: their personal fields
   * are omitted, their role (not personal) stays. A person left undefined is absent
   * unless the data names their role.
   */
  merge(type: string, data: Json, personal: PersonalInput): Json {
    this.entry(type);
    const view: Json = {};
    for (const key of Object.keys(data)) {
      if (key === 'actorRole' || key === 'targetRole') continue;
      view[key] = key === 'details' || key === 'result' ? cloneJson(data[key]) : data[key];
    }
    for (const who of WHO) {
      if (personal[who] !== undefined || data[`${who}Role`] !== undefined) view[who] = {};
    }
    // Buckets are applied by pointer, not by owner: when actor and target are one person,
    // callers may hand the same combined blob for both.
    for (const who of WHO) {
      const bucket = personal[who];
      if (bucket === null || bucket === undefined) continue;
      for (const pointer of Object.keys(bucket)) {
        setAtPointer(view, pointer, bucket[pointer], PERSONAL_ROOTS);
      }
    }
    for (const who of WHO) {
      const role = data[`${who}Role`];
      if (role !== undefined) (view[who] as Json).role = role;
    }
    return view;
  }

  /** A stored (merged) view written at `fromVersion` → the current version, through each upcaster in turn. */
  upcast(type: string, fromVersion: number, view: Json): Json {
    const { definition } = this.entry(type);
    const current = definition.schemaVersion;
    if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion > current) {
      throw new UnsupportedSchemaVersionError(type, fromVersion, current);
    }
    let out = view;
    for (let v = fromVersion; v < current; v++) out = definition.upcasters[v](out);
    return out;
  }

  /**
   * Upcasts only the non-personal data of a stored event (for readers without keys, such
   * as projections): merges it with every person erased, upcasts, and splits the roles
   * back out. Returns `data` itself when it is already current.
   */
  upcastData(type: string, fromVersion: number, data: Json): Json {
    const { definition } = this.entry(type);
    if (fromVersion === definition.schemaVersion) return data;
    const view = this.upcast(
      type,
      fromVersion,
      this.merge(type, data, { actor: null, target: null }),
    );
    const out: Json = {};
    for (const key of Object.keys(view)) {
      if (key === 'actor' || key === 'target') {
        const role = (view[key] as Json).role;
        if (role !== undefined) out[`${key}Role`] = role;
      } else out[key] = view[key];
    }
    return out;
  }

  /** JSON Schema (draft-07) per type, with `x-authtrail-*` annotations on personal and secret fields. */
  jsonSchemas(): Record<string, object> {
    if (this.publishedSchemas === undefined) {
      const out: Record<string, object> = {};
      for (const d of this.definitions) {
        // A JSON round trip drops TypeBox's symbol keys: what remains is plain JSON Schema.
        const schema = JSON.parse(JSON.stringify(d.schema)) as Json;
        out[d.type] = {
          $schema: JSON_SCHEMA_DIALECT,
          $id: `urn:authtrail:event:${d.type}:v${d.schemaVersion}`,
          ...schema,
          'x-authtrail-category': d.category,
          'x-authtrail-schema-version': d.schemaVersion,
          'x-authtrail-seed-name': d.seedName,
          'x-authtrail-producer-postable': d.producerPostable,
          'x-authtrail-retention-days': d.retentionDays,
        };
      }
      this.publishedSchemas = out;
    }
    return this.publishedSchemas;
  }

  private entry(type: string): Entry {
    const entry = this.entries.get(type);
    if (entry === undefined) throw new UnknownEventTypeError(type);
    return entry;
  }
}

/** Re-exported for docs and tests: the annotation keys of the published schemas. */
export const SCHEMA_ANNOTATIONS = ANNOTATION;
