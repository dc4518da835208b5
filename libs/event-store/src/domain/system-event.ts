import { encodeEnvelope } from './envelope';
import type { NewEvent } from './event-store.port';

export interface SystemEventInput {
  readonly eventId: string;
  readonly tenantId: string;
  readonly type: string;
  readonly schemaVersion?: number;
  readonly now: Date;
  /** Non-personal facts only: people by subject id, callers by key id. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly subjects?: Readonly<Record<string, string>>;
  readonly correlationId?: string;
  readonly causationId?: string;
}

/**
 * An event authtrail records itself (tenant, privacy, access, ledger). It carries no
 * personal data, so nothing is sealed; its id is fresh, so its fingerprint is its id.
 */
export function newSystemEvent(input: SystemEventInput): NewEvent {
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
