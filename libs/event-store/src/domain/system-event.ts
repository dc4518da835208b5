import { EventCatalog, type SystemEventType } from '@authtrail/catalog';
import { AppError } from '@authtrail/platform';
import { type Envelope, encodeEnvelope } from './envelope';
import type { NewEvent } from './event-store.port';

/** Data as the typed constructor takes it: its schema's type, read-only all the way down. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface SystemEventInput<D> {
  readonly eventId: string;
  readonly tenantId: string;
  readonly now: Date;
  /** Non-personal facts only: people by subject id, callers by key id. */
  readonly data: DeepReadonly<D>;
  readonly correlationId?: string;
  readonly causationId?: string;
}

/**
 * A system event that does not match its own schema: a bug in the code that builds it.
 * Nothing is appended; the request fails loudly instead of storing a record consumers
 * would misread.
 */
export class SystemEventInvalidError extends AppError {
  constructor(
    readonly type: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(
      'EVENT.SYSTEM_EVENT_INVALID',
      'internal',
      `${type} does not match its schema: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
    );
  }
}

/**
 * The one way production code records an event of its own (tenant, privacy, access,
 * ledger): typed by the catalog's schema of that type, validated against it before it is
 * handed to the store (`SystemEventInvalidError` otherwise), subjects taken from the
 * type's subject field. It carries no personal data, so nothing is sealed; its id is
 * fresh, so its fingerprint is its id.
 */
export function systemEvent<T extends string, D>(
  type: SystemEventType<T, D>,
  input: SystemEventInput<D>,
): NewEvent {
  const data = input.data as Readonly<Record<string, unknown>>;
  const subject = type.subjectField === null ? undefined : data[type.subjectField];
  const iso = input.now.toISOString();
  const envelope: Envelope = {
    eventId: input.eventId,
    tenantId: input.tenantId,
    type: type.type,
    schemaVersion: type.schemaVersion,
    occurredAt: iso,
    recordedAt: iso,
    ...(input.correlationId !== undefined ? { correlationId: input.correlationId } : {}),
    ...(input.causationId !== undefined ? { causationId: input.causationId } : {}),
    subjects: typeof subject === 'string' ? { subject } : {},
    data,
    sealed: {},
  };
  const issues = EventCatalog.default().checkSystemEvent(envelope);
  if (issues.length > 0) throw new SystemEventInvalidError(type.type, issues);
  return {
    eventId: input.eventId,
    type: type.type,
    fingerprint: input.eventId,
    subjectIds: typeof subject === 'string' ? [subject] : [],
    occurredAt: input.now,
    data: encodeEnvelope(envelope),
  };
}

export interface EnvelopeEventInput {
  readonly eventId: string;
  readonly tenantId: string;
  readonly type: string;
  readonly schemaVersion?: number;
  readonly now: Date;
  readonly data: Readonly<Record<string, unknown>>;
  readonly subjects?: Readonly<Record<string, string>>;
  readonly correlationId?: string;
  readonly causationId?: string;
}

/**
 * An event with a plain envelope of any type, unchecked: for tests and benchmarks that
 * need stored events without the ingest path. Production code records its own events
 * with `systemEvent` (ESLint refuses this one outside tests).
 */
export function newSystemEvent(input: EnvelopeEventInput): NewEvent {
  const iso = input.now.toISOString();
  const subjects = input.subjects ?? {};
  return {
    eventId: input.eventId,
    type: input.type,
    fingerprint: input.eventId,
    subjectIds: [...new Set(Object.values(subjects))],
    occurredAt: input.now,
    data: encodeEnvelope({
      eventId: input.eventId,
      tenantId: input.tenantId,
      type: input.type,
      schemaVersion: input.schemaVersion ?? 1,
      occurredAt: iso,
      recordedAt: iso,
      ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      ...(input.causationId ? { causationId: input.causationId } : {}),
      subjects,
      data: input.data,
      sealed: {},
    }),
  };
}
