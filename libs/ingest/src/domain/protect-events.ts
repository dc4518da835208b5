import {
  EventCatalog,
  EventTypeDefinition,
  ProducerEvent,
  identityDigestInput,
  identityOf,
  normalisePrincipalName,
} from '@authtrail/catalog';
import { AppendToStream, dataStream, encodeEnvelope } from '@authtrail/event-store';
import type { DataKey, ResolvedSubjectKey, SealAad } from '@authtrail/key-vault';
import { canonicalJson } from './ingest-rules';

export type IngestRole = 'actor' | 'target';
export const INGEST_ROLES: readonly IngestRole[] = ['actor', 'target'];

/** A producer event that passed its schema and time bounds, with its type's definition. */
export interface CheckedEvent {
  readonly event: ProducerEvent;
  readonly definition: EventTypeDefinition;
}

/**
 * The crypto ingest needs, with the keys already at hand (the Keyring is one): sealing a
 * person's fields under their data key and the two HMACs of the idempotency fingerprint.
 */
export interface EventProtection {
  /** HMAC (hex) under the tenant's fingerprint key. */
  tenantFingerprint(canonicalBytes: Uint8Array): string;
  /** HMAC (hex) under a key derived from the person's own data key. */
  personFingerprint(key: DataKey, canonicalBytes: Uint8Array): string;
  /** The person's personal fields of one event, sealed and bound to event and subject. */
  seal(key: DataKey, payload: object, aad: SealAad): string;
  /** A short keyed digest under a key derived from the person's own data key. */
  personDigest(key: DataKey, bytes: Uint8Array): string;
}

export interface ProtectInput {
  readonly tenantId: string;
  /** Key id of the producer, recorded as causation. */
  readonly producerKeyId: string;
  readonly recordedAt: Date;
  readonly events: readonly CheckedEvent[];
  /** Normalised user principal name → that person's subject and data key. */
  readonly subjects: ReadonlyMap<string, ResolvedSubjectKey>;
}

/** The names (normalised) of everyone an ingest batch names, actor or target. */
export function namesOf(events: readonly CheckedEvent[]): string[] {
  const names = new Set<string>();
  for (const { event } of events) {
    for (const role of INGEST_ROLES) {
      const person = event[role];
      if (person) names.add(normalisePrincipalName(person.userPrincipalName));
    }
  }
  return [...names];
}

/**
 * Ingest's protect step: each event split into its clear data and one sealed blob per
 * person, under that person's key, with its idempotency fingerprint, as one append to
 * its data stream (the target's, else the actor's). Nothing personal reaches the
 * envelope outside `sealed` (and `identity`, digests keyed per person). Throws when a person of an event is not in `subjects`.
 */
export function protectEvents(
  catalog: EventCatalog,
  input: ProtectInput,
  protection: EventProtection,
): AppendToStream[] {
  const { tenantId, subjects } = input;
  const recordedAt = input.recordedAt.toISOString();
  return input.events.map(({ event, definition }) => {
    const split = catalog.split(event);
    const roleSubjects: Partial<Record<IngestRole, string>> = {};
    const bySubject = new Map<string, { key: DataKey; fields: Record<string, unknown> }>();
    for (const role of INGEST_ROLES) {
      const person = event[role];
      if (!person) continue;
      const resolved = subjects.get(normalisePrincipalName(person.userPrincipalName));
      if (!resolved) throw new Error(`the ${role} of an event was not resolved to a subject`);
      roleSubjects[role] = resolved.subjectId;
      // Actor and target are often one person (self-service): one blob per person.
      const entry = bySubject.get(resolved.subjectId) ?? { key: resolved.key, fields: {} };
      Object.assign(entry.fields, split.personal[role] ?? {});
      bySubject.set(resolved.subjectId, entry);
    }
    const sealed: Record<string, string> = {};
    const identity: string[] = [];
    for (const [subjectId, { key, fields }] of bySubject) {
      sealed[subjectId] = protection.seal(key, fields, { eventId: event.eventId, subjectId });
      // What the SIEM forwarder would read from the blob, digested: it opens the blob only
      // when the digest is not the one it last saw published.
      const who = identityOf(fields);
      identity.push(
        Object.keys(who).length > 0 ? protection.personDigest(key, identityDigestInput(who)) : '',
      );
    }
    // Idempotency fingerprint in parts: the non-personal content under the tenant's
    // key, each person's fields under a key derived from that person's own data key.
    // Once a person is erased nothing can confirm a guess of their data by re-posting
    // an event id (a re-post then resolves to a new subject and reads as a conflict).
    let fingerprint = protection.tenantFingerprint(
      Buffer.from(
        canonicalJson({
          eventId: event.eventId,
          type: event.type,
          occurredAt: event.occurredAt,
          correlationId: event.correlationId,
          roles: INGEST_ROLES.filter((r) => event[r] !== undefined),
          data: split.data,
        }),
        'utf8',
      ),
    );
    for (const role of INGEST_ROLES) {
      const subjectId = roleSubjects[role];
      if (subjectId === undefined) continue;
      const personal = Buffer.from(canonicalJson(split.personal[role] ?? {}), 'utf8');
      fingerprint += `.${role}:${protection.personFingerprint(bySubject.get(subjectId)!.key, personal)}`;
    }
    const occurredAt = new Date(event.occurredAt);
    const data = encodeEnvelope({
      eventId: event.eventId,
      tenantId,
      type: event.type,
      schemaVersion: definition.schemaVersion,
      occurredAt: occurredAt.toISOString(),
      recordedAt,
      ...(event.correlationId ? { correlationId: event.correlationId } : {}),
      causationId: `key:${input.producerKeyId}`,
      subjects: roleSubjects,
      data: split.data,
      sealed,
      identity,
    });
    const primary = roleSubjects.target ?? roleSubjects.actor ?? 'none';
    return {
      streamId: dataStream(tenantId, definition.category as 'sspr' | 'mfa', primary),
      expectedRevision: 'any',
      events: [
        {
          eventId: event.eventId,
          type: event.type,
          fingerprint,
          subjectIds: [...bySubject.keys()],
          occurredAt,
          data,
        },
      ],
    };
  });
}
