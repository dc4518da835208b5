import type { Logger } from 'pino';
import { EventCatalog, LEDGER_EVENT, PRIVACY_EVENT, TENANT_EVENT } from '@authtrail/catalog';
import {
  CheckpointStore,
  CheckpointedWorker,
  Envelope,
  EventStore,
  RecordedEvent,
  decodeEnvelope,
  identityDigestOf,
  subjectStream,
} from '@authtrail/event-store';
import { DataKey, Keyring } from '@authtrail/key-vault';
import {
  AppError,
  Metrics,
  WorkerReporter,
  WorkerStatusBoard,
  createWorkerReporter,
} from '@authtrail/platform';
import {
  Identity,
  IdentityFingerprints,
  IdentityField,
  foldIdentity,
  identityChanged,
  identityOf,
  identityValue,
} from '../domain/identity';
import { AUTHTRAIL_PRODUCT, OcsfProduct, toOcsf } from '../domain/ocsf.mapping';
import type { PublishedSubjectsStore } from '../domain/published-subjects.port';
import type { SealProof, SealProofs } from '../domain/seal-proofs.port';
import type { SiemPublisher } from '../domain/siem-publisher.port';
import { IdentityDigests } from './identity-digests';
import { SiemRecord, primarySubject, recordKey } from '../domain/siem-record';
import { SIEM_TOPICS } from '../domain/siem-topics';

export const FORWARDER_WORKER = 'forwarder';

const ERASED = PRIVACY_EVENT.erased;
const TENANT_DELETED = TENANT_EVENT.deleted;
const SEALED = LEDGER_EVENT.sealed;

/**
 * People whose last identity digest the forwarder remembers (see `IdentityDigests`); the
 * oldest are forgotten first. About 200 bytes each: at most ~10 MB.
 */
const MAX_REMEMBERED_IDENTITIES = 50_000;

export interface SiemForwarderDeps {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly publisher: SiemPublisher;
  readonly published: PublishedSubjectsStore;
  readonly catalog: EventCatalog;
  readonly keyring: Keyring;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** The diagnostics board of the process (running, retrying, parked). */
  readonly board?: WorkerStatusBoard;
  /** Proofs of events already sealed when forwarded (replays, a forwarder behind the sealer). */
  readonly seals?: SealProofs;
}

export interface SiemForwarderOptions {
  /** Publish identity records (AUTHTRAIL_SIEM_IDENTITY). Tombstones of people already published are sent either way. */
  readonly identities: boolean;
  /** Checkpoint name; default `forwarder`. */
  readonly worker?: string;
  /** Events per broker round trip; default 500. */
  readonly batchSize?: number;
  /** Wait after new events arrive before reading them (see `SubscribeOptions.lingerMs`); default 100 ms. */
  readonly lingerMs?: number;
  /** First and largest pause between attempts while the destination is down. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** How often the lag gauge is refreshed while idle or blocked; default 5 s. */
  readonly lagIntervalMs?: number;
  readonly product?: OcsfProduct;
}

/** Identity work of one tenant within one batch. */
interface TenantBatch {
  /** Data keys of the people whose blobs may have to be opened, fetched when first needed. */
  readonly keys: Map<string, DataKey>;
  /** People whose keys were asked of the keyring (a missing key then means erased). */
  readonly fetched: Set<string>;
  /** What is published for each person as the batch goes; null = tombstoned. */
  readonly state: Map<string, IdentityFingerprints | null>;
  /** People whose state this batch changed, to save after the broker's acknowledgement. */
  readonly dirty: Set<string>;
}

/**
 * The SIEM forwarder (DESIGN.md "Flow"): follows the global log from its checkpoint, puts
 * one OCSF record per event on the events topic and the people's identities on the
 * compacted subjects topic, and saves its checkpoint only after the destination has
 * acknowledged the batch — at-least-once, consumers deduplicate on `metadata.uid`. It
 * runs on the checkpointed-worker runtime: while the destination is down (a retriable
 * `SiemPublishError`) it starts the same batch over from the checkpoint with backoff, so
 * nothing is skipped or reordered, and resumes by itself; a batch that cannot be built
 * parks it.
 */
