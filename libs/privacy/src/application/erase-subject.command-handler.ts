import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PRIVACY_EVENTS } from '@authtrail/catalog';
import {
  ConcurrencyError,
  EVENT_STORE,
  EventStore,
  decodeEnvelope,
  subjectStream,
  systemEvent,
} from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import { CLOCK, Clock, ID_SOURCE, IdSource } from '@authtrail/platform';
import { decideErasure, isPersonEventType } from '../domain/erasure';
import { DeferredErasure, holdsCovering, holdsOf } from '../domain/legal-hold';
import { PRIVACY_APPEND_ATTEMPTS, readPrivacyLog } from './privacy-log';
import { privacyStream } from './privacy-streams';

export class EraseSubjectCommand {
  constructor(
    readonly tenantId: string,
    readonly userPrincipalName: string,
    readonly actorKeyId: string,
    /** The person already resolved (e.g. from the display name a privacy admin sees); the name is then not read. */
    readonly subjectId?: string,
  ) {}
}

export interface ErasureResult {
  readonly subjectId: string | null;
  readonly erasedAt: string | null;
  readonly events: number;
  /** Only when a legal hold deferred the erasure (answered 202): it runs at the hold's release. */
  readonly status?: 'deferred';
  readonly deferredBy?: string;
  readonly detail?: string;
}

/**
 * Crypto-shredding: the person's data key and name-lookup row are deleted from the
 * vault, so every copy of their sealed fields (log, tables, backups) is unreadable; the
 * log itself is untouched. Steps are ordered so a crash anywhere is finished by
 * `ErasureRecovery` at the next start:
 *   1. `privacy.SubjectErasureRequested` on the tenant's privacy stream (subject id only),
 *   2. shred (vault delete + scrub, local key cache dropped),
 *   3. `privacy.SubjectErased` on the subject's lifecycle stream (expected: no stream).
 * While a legal hold covers the person, step 1 is `privacy.ErasureDeferred` instead and
 * nothing is shredded: the release of the last covering hold runs it (`runDeferred`).
 * Step 1 expects the privacy stream's revision read with the holds, so a hold placed
 * meanwhile is never missed.
 */
@CommandHandler(EraseSubjectCommand)
export class EraseSubjectHandler implements ICommandHandler<EraseSubjectCommand, ErasureResult> {
  constructor(
    private readonly keyring: Keyring,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
  ) {}

  async execute(command: EraseSubjectCommand): Promise<ErasureResult> {
    const { tenantId, actorKeyId } = command;
    const subject =
      command.subjectId === undefined
        ? await this.keyring.findSubject(tenantId, command.userPrincipalName)
        : (await this.keyring.dataKeys(tenantId, [command.subjectId])).has(command.subjectId)
          ? { subjectId: command.subjectId }
          : null;
    // Unknown or already erased (the lookup row went with the key): nothing to do.
    if (!subject) return { subjectId: null, erasedAt: null, events: 0 };
    for (let attempt = 1; ; attempt++) {
      const log = await readPrivacyLog(this.store, tenantId);
      const [hold] = holdsCovering(holdsOf(log.records), subject.subjectId);
      const requestId = this.ids.uuid();
      const now = this.clock.now();
      const event = hold
        ? systemEvent(PRIVACY_EVENTS.erasureDeferred, {
            eventId: requestId,
            tenantId,
            now,
            data: { subjectId: subject.subjectId, holdId: hold.holdId, actorKeyId },
          })
        : systemEvent(PRIVACY_EVENTS.erasureRequested, {
            eventId: requestId,
            tenantId,
            now,
            data: { subjectId: subject.subjectId, actorKeyId },
          });
      try {
        await this.store.append(tenantId, [
          {
            streamId: privacyStream(tenantId),
            expectedRevision: log.revision ?? 'no_stream',
            events: [event],
          },
        ]);
      } catch (e) {
        if (!(e instanceof ConcurrencyError) || attempt >= PRIVACY_APPEND_ATTEMPTS) throw e;
        continue;
      }
      if (hold)
        return {
          subjectId: subject.subjectId,
          erasedAt: null,
          events: 0,
          status: 'deferred',
          deferredBy: hold.holdId,
          detail: `deferred by hold ${hold.holdId}`,
        };
      return this.finish(tenantId, subject.subjectId, requestId, actorKeyId);
    }
  }

  /**
   * Runs an erasure a hold deferred, once no hold covers the person: the request is
   * recorded as caused by the deferral (so it is not run twice), then steps 2 and 3.
   */
  async runDeferred(tenantId: string, deferred: DeferredErasure): Promise<ErasureResult> {
    const requestId = this.ids.uuid();
    await this.store.append(tenantId, [
      {
        streamId: privacyStream(tenantId),
        expectedRevision: 'any',
        events: [
          systemEvent(PRIVACY_EVENTS.erasureRequested, {
            eventId: requestId,
            tenantId,
            now: this.clock.now(),
            data: { subjectId: deferred.subjectId, actorKeyId: deferred.actorKeyId },
            causationId: deferred.deferralId,
          }),
        ],
      },
    ]);
    return this.finish(tenantId, deferred.subjectId, requestId, deferred.actorKeyId);
  }

  /** Steps 2 and 3; idempotent, also used by recovery. */
  async finish(
    tenantId: string,
    subjectId: string,
    requestId: string,
    actorKeyId: string,
  ): Promise<ErasureResult> {
    const lifecycle = (await this.store.readStream(subjectStream(tenantId, subjectId))).map((r) =>
      decodeEnvelope(r.data),
    );
    const decision = decideErasure(lifecycle);
    if (decision.kind === 'already-erased') {
      await this.keyring.eraseSubject(tenantId, subjectId);
      return { subjectId, erasedAt: decision.erasedAt, events: decision.events };
    }
    await this.keyring.eraseSubject(tenantId, subjectId);
    const events = (await this.store.readBySubject(tenantId, subjectId)).filter((r) =>
      isPersonEventType(r.type),
    ).length;
    const erasedAt = this.clock.now();
    try {
      await this.store.append(
        tenantId,
        [
          {
            streamId: subjectStream(tenantId, subjectId),
            expectedRevision: 'no_stream',
            events: [
              systemEvent(PRIVACY_EVENTS.erased, {
                eventId: this.ids.uuid(),
                tenantId,
                now: erasedAt,
                data: { subjectId, events, erasedAt: erasedAt.toISOString(), actorKeyId },
                causationId: requestId,
              }),
            ],
          },
        ],
        // On this record the read model marks the person erased and drops their ciphertext,
        // and the SIEM tombstones their identity: the followers read it at once, not a
        // linger later.
        { prompt: true },
      );
    } catch (e) {
      // A concurrent erasure of the same person recorded it first: same outcome.
      if (!(e instanceof ConcurrencyError)) throw e;
    }
    return { subjectId, erasedAt: erasedAt.toISOString(), events };
  }
}
