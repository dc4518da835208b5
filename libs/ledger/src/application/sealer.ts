import type { Logger } from 'pino';
import {
  CheckpointStore,
  Envelope,
  EventStore,
  NewEvent,
  decodeEnvelope,
  encodeEnvelope,
  ledgerStream,
  newSystemEvent,
} from '@authtrail/event-store';
import type { Clock, IdSource } from '@authtrail/platform';
import { isLedgerStream } from '../domain/ledger-entry';
import { LedgerCorruptError } from '../domain/ledger.errors';
import { SEALED_EVENT_TYPE, SealDocument, parseSealDocument, sealHash } from '../domain/seal';
import { createSeal } from '../domain/seal-builder';
import { RetainedLeafInput, SealRetention, createSealRetention } from '../domain/seal-retention';
import type { SealSigningKey } from '../domain/seal-key';

export const SEALER_WORKER = 'sealer';

export interface SealerDeps {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly key: SealSigningKey;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger?: Logger;
}

export interface SealerOptions {
  /** Checkpoint name; default `sealer`. */
  readonly worker?: string;
  /** Largest number of events in one seal; default 8192. */
  readonly maxEventsPerSeal?: number;
  /** Largest number of position runs in one seal (bounds its size when tenants interleave); default 1024. */
  readonly maxRunsPerSeal?: number;
  /** Events read from the log per query; default 5000. */
  readonly batchSize?: number;
  readonly chunkSize?: number;
  /**
   * Retention windows in seconds by category (the part of the event type before the dot):
   * each seal then keeps, beside it, what verify needs to accept one of its events as
   * expired rather than deleted once its window has passed (docs/ledger.md "Retention").
   * Without them a store that drops expired events by itself (EventStoreDB's `$maxAge`)
   * makes them look deleted.
   */
  readonly retentionWindows?: Readonly<Record<string, number>>;
}

/** A seal appended by {@link Sealer.sealOnce}. */
export interface AppendedSeal {
  readonly tenantId: string;
  readonly sequence: number;
  readonly afterPosition: number;
  readonly toPosition: number;
  readonly eventCount: number;
  /** Log position of the `ledger.Sealed` event. */
  readonly position: number;
}

/** Where a tenant's chain stands, read back from its ledger stream (the only source of truth). */
interface Chain {
  sequence: number;
  prevSealHash: string | null;
  afterPosition: number;
  revision: number | null;
  leaves: RetainedLeafInput[];
  runs: number;
}

/**
 * The sealer (DESIGN.md invariant 5): follows the global log and seals each tenant's
 * events in log order, one chain per tenant, appending `ledger.Sealed` to
 * `t-{tenant}-ledger`. Seals are not leaves of later seals: each one names its
 * predecessor's hash, so the chain covers them.
 *
 * Crash-safe without a transaction across stores: where a chain ended is read from its
 * ledger stream, so events already sealed are skipped after a restart; the checkpoint
 * only saves re-reading (every event at or below it is sealed), and appending with the
 * ledger's expected revision keeps a second sealer from forking a chain.
 */
export class Sealer {
  private readonly worker: string;
  private readonly maxEvents: number;
  private readonly maxRuns: number;
  private readonly batchSize: number;
  private running: Promise<AppendedSeal[]> = Promise.resolve([]);

  constructor(
    private readonly deps: SealerDeps,
    private readonly options: SealerOptions = {},
  ) {
    this.worker = options.worker ?? SEALER_WORKER;
    this.maxEvents = Math.max(1, options.maxEventsPerSeal ?? 8192);
    this.maxRuns = Math.max(1, options.maxRunsPerSeal ?? 1024);
    this.batchSize = Math.max(1, options.batchSize ?? 5000);
  }

  /** Seals every event up to the current head; one pass at a time. */
  sealOnce(): Promise<AppendedSeal[]> {
    const next = this.running.catch(() => []).then(() => this.pass());
    this.running = next;
    return next;
  }

