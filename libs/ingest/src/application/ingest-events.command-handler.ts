import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  EventCatalog,
  ProducerEvent,
  EventTypeDefinition,
  PRIVACY_EVENT,
  normalisePrincipalName,
  retentionDays,
} from '@authtrail/catalog';
import {
  AppendResult,
  AppendToStream,
  EVENT_STORE,
  EventStore,
  GuardFailedError,
  IdempotencyConflictError,
  dataStream,
  encodeEnvelope,
  subjectStream,
} from '@authtrail/event-store';
import { DataKey, Keyring, ResolvedSubjectKey } from '@authtrail/key-vault';
import { AppError, CLOCK, Clock, FieldError, ValidationError } from '@authtrail/platform';
import { TenantsService } from '@authtrail/tenancy';
import { INGEST_LIMITS, IngestLimits } from './ingest-limits';
import { canonicalJson, checkOccurredAt } from '../domain/ingest-rules';
import { IngestEventsCommand, IngestResult } from './ingest-events.command';

type Role = 'actor' | 'target';
const ROLES: readonly Role[] = ['actor', 'target'];

interface Checked {
  readonly event: ProducerEvent;
  readonly definition: EventTypeDefinition;
}

@CommandHandler(IngestEventsCommand)
export class IngestEventsHandler implements ICommandHandler<IngestEventsCommand, IngestResult> {
  constructor(
    private readonly catalog: EventCatalog,
    private readonly keyring: Keyring,
    private readonly tenants: TenantsService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INGEST_LIMITS) private readonly limits: IngestLimits,
  ) {}

  async execute(command: IngestEventsCommand): Promise<IngestResult> {
    const { tenantId, events } = command;
    if (events.length === 0) {
      throw new ValidationError(
        'the batch holds no event',
        [{ path: '', message: 'send at least one event' }],
        'EVENT.BATCH_EMPTY',
      );
    }
    if (events.length > this.limits.maxEvents) {
      throw new AppError(
        'EVENT.BATCH_TOO_LARGE',
        'too-large',
        `a batch holds at most ${this.limits.maxEvents} events, this one ${events.length}`,
      );
    }
    // Opt-in first: a tenant that has not opted in learns nothing about its input.
    await this.tenants.assertCollecting(tenantId);

    const checked = this.validate(events);
    const now = this.clock.now();

    const names = new Set<string>();
    for (const { event } of checked) {
      for (const role of ROLES) {
        const person = event[role];
        if (person) names.add(normalisePrincipalName(person.userPrincipalName));
      }
    }
    const result = await this.appendGuarded(command, checked, [...names], now);
    const byCategory: Record<string, number> = {};
    let accepted = 0;
    result.statuses.forEach((status, i) => {
      if (status !== 'appended') return;
      accepted++;
      const category = checked[i].definition.category;
      byCategory[category] = (byCategory[category] ?? 0) + 1;
    });
    return { accepted, duplicates: result.statuses.length - accepted, byCategory };
  }

  /**
   * Appends with a guard per person: their lifecycle stream must show no erasure when the
   * append commits (DESIGN.md "Streams and ordering"). An erasure that won the race shredded
   * the key these events were sealed under, and its name-index row: the people it names
   * are resolved again (a new subject and key), sealed again, and appended once more, so
   * nothing lands under an erased subject after its `SubjectErased`.
   */
  private async appendGuarded(
    command: IngestEventsCommand,
    checked: readonly Checked[],
    names: readonly string[],
    now: Date,
  ): Promise<AppendResult> {
    const { tenantId } = command;
    for (let attempt = 1; ; attempt++) {
      const subjects = await this.keyring.resolveSubjects(tenantId, names);
      const streams = await this.protect(command, checked, subjects, now);
      const subjectIds = new Set<string>();
      for (const stream of streams)
        for (const event of stream.events) for (const id of event.subjectIds) subjectIds.add(id);
      const guards = [...subjectIds].map((subjectId) => ({
        streamId: subjectStream(tenantId, subjectId),
        withoutTypes: [PRIVACY_EVENT.erased],
      }));
      try {
        return await this.store.append(tenantId, streams, { guards });
      } catch (e) {
        if (e instanceof GuardFailedError) {
          const erased = [...subjectIds].filter((id) =>
            e.streamIds.includes(subjectStream(tenantId, id)),
          );
          // This replica may still hold their keys in its cache (≤ 1 s): drop them.
          for (const subjectId of erased) this.keyring.forget(tenantId, subjectId);
          if (attempt < 2) continue;
          throw new AppError(
            'EVENT.SUBJECT_ERASED_CONCURRENTLY',
            'unavailable',
            'people named in this batch were erased while it was being stored; nothing of this request was stored: send it again',
            { retriable: true },
          );
        }
        throw ingestError(e);
      }
    }
  }

  /** Splits, seals and fingerprints each event under its people's keys: the streams to append. */
  private async protect(
    command: IngestEventsCommand,
    checked: readonly Checked[],
    subjects: ReadonlyMap<string, ResolvedSubjectKey>,
    now: Date,
  ): Promise<AppendToStream[]> {
    const { tenantId } = command;
    const streams: AppendToStream[] = [];
    for (const { event, definition } of checked) {
      const split = this.catalog.split(event);
      const roleSubjects: Record<string, string> = {};
      const bySubject = new Map<string, { key: DataKey; fields: Record<string, unknown> }>();
      for (const role of ROLES) {
        const person = event[role];
        if (!person) continue;
        const resolved = subjects.get(normalisePrincipalName(person.userPrincipalName));
        if (!resolved) throw new Error('subject was not resolved');
        roleSubjects[role] = resolved.subjectId;
        // Actor and target are often one person (self-service): one blob per person.
        const entry = bySubject.get(resolved.subjectId) ?? { key: resolved.key, fields: {} };
        Object.assign(entry.fields, split.personal[role] ?? {});
        bySubject.set(resolved.subjectId, entry);
      }
      const sealed: Record<string, string> = {};
      for (const [subjectId, { key, fields }] of bySubject) {
        sealed[subjectId] = this.keyring.seal(key, fields, { eventId: event.eventId, subjectId });
      }
      const primary = roleSubjects.target ?? roleSubjects.actor ?? 'none';
      // Idempotency fingerprint in parts: the non-personal content under the tenant's
      // key, each person's fields under a key derived from that person's own data key.
      // Once a person is erased nothing can confirm a guess of their data by re-posting
      // an event id (a re-post then resolves to a new subject and reads as a conflict).
      let fingerprint = await this.keyring.fingerprint(
        tenantId,
        Buffer.from(
          canonicalJson({
            eventId: event.eventId,
            type: event.type,
            occurredAt: event.occurredAt,
            correlationId: event.correlationId,
            roles: ROLES.filter((r) => event[r] !== undefined),
            data: split.data,
          }),
          'utf8',
        ),
      );
      for (const role of ROLES) {
        const subjectId = roleSubjects[role];
        if (subjectId === undefined) continue;
        const personal = Buffer.from(canonicalJson(split.personal[role] ?? {}), 'utf8');
        fingerprint += `.${role}:${this.keyring.personFingerprint(bySubject.get(subjectId)!.key, personal)}`;
      }
      const data = encodeEnvelope({
        eventId: event.eventId,
        tenantId,
        type: event.type,
        schemaVersion: definition.schemaVersion,
        occurredAt: new Date(event.occurredAt).toISOString(),
        recordedAt: now.toISOString(),
        ...(event.correlationId ? { correlationId: event.correlationId } : {}),
        causationId: `key:${command.producerKeyId}`,
        subjects: roleSubjects,
        data: split.data,
        sealed,
      });
      streams.push({
        streamId: dataStream(tenantId, definition.category as 'sspr' | 'mfa', primary),
        expectedRevision: 'any',
        events: [
          {
            eventId: event.eventId,
            type: event.type,
            fingerprint,
            subjectIds: [...bySubject.keys()],
            occurredAt: new Date(event.occurredAt),
            data,
          },
        ],
      });
    }

    return streams;
  }

  /** Validates every event and collects every problem, so the producer fixes all at once. */
  private validate(events: readonly unknown[]): Checked[] {
    const issues: FieldError[] = [];
    const checked: Checked[] = [];
    const now = this.clock.now();
    events.forEach((raw, index) => {
      const outcome = this.catalog.validate(raw);
      if (!outcome.ok) {
        for (const issue of outcome.issues)
          issues.push({ index, path: issue.path, message: issue.message });
        return;
      }
      const timing = checkOccurredAt(index, outcome.event.occurredAt, {
        now,
        maxFutureSkewMs: this.limits.maxFutureSkewMs,
        retentionDays:
          this.limits.retentionDays?.[outcome.definition.category] ??
          retentionDays(outcome.definition.category),
      });
      if (timing) issues.push(timing);
      checked.push({ event: outcome.event, definition: outcome.definition });
    });
    if (issues.length > 0) {
      throw new ValidationError(
        `${new Set(issues.map((i) => i.index)).size} of ${events.length} events are invalid; nothing was stored`,
        issues,
        'EVENT.INVALID',
      );
    }
    return checked;
  }
}

/** The store's idempotency conflict as the producer's 409, naming each index. */
function ingestError(e: unknown): unknown {
  if (!(e instanceof IdempotencyConflictError)) return e;
  return new AppError(
    'EVENT.ID_CONFLICT',
    'conflict',
    'an eventId was reused with different content; nothing of this request was stored',
    {
      extensions: { indexes: e.indexes },
      errors: e.indexes.map((index) => ({
        index,
        path: '/eventId',
        message: 'this eventId is already stored with different content',
      })),
    },
  );
}
