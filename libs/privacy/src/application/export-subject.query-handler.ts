import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PRIVACY_EVENTS } from '@authtrail/catalog';
import { EVENT_STORE, EventStore, systemEvent } from '@authtrail/event-store';
import { Keyring } from '@authtrail/key-vault';
import { InclusionProof, LedgerService } from '@authtrail/ledger';
import { CLOCK, Clock, ID_SOURCE, IdSource } from '@authtrail/platform';
import { isPersonEventType } from '../domain/erasure';
import { LegalHold, holdsOf } from '../domain/legal-hold';
import { EventReader } from './event-reader';
import { readPrivacyLog } from './privacy-log';
import { privacyStream } from './privacy-streams';

export class ExportSubjectQuery {
  constructor(
    readonly tenantId: string,
    readonly userPrincipalName: string,
    readonly actorKeyId: string,
    /** The person already resolved (e.g. from the display name a privacy admin sees); the name is then not read. */
    readonly subjectId?: string,
  ) {}
}

export interface SubjectExport {
  readonly format: 'authtrail.subject-export.v1';
  readonly tenantId: string;
  readonly subjectId: string | null;
  readonly exportedAt: string;
  /**
   * Legal holds on the person: their own and the tenant's, in force (`releasedAt` null)
   * or released, oldest first. While one is in force their erasure is deferred.
   */
  readonly holds: readonly LegalHold[];
  readonly events: readonly {
    readonly position: number;
    readonly eventId: string;
    readonly type: string;
    readonly occurredAt: string;
    readonly recordedAt: string;
    /** The roles the person plays in it. */
    readonly roles: readonly string[];
    /** Their own fields decrypted; anybody else by subject id only. */
    readonly event: Record<string, unknown>;
    /** The stored envelope exactly as in the log (base64 of its bytes) and its SHA-256. */
    readonly envelope: string;
    readonly hash: string;
    /** Merkle inclusion proof against the seal covering it, or `pending` before it is sealed (docs/ledger.md). */
    readonly proof: InclusionProof;
  }[];
}

/**
 * The seeds' "export <username>": every stored event about the person, read from the
 * log. Recorded as `privacy.SubjectExported` (subject id and count, no personal data).
 */
@QueryHandler(ExportSubjectQuery)
export class ExportSubjectHandler implements IQueryHandler<ExportSubjectQuery, SubjectExport> {
  constructor(
    private readonly keyring: Keyring,
    private readonly reader: EventReader,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_SOURCE) private readonly ids: IdSource,
    private readonly ledger: LedgerService,
  ) {}

  async execute(query: ExportSubjectQuery): Promise<SubjectExport> {
    const { tenantId } = query;
    const now = this.clock.now();
    const subject =
      query.subjectId === undefined
        ? await this.keyring.findSubject(tenantId, query.userPrincipalName)
        : (await this.keyring.dataKeys(tenantId, [query.subjectId])).has(query.subjectId)
          ? { subjectId: query.subjectId }
          : null;
    const records = subject
      ? (await this.store.readBySubject(tenantId, subject.subjectId)).filter((r) =>
          isPersonEventType(r.type),
        )
      : [];
    const views = subject
      ? await this.reader.views(tenantId, records, { kind: 'only', subjectId: subject.subjectId })
      : [];
    const holds = subject
      ? holdsOf((await readPrivacyLog(this.store, tenantId)).records).filter(
          (h) => h.scope === 'tenant' || h.subjectId === subject.subjectId,
        )
      : [];
    const proofs = await this.ledger.proveInclusion(
      tenantId,
      records.map((r) => r.position),
    );
    await this.store.append(tenantId, [
      {
        streamId: privacyStream(tenantId),
        expectedRevision: 'any',
        events: [
          systemEvent(PRIVACY_EVENTS.exported, {
            eventId: this.ids.uuid(),
            tenantId,
            now,
            data: {
              subjectId: subject?.subjectId ?? null,
              events: views.length,
              actorKeyId: query.actorKeyId,
            },
          }),
        ],
      },
    ]);
    return {
      format: 'authtrail.subject-export.v1',
      tenantId,
      subjectId: subject?.subjectId ?? null,
      exportedAt: now.toISOString(),
      holds,
      events: views.map((v, i) => ({
        position: v.position,
        eventId: v.eventId,
        type: v.type,
        occurredAt: v.occurredAt,
        recordedAt: v.recordedAt,
        roles: Object.entries(v.subjects)
          .filter(([, sid]) => sid === subject!.subjectId)
          .map(([role]) => role),
        event: v.event,
        envelope: Buffer.from(records[i].data).toString('base64'),
        hash: v.hash,
        proof: proofs.get(records[i].position)!,
      })),
    };
  }
}