export class SiemForwarder {
  private readonly digests = new IdentityDigests(MAX_REMEMBERED_IDENTITIES);
  private readonly worker: string;
  private readonly product: OcsfProduct;
  private readonly runtime: CheckpointedWorker;
  private readonly reporter: WorkerReporter;
  /**
   * Whether the destination holds the subjects topic. Without it (the NDJSON file alone)
   * there is no identity to publish nor to tombstone: no blob is opened, no key fetched,
   * and the record of published people is neither read nor written, so it stays true to
   * what a broker was given (a broker configured later publishes each person afresh).
   */
  private readonly subjectsTopic: boolean;
  /** Whether the destination holds the seals topic (the file does not): else no seal record is built. */
  private readonly sealsTopic: boolean;
  private forwarded = 0;

  constructor(
    private readonly deps: SiemForwarderDeps,
    private readonly options: SiemForwarderOptions,
  ) {
    this.worker = options.worker ?? FORWARDER_WORKER;
    this.subjectsTopic = deps.publisher.carries.includes(SIEM_TOPICS.subjects);
    this.sealsTopic = deps.publisher.carries.includes(SIEM_TOPICS.seals);
    this.product = options.product ?? AUTHTRAIL_PRODUCT;
    this.reporter = createWorkerReporter(this.worker, {
      logger: deps.logger,
      metrics: deps.metrics,
      board: deps.board,
    });
    this.runtime = new CheckpointedWorker({
      name: this.worker,
      store: deps.store,
      checkpoints: deps.checkpoints,
      handler: { handle: (events) => this.handle(events) },
      // One broker round trip per commit would cap a busy log at the broker's latency.
      trigger: { follow: true, lingerMs: options.lingerMs ?? 100 },
      batchSize: options.batchSize ?? 500,
      retryInitialMs: options.retryInitialMs ?? 200,
      retryMaxMs: options.retryMaxMs ?? 30_000,
      lagIntervalMs: options.lagIntervalMs ?? 5000,
      prepare: () => deps.publisher.start(),
      reporter: this.reporter,
    });
  }

  /** Last log position acknowledged by the destination and checkpointed. */
  get position(): number {
    return this.runtime.position;
  }

  /** The failure it parked on, or null. */
  get parked(): unknown {
    return this.runtime.parked;
  }

  /** Events put on the events topic by this instance (replays counted again). */
  get forwardedCount(): number {
    return this.forwarded;
  }

  /** Starts forwarding in the background; a destination that is down is waited for, not an error. */
  start(): this {
    this.runtime.start();
    return this;
  }

  /**
   * One pass from the checkpoint to the log's head, without a subscription; resolves with
   * the position reached. A failure is the caller's (nothing is retried or parked).
   */
  catchUp(): Promise<number> {
    return this.runtime.runOnce();
  }

  /** Stops after the batch in flight (or its retry) and closes the destination. */
  async stop(): Promise<void> {
    await this.runtime.stop();
    await this.deps.publisher.close();
    await this.deps.published.close();
  }

  /** One batch: its records to the destination, then the record of published people (the runtime checkpoints after). */
  private async handle(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { records, tenants } = await this.build(events);
    await this.deps.publisher.publish(records);
    // The broker has the batch: now the local record of published people, then the checkpoint.
    for (const [tenantId, batch] of tenants) {
      if (batch.dirty.size === 0) continue;
      const changes = new Map<string, IdentityFingerprints | null>();
      for (const sid of batch.dirty) changes.set(sid, batch.state.get(sid) ?? null);
      await this.deps.published.save(tenantId, changes);
    }
    this.forwarded += events.length;
  }

