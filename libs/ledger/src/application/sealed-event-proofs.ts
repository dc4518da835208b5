import { EventStore, decodeEnvelope, ledgerStream } from '@authtrail/event-store';
import type { SealedProof } from '../domain/inclusion-proof';
import { isLedgerStream } from '../domain/ledger-entry';
import { MerkleTree, eventLeaf } from '../domain/merkle';
import { SealDocument, expandRuns, parseSealDocument, sealHash } from '../domain/seal';

/** Where a seal of a tenant's chain sits: enough to find it again. */
interface SealRange {
  readonly sequence: number;
  readonly afterPosition: number;
  readonly toPosition: number;
  /** Its revision in the ledger stream. */
  readonly revision: number;
}

/** The tree of one seal, built once for every proof asked of it; null leaves = the log lost one. */
interface SealProver {
  readonly tenantId: string;
  readonly sequence: number;
  readonly sealHash: string;
  readonly index: ReadonlyMap<number, number> | null;
  readonly tree: MerkleTree | null;
}

/**
 * Inclusion proofs for events that are sealed already when the SIEM forwarder sends them
 * (a replay, a forwarder that was off while the sealer ran): what the forwarder's
 * `SealProofs` port asks. Per tenant it keeps where each seal starts and ends, reading only
 * the seals appended since the last call (one read, empty in the usual case of a forwarder
 * ahead of the sealer), and it keeps the tree of the last seal it proved against, so the
 * batches of a replay that fall in one seal read its events and hash its tree once.
 * A seal covering an event the log no longer holds (retention) gives no proofs: those
 * records are proven from the topics (docs/siem.md "Verifying records").
 */
export class SealedEventProofs {
  private readonly chains = new Map<string, { revision: number; seals: SealRange[] }>();
  private prover: SealProver | null = null;

  constructor(private readonly store: EventStore) {}

  async proofs(
    tenantId: string,
    positions: readonly number[],
  ): Promise<ReadonlyMap<number, SealedProof>> {
    const out = new Map<number, SealedProof>();
    const seals = await this.sealsOf(tenantId);
    const through = seals.length === 0 ? 0 : seals[seals.length - 1].toPosition;
    for (const p of positions) {
      if (p > through) continue;
      const range = covering(seals, p);
      if (range === null) continue;
      const prover = await this.proverOf(tenantId, range);
      const i = prover.index?.get(p);
      if (i === undefined || prover.tree === null) continue;
      out.set(p, {
        status: 'sealed',
        sealSequence: prover.sequence,
        sealHash: prover.sealHash,
        leafIndex: i,
        treeSize: prover.tree.size,
        auditPath: prover.tree.auditPath(i).map((h) => h.toString('hex')),
      });
    }
    return out;
  }

  /** The tenant's seals in chain order, brought up to date with what was appended since. */
  private async sealsOf(tenantId: string): Promise<SealRange[]> {
    let chain = this.chains.get(tenantId);
    if (!chain) this.chains.set(tenantId, (chain = { revision: -1, seals: [] }));
    const added = await this.store.readStream(ledgerStream(tenantId), {
      fromRevision: chain.revision + 1,
    });
    for (const r of added) {
      chain.revision = r.revision;
      const doc = parseSealDocument(decodeEnvelope(r.data).data);
      if (doc === null || doc.tenantId !== tenantId) continue;
      chain.seals.push({
        sequence: doc.sequence,
        afterPosition: doc.afterPosition,
        toPosition: doc.toPosition,
        revision: r.revision,
      });
    }
    return chain.seals;
  }

  private async proverOf(tenantId: string, range: SealRange): Promise<SealProver> {
    const cached = this.prover;
    if (cached !== null && cached.tenantId === tenantId && cached.sequence === range.sequence)
      return cached;
    const [record] = await this.store.readStream(ledgerStream(tenantId), {
      fromRevision: range.revision,
      limit: 1,
    });
    const doc = parseSealDocument(decodeEnvelope(record.data).data) as SealDocument;
    const hashes = new Map<number, string>();
    let after = doc.afterPosition;
    while (after < doc.toPosition) {
      const events = await this.store.readAll({ after, limit: 5000, tenantId });
      if (events.length === 0) break;
      for (const e of events)
        if (e.position <= doc.toPosition && !isLedgerStream(tenantId, e.streamId))
          hashes.set(e.position, e.hash);
      after = events[events.length - 1].position;
    }
    const positions = expandRuns(doc.positions);
    const complete = positions.every((p) => hashes.has(p));
    this.prover = {
      tenantId,
      sequence: doc.sequence,
      sealHash: sealHash(doc),
      index: complete ? new Map(positions.map((p, i) => [p, i])) : null,
      tree: complete
        ? new MerkleTree(positions.map((p) => eventLeaf(p, Buffer.from(hashes.get(p)!, 'hex'))))
        : null,
    };
    return this.prover;
  }
}

/** The seal whose range holds `position` (ranges are contiguous and increasing). */
function covering(seals: readonly SealRange[], position: number): SealRange | null {
  let lo = 0;
  let hi = seals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = seals[mid];
    if (position <= s.afterPosition) hi = mid - 1;
    else if (position > s.toPosition) lo = mid + 1;
    else return s;
  }
  return null;
}
