import { EventStore, decodeEnvelope, ledgerStream } from '@authtrail/event-store';
import { Clock, systemClock } from '@authtrail/platform';
import {
  LedgerEntry,
  NO_PRUNED_HASHES,
  PrunedHashes,
  isLedgerStream,
} from '../domain/ledger-entry';
import { LedgerVerifier, VerificationReport } from '../domain/ledger-verifier';
import { InclusionProof, PENDING_PROOF, proveInSeal } from '../domain/inclusion-proof';
import { SealDocument, parseSealDocument, sealHash } from '../domain/seal';
import { retainedHashes } from '../domain/seal-retention';
import { PublishedSealKey, SealPublicKey, publishedSealKey } from '../domain/seal-key';

/** `GET /v1/ledger/seals`: a tenant's seals in chain order (docs/ledger.md "Seals file"). */
export interface SealList {
  readonly format: 'authtrail.seals.v1';
  readonly tenantId: string;
  readonly seals: readonly SealDocument[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: number | null;
}

export interface LedgerVerification extends VerificationReport {
  readonly tenantId: string | null;
  readonly keyId: string;
  readonly elapsedMs: number;
}

export interface VerifyOptions {
  /** Only this tenant's events and chain; all tenants when absent. */
  readonly tenantId?: string;
  /** Called after each batch with the last position read. */
  readonly onProgress?: (position: number) => void;
  readonly batchSize?: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Reads, checks and proves the ledger through the event store port: verify recomputes
 * every hash, root and signature from the stored bytes; seals and public key are the
 * material a third party needs; inclusion proofs back the subject export.
 */
export class LedgerService {
  constructor(
    private readonly store: EventStore,
    private readonly key: SealPublicKey,
    private readonly pruned: PrunedHashes = NO_PRUNED_HASHES,
    /** Tells whether a sealed event missing from the log is past its retention window. */
    private readonly clock: Clock = systemClock,
  ) {}

  publicKey(): PublishedSealKey {
    return publishedSealKey(this.key);
  }

  async verify(options: VerifyOptions = {}): Promise<LedgerVerification> {
    const started = Date.now();
    const verifier = new LedgerVerifier(this.key, { now: this.clock.now() });
    for await (const batch of this.entries(options.tenantId, options.batchSize ?? 5000)) {
      for (const entry of batch) verifier.add(entry);
      options.onProgress?.(batch[batch.length - 1].position);
      // Verifying a large log must not starve requests served by the same process.
      await yieldToLoop();
    }
    return {
      tenantId: options.tenantId ?? null,
      keyId: this.key.keyId,
      ...verifier.report(),
      elapsedMs: Date.now() - started,
    };
  }

  async seals(
    tenantId: string,
    options: { after?: number; limit?: number } = {},
  ): Promise<SealList> {
    const limit = Math.min(Math.max(1, options.limit ?? 1000), 10_000);
    const fromRevision = options.after === undefined ? 0 : options.after + 1;
    const records = await this.store.readStream(ledgerStream(tenantId), {
      fromRevision,
      limit: limit + 1,
    });
    const seals = records.slice(0, limit).flatMap((r) => {
      const doc = readSeal(r.data)?.doc;
      return doc ? [doc] : [];
    });
    return {
      format: 'authtrail.seals.v1',
      tenantId,
      seals,
      next: records.length > limit ? fromRevision + limit - 1 : null,
    };
  }

  /** An inclusion proof for each position of the tenant's log against the seal covering it. */
  async proveInclusion(
    tenantId: string,
    positions: readonly number[],
  ): Promise<Map<number, InclusionProof>> {
    const out = new Map<number, InclusionProof>();
    if (positions.length === 0) return out;
    const sealed = (await this.store.readStream(ledgerStream(tenantId))).flatMap((r) => {
      const read = readSeal(r.data);
      return read && read.doc.tenantId === tenantId ? [read] : [];
    });
    const seals = sealed.map((s) => s.doc);
    const bySeal = new Map<SealDocument, number[]>();
    for (const p of positions) {
      const seal = seals.find((s) => s.afterPosition < p && p <= s.toPosition);
      if (!seal) {
        out.set(p, PENDING_PROOF);
        continue;
      }
      bySeal.set(seal, [...(bySeal.get(seal) ?? []), p]);
    }
    for (const [seal, wanted] of bySeal) {
      const hashes = new Map<number, string>();
      for await (const batch of this.entries(tenantId, 5000, seal.afterPosition)) {
        let done = false;
        for (const e of batch) {
          if (e.position > seal.toPosition) {
            done = true;
            break;
          }
          if (!isLedgerStream(tenantId, e.streamId)) hashes.set(e.position, e.hash);
        }
        if (done) break;
      }
      // Events retention removed are known by the hash the seal's annex kept.
      const annex = sealed.find((s) => s.doc === seal)!.retention;
      const retained = annex === undefined ? null : retainedHashes(annex, seal, this.key);
      const hashOf = (q: number): string | undefined => hashes.get(q) ?? retained?.(q);
      for (const [p, proof] of proveInSeal(seal, sealHash(seal), hashOf, wanted)) out.set(p, proof);
    }
    return out;
  }

  /** The log merged with the hashes retention kept, in position order, in batches. */
  private async *entries(
    tenantId: string | undefined,
    batchSize: number,
    from = 0,
  ): AsyncGenerator<LedgerEntry[]> {
    let after = from;
    let prunedAfter = from;
    let prunedBuffer: LedgerEntry[] = [];
    let prunedDone = false;
    const tenant = tenantId === undefined ? {} : { tenantId };
    for (;;) {
      const events = await this.store.readAll({ after, limit: batchSize, ...tenant });
      const bound = events.length === batchSize ? events[events.length - 1].position : Infinity;
      while (
        !prunedDone &&
        (prunedBuffer.length === 0 || prunedBuffer[prunedBuffer.length - 1].position < bound)
      ) {
        const more = await this.pruned.read({ after: prunedAfter, limit: batchSize, ...tenant });
        if (more.length < batchSize) prunedDone = true;
        if (more.length === 0) break;
        prunedAfter = more[more.length - 1].position;
        prunedBuffer.push(...more);
      }
      const take = prunedBuffer.filter((p) => p.position <= bound);
      prunedBuffer = prunedBuffer.filter((p) => p.position > bound);
      if (events.length === 0 && take.length === 0) return;
      const batch: LedgerEntry[] = [...events, ...take];
      if (take.length > 0) batch.sort((a, b) => a.position - b.position);
      yield batch;
      if (events.length === 0) return;
      after = events[events.length - 1].position;
    }
  }
}

/**
 * A `ledger.Sealed` event: the seal document (its data, as published) and the retention
 * annex stored beside it in the envelope, if any.
 */
function readSeal(data: Uint8Array): { doc: SealDocument; retention?: unknown } | null {
  try {
    const envelope = decodeEnvelope(data) as ReturnType<typeof decodeEnvelope> & {
      retention?: unknown;
    };
    const doc = parseSealDocument(envelope.data);
    return doc ? { doc, retention: envelope.retention } : null;
  } catch {
    return null;
  }
}
