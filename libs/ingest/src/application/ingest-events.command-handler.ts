import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventCatalog, PRIVACY_EVENT, retentionDays } from '@authtrail/catalog';
import {
  AppendResult,
  EVENT_STORE,
  EventStore,
  GuardFailedError,
  IdempotencyConflictError,
  subjectStream,
} from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import { AppError, CLOCK, Clock, FieldError, ValidationError } from '@authtrail/platform';
import { TenantsService } from '@authtrail/tenancy';
import { INGEST_LIMITS, IngestLimits } from './ingest-limits';
import { checkOccurredAt } from '../domain/ingest-rules';
import { CheckedEvent, EventProtection, namesOf, protectEvents } from '../domain/protect-events';
import { IngestEventsCommand, IngestResult } from './ingest-events.command';

/**
 * Events validated or protected per turn of the event loop. A batch of 1000 is ~150 ms of
 * CPU: in one piece, every request that arrives meanwhile (a report, a health check) waits
 * behind all of it, and behind each other batch in flight. In slices of ~15 ms they are
 * served in between (issue #15: reports were a second slow under batch ingest).
 */
const SLICE = 100;

/** Lets pending I/O (requests that arrived meanwhile) run before the next slice. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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

    const checked = await this.validate(events);
    const now = this.clock.now();

    const result = await this.appendGuarded(command, checked, namesOf(checked), now);
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
    checked: readonly CheckedEvent[],
    names: readonly string[],
    now: Date,
  ): Promise<AppendResult> {
    const { tenantId, producerKeyId } = command;
    const keyring = this.keyring;
    const protection: EventProtection = {
      tenantFingerprint: await keyring.fingerprinter(tenantId),
      personFingerprint: (key, bytes) => keyring.personFingerprint(key, bytes),
      seal: (key, payload, aad) => keyring.seal(key, payload, aad),
      personDigest: (key, bytes) => keyring.personDigest(key, bytes),
    };
    for (let attempt = 1; ; attempt++) {
      const subjects = await keyring.resolveSubjects(tenantId, names);
      const streams: ReturnType<typeof protectEvents> = [];
      for (let i = 0; i < checked.length; i += SLICE) {
        if (i > 0) await nextTurn();
        const slice = checked.slice(i, i + SLICE);
        streams.push(
          ...protectEvents(
            this.catalog,
            { tenantId, producerKeyId, recordedAt: now, events: slice, subjects },
            protection,
          ),
        );
      }
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
        throw ingestError(e, checked);
      }
    }
  }

  /** Validates every event and collects every problem, so the producer fixes all at once. */
  private async validate(events: readonly unknown[]): Promise<CheckedEvent[]> {
    const issues: FieldError[] = [];
    const checked: CheckedEvent[] = [];
    const now = this.clock.now();
    for (let index = 0; index < events.length; index++) {
      if (index > 0 && index % SLICE === 0) await nextTurn();
      const raw = events[index];
      const outcome = this.catalog.validate(raw);
      if (!outcome.ok) {
        for (const issue of outcome.issues)
          issues.push({ index, path: issue.path, message: issue.message });
        continue;
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
    }
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

/**
 * The store's idempotency conflict as the producer's 409, naming each index: an id used
 * twice within this batch with different content is said to be so (with the other index),
 * apart from an id already stored with other content.
 */
function ingestError(e: unknown, checked: readonly CheckedEvent[]): unknown {
  if (!(e instanceof IdempotencyConflictError)) return e;
  const firstIndex = new Map<string, number>();
  checked.forEach((c, i) => {
    if (!firstIndex.has(c.event.eventId)) firstIndex.set(c.event.eventId, i);
  });
  const errors = e.indexes.map((index) => {
    const first = firstIndex.get(checked[index]?.event.eventId ?? '');
    return first !== undefined && first < index
      ? {
          index,
          path: '/eventId',
          message: `this eventId is twice in this batch (also at index ${first}) with different content: give one of them a new eventId`,
        }
      : {
          index,
          path: '/eventId',
          message: 'this eventId is already stored with different content',
        };
  });
  const inBatch = errors.some((x) => x.message.includes('twice in this batch'));
  return new AppError(
    'EVENT.ID_CONFLICT',
    'conflict',
    inBatch
      ? 'an eventId is twice in this batch with different content; nothing of this request was stored'
      : 'an eventId was reused with different content; nothing of this request was stored',
    { extensions: { indexes: e.indexes }, errors },
  );
}