  /** The records of a batch, in log order: per event its OCSF record, then identity and tombstone records. */
  private async build(
    events: readonly RecordedEvent[],
  ): Promise<{ records: SiemRecord[]; tenants: Map<string, TenantBatch> }> {
    const envelopes = events.map((e) => decodeEnvelope(e.data));
    const [tenants, proofs] = await Promise.all([
      this.subjectsTopic ? this.prepareTenants(envelopes) : new Map<string, TenantBatch>(),
      this.sealProofs(events),
    ]);
    const records: SiemRecord[] = [];
    for (let i = 0; i < events.length; i++) {
      const env = envelopes[i];
      const event = events[i];
      records.push(this.eventRecord(event, env, proofs.get(event.position)));
      if (env.type === SEALED && this.sealsTopic) records.push(sealRecord(event, env));
      if (!this.subjectsTopic) continue;
      const batch = tenants.get(env.tenantId)!;
      if (env.type === ERASED) {
        const sid = erasedSubject(env);
        if (sid !== null && (this.options.identities || batch.state.get(sid))) {
          records.push(tombstone(env.tenantId, sid, env));
        }
        if (sid !== null) this.mark(batch, sid, null);
        if (sid !== null) this.digests.forget(env.tenantId, sid);
      } else if (env.type === TENANT_DELETED) {
        this.digests.forgetTenant(env.tenantId);
        const everyone = new Set(await this.deps.published.subjectsOf(env.tenantId));
        for (const [sid, fps] of batch.state) if (fps !== null) everyone.add(sid);
        for (const sid of everyone) {
          records.push(tombstone(env.tenantId, sid, env));
          this.mark(batch, sid, null);
        }
      } else if (this.options.identities) {
        records.push(...(await this.identityRecords(event, env, batch)));
      }
    }
    return { records, tenants };
  }

  private async prepareTenants(envelopes: readonly Envelope[]): Promise<Map<string, TenantBatch>> {
    const subjectsByTenant = new Map<string, Set<string>>();
    for (const env of envelopes) {
      let set = subjectsByTenant.get(env.tenantId);
      if (!set) subjectsByTenant.set(env.tenantId, (set = new Set()));
      for (const sid of Object.values(env.subjects)) set.add(sid);
      if (env.type === ERASED) {
        const sid = erasedSubject(env);
        if (sid !== null) set.add(sid);
      }
    }
    const out = new Map<string, TenantBatch>();
    for (const [tenantId, set] of subjectsByTenant) {
      const state = new Map<string, IdentityFingerprints | null>(
        await this.deps.published.get(tenantId, [...set]),
      );
      const batch: TenantBatch = { keys: new Map(), fetched: new Set(), state, dirty: new Set() };
      if (this.options.identities) {
        // Keys only for people with a blob to open: those with an identity digest already
        // confirmed against what is published are skipped (most people of a busy log).
        const open = new Set<string>();
        for (const env of envelopes) {
          if (env.tenantId !== tenantId) continue;
          for (const sid of Object.values(env.subjects))
            if (this.mustOpen(env, sid, state)) open.add(sid);
        }
        await this.fetchKeys(tenantId, batch, [...open]);
      }
      out.set(tenantId, batch);
    }
    return out;
  }

  /**
   * Whether a person's blob in an event must be opened to know their identity: not when
   * the event's digest says it holds no identity field, nor when the digest is the one
   * last checked against exactly what is published for them now.
   */
  private mustOpen(
    env: Envelope,
    sid: string,
    state: ReadonlyMap<string, IdentityFingerprints | null>,
  ): boolean {
    const digest = identityDigestOf(env, sid);
    if (digest === undefined) return true; // recorded before digests existed
    return digest !== '' && !this.digests.confirms(env.tenantId, sid, digest, state);
  }

  private async fetchKeys(tenantId: string, batch: TenantBatch, sids: string[]): Promise<void> {
    const wanted = sids.filter((sid) => !batch.fetched.has(sid));
    if (wanted.length === 0) return;
    for (const sid of wanted) batch.fetched.add(sid);
    for (const [sid, key] of await this.deps.keyring.dataKeys(tenantId, wanted))
      batch.keys.set(sid, key);
  }