  private async pass(): Promise<AppendedSeal[]> {
    const { store, checkpoints } = this.deps;
    const head = await store.headPosition();
    let after = await checkpoints.load(this.worker);
    const chains = new Map<string, Chain>();
    const appended: AppendedSeal[] = [];
    while (after < head) {
      const batch = await store.readAll({ after, limit: Math.min(this.batchSize, head - after) });
      if (batch.length === 0) break;
      for (const e of batch) {
        if (e.position > head) break;
        after = e.position;
        if (isLedgerStream(e.tenantId, e.streamId)) continue;
        let chain = chains.get(e.tenantId);
        if (!chain) chains.set(e.tenantId, (chain = await this.chainOf(e.tenantId)));
        if (e.position <= chain.afterPosition) continue;
        const last = chain.leaves[chain.leaves.length - 1];
        if (last === undefined || e.position !== last.position + 1) chain.runs++;
        chain.leaves.push({
          position: e.position,
          hash: e.hash,
          recordedAt: e.recordedAt,
          category: this.categoryOf(e.type),
        });
        if (chain.leaves.length >= this.maxEvents || chain.runs >= this.maxRuns)
          appended.push(await this.seal(e.tenantId, chain));
      }
    }
    for (const [tenantId, chain] of chains)
      if (chain.leaves.length > 0) appended.push(await this.seal(tenantId, chain));
    if (after > 0) await checkpoints.save(this.worker, after);
    if (appended.length > 0)
      this.deps.logger?.info(
        {
          worker: this.worker,
          seals: appended.length,
          events: appended.reduce((n, s) => n + s.eventCount, 0),
          through: after,
        },
        'sealed the log',
      );
    return appended;
  }

  /** Retention category of an event type, or null when its category is kept for good. */
  private categoryOf(type: string): string | null {
    const category = type.slice(0, type.indexOf('.'));
    return this.options.retentionWindows?.[category] === undefined ? null : category;
  }

  private async chainOf(tenantId: string): Promise<Chain> {
    const { store } = this.deps;
    const stream = ledgerStream(tenantId);
    const revision = await store.streamRevision(stream);
    const fresh = { leaves: [], runs: 0, revision };
    if (revision === null) return { ...fresh, sequence: 0, prevSealHash: null, afterPosition: 0 };
    const [last] = await store.readStream(stream, { fromRevision: revision, limit: 1 });
    let doc: SealDocument | null = null;
    try {
      doc = parseSealDocument(decodeEnvelope(last.data).data);
    } catch {
      doc = null;
    }
    if (doc === null) throw new LedgerCorruptError(tenantId, last.position);
    return {
      ...fresh,
      sequence: doc.sequence + 1,
      prevSealHash: sealHash(doc),
      afterPosition: doc.toPosition,
    };
  }

  private async seal(tenantId: string, chain: Chain): Promise<AppendedSeal> {
    const { key, clock, ids, store } = this.deps;
    const now = clock.now();
    const doc = createSeal(
      {
        tenantId,
        sequence: chain.sequence,
        afterPosition: chain.afterPosition,
        leaves: chain.leaves,
        prevSealHash: chain.prevSealHash,
        sealedAt: now,
        keyId: key.keyId,
        chunkSize: this.options.chunkSize,
      },
      (bytes) => key.sign(bytes),
    );
    const windows = this.options.retentionWindows;
    const plain = newSystemEvent({
      eventId: ids.uuid(),
      tenantId,
      type: SEALED_EVENT_TYPE,
      now,
      data: doc as unknown as Record<string, unknown>,
    });
    const event =
      windows === undefined
        ? plain
        : withRetention(
            plain,
            createSealRetention(doc, chain.leaves, windows, (bytes) => key.sign(bytes)),
          );
    const result = await store.append(tenantId, [
      {
        streamId: ledgerStream(tenantId),
        expectedRevision: chain.revision ?? 'no_stream',
        events: [event],
      },
    ]);
    const sealed: AppendedSeal = {
      tenantId,
      sequence: doc.sequence,
      afterPosition: doc.afterPosition,
      toPosition: doc.toPosition,
      eventCount: doc.eventCount,
      position: result.lastPosition ?? 0,
    };
    chain.sequence++;
    chain.prevSealHash = sealHash(doc);
    chain.afterPosition = doc.toPosition;
    chain.revision = (chain.revision ?? -1) + 1;
    chain.leaves = [];
    chain.runs = 0;
    return sealed;
  }
}

/**
 * The seal event with its retention annex beside `data` in the envelope: `data` stays the
 * seal document exactly as published (catalog schema, `GET /v1/ledger/seals`, the seals
 * topic), and the annex, large and of use only to verify, is not published.
 */
function withRetention(event: NewEvent, retention: SealRetention): NewEvent {
  const envelope: Envelope & { retention: SealRetention } = {
    ...decodeEnvelope(event.data),
    retention,
  };
  return { ...event, data: encodeEnvelope(envelope) };
}
