import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PRIVACY_EVENTS } from '@authtrail/catalog';
import { ConcurrencyError, EVENT_STORE, EventStore, systemEvent } from '@authtrail/event-store';
import { AppError, CLOCK, Clock, ID_SOURCE, IdSource, NotFoundError } from '@authtrail/platform';
import {
  LegalHold,
  decideRelease,
  deferredErasures,
  erasuresToRun,
  holdsOf,
} from '../domain/legal-hold';
import { EraseSubjectHandler, ErasureResult } from './erase-subject.command-handler';
import { PRIVACY_APPEND_ATTEMPTS, readPrivacyLog } from './privacy-log';
import { privacyStream } from './privacy-streams';

export class ReleaseLegalHoldCommand {
  constructor(
    readonly tenantId: string,
    readonly holdId: string,
    readonly actorKeyId: string,
  ) {}
}

export interface LegalHoldRelease {
  readonly hold: LegalHold;
  /** The erasures the hold had deferred that ran now (no other hold covers the person). */
  readonly erasures: readonly ErasureResult[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `DELETE /v1/holds/{id}`: records `privacy.LegalHoldReleased`, then runs every deferred
 * erasure no hold in force covers any more. A crash between the two is finished by
 * `ErasureRecovery` at the next start (it runs the same decision).
 */
@CommandHandler(ReleaseLegalHoldCommand)
export class ReleaseLegalHoldHandler implements ICommandHandler<
  ReleaseLegalHoldCommand,
  LegalHoldRelease
> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
    private readonly eraser: EraseSubjectHandler,
  ) {}

  async execute({
    tenantId,
    holdId,
    actorKeyId,
  }: ReleaseLegalHoldCommand): Promise<LegalHoldRelease> {
    if (!UUID.test(holdId))
      throw new NotFoundError('no such hold in this tenant', 'HOLD.NOT_FOUND');
    for (let attempt = 1; ; attempt++) {
      const log = await readPrivacyLog(this.store, tenantId);
      const decision = decideRelease(holdsOf(log.records), holdId);
      if (decision.kind === 'unknown')
        throw new NotFoundError('no such hold in this tenant', 'HOLD.NOT_FOUND');
      if (decision.kind === 'already-released')
        throw new AppError(
          'HOLD.ALREADY_RELEASED',
          'conflict',
          `hold ${holdId} was released at ${decision.hold.releasedAt}`,
        );
      const now = this.clock.now();
      try {
        await this.store.append(tenantId, [
          {
            streamId: privacyStream(tenantId),
            expectedRevision: log.revision ?? 'no_stream',
            events: [
              systemEvent(PRIVACY_EVENTS.legalHoldReleased, {
                eventId: this.ids.uuid(),
                tenantId,
                now,
                data: { holdId, actorKeyId },
              }),
            ],
          },
        ]);
      } catch (e) {
        if (!(e instanceof ConcurrencyError) || attempt >= PRIVACY_APPEND_ATTEMPTS) throw e;
        continue;
      }
      return {
        hold: { ...decision.hold, releasedAt: now.toISOString(), releasedBy: actorKeyId },
        erasures: await runReleasedErasures(this.store, this.eraser, tenantId),
      };
    }
  }
}

/** Runs the deferred erasures of the tenant that no hold in force covers. */
export async function runReleasedErasures(
  store: EventStore,
  eraser: EraseSubjectHandler,
  tenantId: string,
): Promise<ErasureResult[]> {
  const { records } = await readPrivacyLog(store, tenantId);
  const out: ErasureResult[] = [];
  for (const d of erasuresToRun(deferredErasures(records), holdsOf(records)))
    out.push(await eraser.runDeferred(tenantId, d));
  return out;
}