  /** Proofs of the batch's events that a seal covers already (seals themselves are not leaves). */
  private async sealProofs(events: readonly RecordedEvent[]): Promise<Map<number, SealProof>> {
    const out = new Map<number, SealProof>();
    if (this.deps.seals === undefined) return out;
    const byTenant = new Map<string, number[]>();
    for (const e of events) {
      if (e.type === SEALED) continue;
      const list = byTenant.get(e.tenantId);
      if (list) list.push(e.position);
      else byTenant.set(e.tenantId, [e.position]);
    }
    for (const [tenantId, positions] of byTenant) {
      try {
        for (const [p, proof] of await this.deps.seals.proofs(tenantId, positions))
          out.set(p, proof);
      } catch (error) {
        // The proof is a convenience: without it a consumer proves the record from the topics.
        this.fail('seal proofs unavailable; forwarding the hashes without them', error, true);
      }
    }
    return out;
  }

  private mark(batch: TenantBatch, sid: string, fps: IdentityFingerprints | null): void {
    batch.state.set(sid, fps);
    batch.dirty.add(sid);
  }

  private eventRecord(event: RecordedEvent, env: Envelope, sealProof?: SealProof): SiemRecord {
    const definition = this.deps.catalog.get(env.type);
    let data = env.data as Record<string, unknown>;
    let schemaVersion = env.schemaVersion;
    if (definition !== undefined && definition.producerPostable) {
      try {
        data = this.deps.catalog.upcastData(env.type, env.schemaVersion, data);
        schemaVersion = definition.schemaVersion;
      } catch (error) {
        // The stored data stays readable as it is; the record says which version it has.
        this.fail('upcasting failed; forwarding the stored version', error, false, env.eventId);
      }
    }
    const record = toOcsf(
      {
        position: event.position,
        eventId: env.eventId,
        tenantId: env.tenantId,
        type: env.type,
        schemaVersion,
        category: definition?.category ?? null,
        occurredAt: env.occurredAt,
        recordedAt: env.recordedAt,
        ...(env.correlationId !== undefined ? { correlationId: env.correlationId } : {}),
        subjects: env.subjects,
        data,
        hash: event.hash,
        ...(sealProof !== undefined ? { sealProof } : {}),
      },
      this.product,
    );
    return {
      topic: SIEM_TOPICS.events,
      key: recordKey(env.tenantId, primarySubject(env.subjects)),
      value: JSON.stringify(record),
      headers: {
        'content-type': 'application/json',
        'authtrail-type': env.type,
        'authtrail-schema-version': String(schemaVersion),
        'authtrail-event-id': env.eventId,
        'ocsf-class-uid': String(record.class_uid),
      },
    };
  }

  /** Identity records for the people of one event whose identity is new or changed. */
  private async identityRecords(
    event: RecordedEvent,
    env: Envelope,
    batch: TenantBatch,
  ): Promise<SiemRecord[]> {
    const out: SiemRecord[] = [];
    for (const sid of new Set(Object.values(env.subjects))) {
      if (!this.mustOpen(env, sid, batch.state)) continue;
      const digest = identityDigestOf(env, sid);
      const blob = env.sealed[sid];
      if (blob === undefined) continue; // nothing personal
      // An earlier event of the batch changed what is published: this one is opened after all.
      if (!batch.fetched.has(sid)) await this.fetchKeys(env.tenantId, batch, [sid]);
      const key = batch.keys.get(sid);
      if (key === undefined) continue; // erased
      const seen = this.openIdentity(key, blob, env, sid);
      if (seen === null || Object.keys(seen).length === 0) continue;
      const fps = await this.fingerprints(env.tenantId, seen);
      if (fps === null) continue;
      // Tombstoned earlier in this batch: never publish them again.
      if (batch.state.has(sid) && batch.state.get(sid) === null) continue;
      const before = batch.state.get(sid) ?? null;
      if (!identityChanged(before, fps)) {
        if (digest !== undefined) this.digests.remember(env.tenantId, sid, digest, before);
        continue;
      }
      // A first identity for someone whose erasure is already in the log (an event that
      // raced the erasure, read with a key still cached for up to a second elsewhere)
      // must not follow their tombstone: the lifecycle stream exists only once erased.
      if (
        before === null &&
        (await this.deps.store.streamRevision(subjectStream(env.tenantId, sid))) !== null
      )
        continue;
      // A change to someone published before: rebuild the full identity from their events
      // up to this one, so the compacted value never loses a field an event did not carry.
      const identity =
        before === null ? seen : await this.rebuild(env.tenantId, sid, key, event.position);
      const after = { ...(before ?? {}), ...fps };
      this.mark(batch, sid, after);
      if (digest !== undefined) this.digests.remember(env.tenantId, sid, digest, after);
      out.push({
        topic: SIEM_TOPICS.subjects,
        key: recordKey(env.tenantId, sid),
        value: JSON.stringify(
          identityValue(env.tenantId, sid, identity, {
            eventId: env.eventId,
            position: event.position,
            occurredAt: env.occurredAt,
          }),
        ),
        headers: { 'content-type': 'application/json', 'authtrail-record': 'identity' },
      });
    }
    return out;
  }

