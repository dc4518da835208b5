import type { Logger } from 'pino';
import {
  CheckpointStore,
  CheckpointedWorker,
  Envelope,
  EventStore,
  NewEvent,
  RecordedEvent,
  decodeEnvelope,
  encodeEnvelope,
  ledgerStream,
  systemEvent,
} from '@authtrail/event-store';
import { LEDGER_EVENTS } from '@authtrail/catalog';
import type { Clock, IdSource, WorkerReporter } from '@authtrail/platform';
import { isLedgerStream } from '../domain/ledger-entry';
import { LedgerCorruptError } from '../domain/ledger.errors';
import { SealDocument, parseSealDocument, sealHash } from '../domain/seal';
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
  /** Where it reports retries and parking (log, metrics, diagnostics). */
  readonly reporter?: WorkerReporter;
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
  /** Pause between passes once started (AUTHTRAIL_SEAL_INTERVAL_MS); default 60 s. */
  readonly intervalMs?: number;
  /** First pause after a retriable failure (doubles up to 30 s); default 500 ms. */
  readonly retryInitialMs?: number;
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
 *
 * It runs on the checkpointed-worker runtime: each pass gathers the events from the
 * checkpoint to the head, seals what it gathered at the end, and only then saves the
 * checkpoint. A retriable failure (a store down, a chain moved by another sealer) starts
 * the pass over after a backoff; a corrupt ledger parks the sealer.
 */
export class Sealer {
  private readonly worker: string;
  private readonly maxEvents: number;
  private readonly maxRuns: number;
  private readonly runtime: CheckpointedWorker;
  /** The pass's chains and the seals it appended; a new pass starts them afresh. */
  private chains = new Map<string, Chain>();
  private appended: AppendedSeal[] = [];
  private through = 0;
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: SealerDeps,
    private readonly options: SealerOptions = {},
  ) {
    this.worker = options.worker ?? SEALER_WORKER;
    this.maxEvents = Math.max(1, options.maxEventsPerSeal ?? 8192);
    this.maxRuns = Math.max(1, options.maxRunsPerSeal ?? 1024);
    this.runtime = new CheckpointedWorker({
      name: this.worker,
      store: deps.store,
      checkpoints: deps.checkpoints,
      handler: {
        handle: (events) => this.gather(events),
        flush: () => this.sealGathered(),
        reset: () => {
          this.chains = new Map();
          this.appended = [];
        },
      },
      trigger: { everyMs: options.intervalMs ?? 60_000 },
      batchSize: options.batchSize ?? 5000,
      saveAfter: 'pass',
      retryInitialMs: options.retryInitialMs ?? 500,
      reporter: deps.reporter,
    });
  }

  /** Last log position sealed and checkpointed by this instance. */
  get position(): number {
    return this.runtime.position;
  }

  /** The failure it parked on, or null. */
  get parked(): unknown {
    return this.runtime.parked;
  }

  /** Seals now and then every `intervalMs`, in the background. */
  start(): void {
    this.runtime.start();
  }

  /** Stops between passes; resolves once no pass runs. */
  stop(): Promise<void> {
    return this.runtime.stop();
  }

  /** Seals every event up to the current head now; one pass at a time (not meant to overlap `start`). */
  sealOnce(): Promise<AppendedSeal[]> {
    const next = this.serial
      .catch(() => undefined)
      .then(async () => {
        await this.runtime.runOnce();
        return this.appended;
      });
    this.serial = next;
    return next;
  }

  /** Adds a batch's events to their tenants' chains, sealing a chain once it is full. */
  private async gather(events: readonly RecordedEvent[]): Promise<void> {
    for (const e of events) {
      this.through = e.position;
      if (isLedgerStream(e.tenantId, e.streamId)) continue;
      let chain = this.chains.get(e.tenantId);
      if (!chain) this.chains.set(e.tenantId, (chain = await this.chainOf(e.tenantId)));
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
        this.appended.push(await this.seal(e.tenantId, chain));
    }
  }

  /** The end of a pass: seals what each chain gathered. */
  private async sealGathered(): Promise<void> {
    for (const [tenantId, chain] of this.chains)
      if (chain.leaves.length > 0) this.appended.push(await this.seal(tenantId, chain));
    if (this.appended.length > 0)
      this.deps.logger?.info(
        {
          worker: this.worker,
          seals: this.appended.length,
          events: this.appended.reduce((n, s) => n + s.eventCount, 0),
          through: this.through,
        },
        'sealed the log',
      );
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
    const plain = systemEvent(LEDGER_EVENTS.sealed, {
      eventId: ids.uuid(),
      tenantId,
      now,
      data: doc,
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
