import { EventStore, decodeEnvelope, ledgerStream } from '@authtrail/event-store';
import { parseSealDocument } from '../domain/seal';
import type { SealedProof } from '../domain/inclusion-proof';
import type { LedgerService } from './ledger.service';

/**
 * Inclusion proofs for events that are sealed already when the SIEM forwarder sends them
 * (a replay, a forwarder that was off while the sealer ran): what the forwarder's
 * `SealProofs` port asks. The tenant's last seal is read first (two indexed reads), so a
 * forwarder ahead of the sealer — the usual case — pays nothing more.
 */
export class SealedEventProofs {
  constructor(
    private readonly store: EventStore,
    private readonly ledger: LedgerService,
  ) {}

  async proofs(
    tenantId: string,
    positions: readonly number[],
  ): Promise<ReadonlyMap<number, SealedProof>> {
    const out = new Map<number, SealedProof>();
    const through = await this.sealedThrough(tenantId);
    const wanted = positions.filter((p) => p <= through);
    if (wanted.length === 0) return out;
    for (const [p, proof] of await this.ledger.proveInclusion(tenantId, wanted))
      if (proof.status === 'sealed') out.set(p, proof);
    return out;
  }

  /** `toPosition` of the tenant's last seal; 0 before the first. */
  private async sealedThrough(tenantId: string): Promise<number> {
    const stream = ledgerStream(tenantId);
    const revision = await this.store.streamRevision(stream);
    if (revision === null) return 0;
    const [last] = await this.store.readStream(stream, { fromRevision: revision, limit: 1 });
    if (last === undefined) return 0;
    return parseSealDocument(decodeEnvelope(last.data).data)?.toPosition ?? 0;
  }
}