  private openIdentity(key: DataKey, blob: string, env: Envelope, sid: string): Identity | null {
    try {
      return identityOf(
        this.deps.keyring.open(key, blob, { eventId: env.eventId, subjectId: sid }),
      );
    } catch (error) {
      this.fail(
        'a sealed blob did not open; no identity published for it',
        error,
        false,
        env.eventId,
      );
      return null;
    }
  }

  private async fingerprints(
    tenantId: string,
    identity: Identity,
  ): Promise<IdentityFingerprints | null> {
    const out: Partial<Record<IdentityField, string>> = {};
    try {
      const fingerprint = await this.deps.keyring.fingerprinter(tenantId);
      for (const [field, value] of Object.entries(identity) as [IdentityField, string][])
        out[field] = fingerprint(Buffer.from(`siem-identity\0${field}\0${value}`, 'utf8'));
    } catch (error) {
      // The tenant was deleted while the batch ran: its tombstones follow in the log.
      if (error instanceof AppError) return null;
      throw error;
    }
    return out;
  }

  private async rebuild(
    tenantId: string,
    sid: string,
    key: DataKey,
    upTo: number,
  ): Promise<Identity> {
    let identity: Identity = {};
    for (const r of await this.deps.store.readBySubject(tenantId, sid)) {
      if (r.position > upTo) break;
      const env = decodeEnvelope(r.data);
      const blob = env.sealed[sid];
      if (blob === undefined) continue;
      const seen = this.openIdentity(key, blob, env, sid);
      if (seen !== null) identity = foldIdentity(identity, seen);
    }
    return identity;
  }

  private fail(message: string, error: unknown, retriable: boolean, eventId?: string): void {
    this.deps.metrics?.workerErrors.inc({ worker: this.worker, retriable: String(retriable) });
    this.deps.logger.error(
      {
        worker: this.worker,
        ...(eventId ? { eventId } : {}),
        err: { message: (error as Error)?.message, code: (error as AppError)?.code },
      },
      message,
    );
  }
}

function erasedSubject(env: Envelope): string | null {
  const fromData = env.data.subjectId;
  if (typeof fromData === 'string') return fromData;
  const details = env.data.details as Record<string, unknown> | undefined;
  if (typeof details?.subjectId === 'string') return details.subjectId;
  return env.subjects.subject ?? null;
}

function tombstone(tenantId: string, subjectId: string, cause: Envelope): SiemRecord {
  return {
    topic: SIEM_TOPICS.subjects,
    key: recordKey(tenantId, subjectId),
    value: null,
    headers: {
      'authtrail-record': 'tombstone',
      'authtrail-type': cause.type,
      'authtrail-event-id': cause.eventId,
    },
  };
}

function sealRecord(event: RecordedEvent, env: Envelope): SiemRecord {
  return {
    topic: SIEM_TOPICS.seals,
    key: env.tenantId,
    value: JSON.stringify({
      tenant_uid: env.tenantId,
      event_uid: env.eventId,
      sequence: event.position,
      time: Date.parse(env.occurredAt),
      seal: env.data.details ?? env.data,
    }),
    headers: {
      'content-type': 'application/json',
      'authtrail-type': env.type,
      'authtrail-event-id': env.eventId,
    },
  };
}
