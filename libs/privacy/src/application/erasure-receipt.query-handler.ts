import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  EVENT_STORE,
  EventStore,
  decodeEnvelope,
  ledgerStream,
  subjectStream,
} from '@authtrail/event-store';
import {
  LedgerService,
  SEAL_KEY,
  SealSigningKey,
  parseSealDocument,
  sealHash,
} from '@authtrail/ledger';
import { CLOCK, Clock, NotFoundError } from '@authtrail/platform';
import { PRIVACY_EVENT, looksLikeSubjectId } from '../domain/erasure';
import {
  ERASURE_RECEIPT_FORMAT,
  ErasureReceipt,
  ErasureReceiptPayload,
  receiptSigningBytes,
} from '../domain/erasure-receipt';

/** `GET /v1/privacy/erasures/{subjectId}/receipt`. */
export class ErasureReceiptQuery {
  constructor(
    readonly tenantId: string,
    readonly subjectId: string,
  ) {}
}

/**
 * Issues the signed receipt of a finished erasure: the time of destruction from the
 * person's `privacy.SubjectErased`, the seal chain head at that time (the last seal
 * appended before that record), and a verification of the tenant's whole log run now (a log that verifies
 * now verified at every seal up to the head). 404 until the erasure has run (a deferred
 * or pending one has no receipt yet).
 */
@QueryHandler(ErasureReceiptQuery)
export class ErasureReceiptHandler implements IQueryHandler<ErasureReceiptQuery, ErasureReceipt> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ledger: LedgerService,
    @Inject(SEAL_KEY) private readonly key: SealSigningKey,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, subjectId }: ErasureReceiptQuery): Promise<ErasureReceipt> {
    const record = looksLikeSubjectId(subjectId)
      ? (await this.store.readStream(subjectStream(tenantId, subjectId))).find(
          (r) => r.type === PRIVACY_EVENT.erased,
        )
      : undefined;
    if (!record)
      throw new NotFoundError(
        'no finished erasure of this subject in this tenant',
        'ERASURE.NOT_FOUND',
      );
    const erased = decodeEnvelope(record.data).data;
    const keyDestroyedAt = String(erased.erasedAt);
    // The head then: the last seal appended to the tenant's chain before the erasure's record.
    let head: ErasureReceiptPayload['sealHead'] = null;
    for (const r of await this.store.readStream(ledgerStream(tenantId))) {
      if (r.position > record.position) break;
      const seal = parseSealDocument(decodeEnvelope(r.data).data);
      if (seal && seal.tenantId === tenantId)
        head = {
          sequence: seal.sequence,
          sealHash: sealHash(seal),
          toPosition: seal.toPosition,
          sealedAt: seal.sealedAt,
        };
    }
    const verification = await this.ledger.verify({ tenantId });
    const payload: ErasureReceiptPayload = {
      format: ERASURE_RECEIPT_FORMAT,
      tenantId,
      subjectId,
      keyDestroyedAt,
      events: Number(erased.events ?? 0),
      sealHead: head,
      logVerified: verification.ok,
      verifiedAt: this.clock.now().toISOString(),
      checkedSeals: verification.checkedSeals,
      keyId: this.key.keyId,
    };
    return {
      ...payload,
      signature: this.key.sign(receiptSigningBytes(payload)).toString('base64'),
    };
  }
}
