/**
 * TEST DOUBLE — NOT A STORE. A gRPC server speaking the EventStoreDB v1 client protocol,
 * for the integration tier where no real server can run (DESIGN.md: EventStoreDB needs
 * .NET). It keeps everything in memory, lives only in libs/testing (excluded from the
 * build) and is never wired as an event store by the runtime.
 *
 * It is built on the client's own generated protobuf classes, so the messages are the
 * ones `@eventstore/db-client` sends and expects. It covers what the authtrail adapter
 * calls: ServerFeatures (advertising BatchAppend or not), Append and BatchAppend with every
 * expected-revision mode, stream and `$all` reads both ways, link resolution, catch-up
 * subscriptions to `$all` with stream-name/event-type filters, `$maxAge` on stream reads,
 * Delete and Tombstone. Like a real server, `$all` positions are byte offsets that start far
 * from 0 and grow by the record size, and `$all` holds system events (`$`-streams). Also like
 * a real server, `$all` reads and subscriptions still return expired and deleted events
 * until a scavenge removes them ({@link EsdbTestDouble.scavenge}, a test hook standing in
 * for the server's admin scavenge).
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import {
  AllStreamPosition,
  Empty,
  StreamDeleted,
  StreamIdentifier,
  UUID,
  WrongExpectedVersion as SharedWrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  DeleteReq,
  DeleteResp,
  ReadReq,
  ReadResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@eventstore/db-client/generated/serverfeatures_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';

/** One record of the double's transaction log. */
export interface EsdbDoubleRecord {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  /** .NET ticks (100 ns since 0001-01-01), as the server reports `created`. */
  readonly createdTicks: bigint;
  readonly position: bigint;
}

export interface EsdbTestDoubleOptions {
  /** Advertise and serve `Streams/BatchAppend` (the client then uses it). Default true. */
  readonly batchAppend?: boolean;
  /** Position of the first record; a real server's first user event is far from 0. Default 1 000 000. */
  readonly firstPosition?: bigint;
  /** Clock for `created` and `$maxAge`. */
  readonly now?: () => number;
  /** Loopback port; 0 (default) picks a free one. */
  readonly port?: number;
}

type Expected =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: number };

interface Proposed {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

type AppendOutcome =
  | { ok: true; revision: number; position: bigint }
  | { ok: false; deleted: true }
  | { ok: false; deleted: false; current: number | null; expected: Expected };

interface Subscriber {
  readonly matches: (r: EsdbDoubleRecord) => boolean;
  readonly send: (r: EsdbDoubleRecord) => void;
}

const TICKS_AT_EPOCH = 621_355_968_000_000_000n;
const SERVER_VERSION = '24.10.0-authtrail-test-double';
const STREAMS = 'event_store.client.streams.Streams';

/** TEST DOUBLE of an EventStoreDB node (see the file comment). */
export class EsdbTestDouble {
  private log: EsdbDoubleRecord[] = [];
  private readonly streams = new Map<string, EsdbDoubleRecord[]>();
  private readonly tombstoned = new Set<string>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly calls = new Map<string, number>();
  private readonly now: () => number;
  private readonly batchAppend: boolean;
  private nextPosition: bigint;
  private server: grpc.Server | null = null;
  private boundPort: number;

  private constructor(options: EsdbTestDoubleOptions) {
    this.now = options.now ?? Date.now;
    this.batchAppend = options.batchAppend ?? true;
    this.nextPosition = options.firstPosition ?? 1_000_000n;
    this.boundPort = options.port ?? 0;
    // A real log starts with the server's own records.
    this.write('$epochs', { kind: 'any' }, [
      {
        id: randomUUID(),
        type: '$epoch-information',
        contentType: 'application/json',
        data: Buffer.from('{"epochNumber":0}'),
        metadata: new Uint8Array(),
      },
    ]);
  }

  /** Starts a double on a loopback port. */
  static async start(options: EsdbTestDoubleOptions = {}): Promise<EsdbTestDouble> {
    const double = new EsdbTestDouble(options);
    await double.listen();
    return double;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Insecure single-node connection string for `EventStoreDBClient.connectionString`. */
  get connectionString(): string {
    return `esdb://127.0.0.1:${this.boundPort}?tls=false`;
  }

  /** Every record in log order, system records included. */
  records(): readonly EsdbDoubleRecord[] {
    return this.log;
  }

  /** How often each gRPC method was called (e.g. `Streams/BatchAppend`). */
  callCount(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  /** The stream's current metadata (`$maxAge` …) as the last `$metadata` event set it. */
  metadataOf(stream: string): Record<string, unknown> | null {
    const meta = this.streams.get(`$$${stream}`)?.at(-1);
    return meta
      ? (JSON.parse(Buffer.from(meta.data).toString('utf8')) as Record<string, unknown>)
      : null;
  }

  /**
   * TEST HOOK standing in for the server's scavenge (`POST /admin/scavenge`, or its
   * auto-scavenge): removes from the log every record readers no longer see in its stream —
   * past the stream's `$maxAge` by the double's clock, or of a deleted stream — so `$all`
   * reads and subscriptions stop returning them too, as on a real node after a scavenge (which
   * also spares its active chunk; the double spares nothing). Returns how many it removed.
   */
  scavenge(): number {
    const live = new Set<EsdbDoubleRecord>();
    for (const stream of this.streams.keys())
      for (const record of this.visible(stream) ?? []) live.add(record);
    const before = this.log.length;
    this.log = this.log.filter((r) => live.has(r));
    return before - this.log.length;
  }

  /** An outage: drops every connection and stops listening; the data stays. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.subscribers.clear();
    server?.forceShutdown();
    await Promise.resolve();
  }

  /** Listens again on the same port, with the same data (after `stop`). */
  async restart(): Promise<void> {
    if (this.server === null) await this.listen();
  }

  /** Stops for good. */
  close(): Promise<void> {
    return this.stop();
  }

  private async listen(): Promise<void> {
    const server = new grpc.Server();
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (
        _call: grpc.ServerUnaryCall<Empty, SupportedMethods>,
        callback: grpc.sendUnaryData<SupportedMethods>,
      ) => {
        this.count('ServerFeatures/GetSupportedMethods');
        const methods = ['Read', 'Append', 'Delete', 'Tombstone'];
        if (this.batchAppend) methods.push('BatchAppend');
        const response = new SupportedMethods();
        response.setEventStoreServerVersion(SERVER_VERSION);
        response.setMethodsList(
          methods.map((name) => {
            const m = new SupportedMethod();
            m.setServiceName(STREAMS);
            m.setMethodName(name);
            return m;
          }),
        );
        callback(null, response);
      },
    });
    const streams: grpc.UntypedServiceImplementation = {
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
      append: (
        call: grpc.ServerReadableStream<AppendReq, AppendResp>,
        callback: grpc.sendUnaryData<AppendResp>,
      ) => this.append(call, callback),
      delete: (
        call: grpc.ServerUnaryCall<DeleteReq, DeleteResp>,
        callback: grpc.sendUnaryData<DeleteResp>,
      ) => {
        this.count('Streams/Delete');
        const options = call.request.getOptions()!;
        const stream = streamName(options.getStreamIdentifier());
        // A soft delete: the stream reads as not found until written again.
        this.streams.delete(stream);
        const response = new DeleteResp();
        response.setNoPosition(new Empty());
        callback(null, response);
      },
      tombstone: (
        call: grpc.ServerUnaryCall<TombstoneReq, TombstoneResp>,
        callback: grpc.sendUnaryData<TombstoneResp>,
      ) => {
        this.count('Streams/Tombstone');
        const stream = streamName(call.request.getOptions()!.getStreamIdentifier());
        this.tombstoned.add(stream);
        this.streams.delete(stream);
        const response = new TombstoneResp();
        response.setNoPosition(new Empty());
        callback(null, response);
      },
    };
    if (this.batchAppend) {
      streams.batchAppend = (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) =>
        this.batch(call);
    }
    server.addService(StreamsService, streams);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        `127.0.0.1:${this.boundPort}`,
        grpc.ServerCredentials.createInsecure(),
        (error, port) => (error ? reject(error) : resolve(port)),
      ),
    );
    this.server = server;
  }

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  private append(
    call: grpc.ServerReadableStream<AppendReq, AppendResp>,
    callback: grpc.sendUnaryData<AppendResp>,
  ): void {
    this.count('Streams/Append');
    let options: AppendReq.Options | undefined;
    const proposed: Proposed[] = [];
    call.on('data', (req: AppendReq) => {
      if (req.hasOptions()) options = req.getOptions();
      else if (req.hasProposedMessage()) proposed.push(fromProposed(req.getProposedMessage()!));
    });
    call.on('end', () => {
      if (!options) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'no options' });
      const stream = streamName(options.getStreamIdentifier());
      const expected: Expected = options.hasRevision()
        ? { kind: 'revision', revision: Number(options.getRevision()) }
        : options.hasNoStream()
          ? { kind: 'no_stream' }
          : options.hasStreamExists()
            ? { kind: 'stream_exists' }
            : { kind: 'any' };
      const outcome = this.write(stream, expected, proposed);
      const response = new AppendResp();
      if (outcome.ok) {
        const success = new AppendResp.Success();
        success.setCurrentRevision(String(outcome.revision));
        const position = new AppendResp.Position();
        position.setCommitPosition(outcome.position.toString());
        position.setPreparePosition(outcome.position.toString());
        success.setPosition(position);
        response.setSuccess(success);
      } else if (outcome.deleted) {
        return callback({
          code: grpc.status.FAILED_PRECONDITION,
          details: `stream ${stream} is deleted`,
        });
      } else {
        const wrong = new AppendResp.WrongExpectedVersion();
        if (outcome.current === null) wrong.setCurrentNoStream(new Empty());
        else wrong.setCurrentRevision(String(outcome.current));
        setExpected(wrong, outcome.expected);
        response.setWrongExpectedVersion(wrong);
      }
      callback(null, response);
    });
  }

  private batch(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    this.count('Streams/BatchAppend');
    const pending = new Map<string, { options: BatchAppendReq.Options; proposed: Proposed[] }>();
    call.on('data', (req: BatchAppendReq) => {
      const correlation = req.getCorrelationId()!;
      const key = correlation.getString();
      let entry = pending.get(key);
      if (!entry) {
        entry = { options: req.getOptions()!, proposed: [] };
        pending.set(key, entry);
      }
      for (const m of req.getProposedMessagesList()) entry.proposed.push(fromProposed(m));
      if (!req.getIsFinal()) return;
      pending.delete(key);
      const { options, proposed } = entry;
      const stream = streamName(options.getStreamIdentifier());
      const expected: Expected = options.hasStreamPosition()
        ? { kind: 'revision', revision: Number(options.getStreamPosition()) }
        : options.hasNoStream()
          ? { kind: 'no_stream' }
          : options.hasStreamExists()
            ? { kind: 'stream_exists' }
            : { kind: 'any' };
      const outcome = this.write(stream, expected, proposed);
      const response = new BatchAppendResp();
      response.setCorrelationId(correlation);
      response.setStreamIdentifier(options.getStreamIdentifier());
      if (outcome.ok) {
        const success = new BatchAppendResp.Success();
        success.setCurrentRevision(String(outcome.revision));
        const position = new AllStreamPosition();
        position.setCommitPosition(outcome.position.toString());
        position.setPreparePosition(outcome.position.toString());
        success.setPosition(position);
        response.setSuccess(success);
      } else {
        const status = new Status();
        const details = new Any();
        if (outcome.deleted) {
          status.setCode(Code.FAILED_PRECONDITION);
          status.setMessage(`stream ${stream} is deleted`);
          const deleted = new StreamDeleted();
          deleted.setStreamIdentifier(options.getStreamIdentifier());
          details.pack(deleted.serializeBinary(), 'event_store.client.StreamDeleted');
        } else {
          status.setCode(Code.FAILED_PRECONDITION);
          status.setMessage('wrong expected version');
          const wrong = new SharedWrongExpectedVersion();
          if (outcome.current === null) wrong.setCurrentNoStream(new GoogleEmpty());
          else wrong.setCurrentStreamRevision(String(outcome.current));
          if (outcome.expected.kind === 'revision')
            wrong.setExpectedStreamPosition(String(outcome.expected.revision));
          else if (outcome.expected.kind === 'no_stream')
            wrong.setExpectedNoStream(new GoogleEmpty());
          else if (outcome.expected.kind === 'stream_exists')
            wrong.setExpectedStreamExists(new GoogleEmpty());
          else wrong.setExpectedAny(new GoogleEmpty());
          details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
        }
        status.setDetails(details);
        response.setError(status);
      }
      call.write(response);
    });
    call.on('end', () => call.end());
  }

  /** Appends atomically after the expected-revision check; this is the double's whole write path. */
  private write(stream: string, expected: Expected, proposed: readonly Proposed[]): AppendOutcome {
    if (this.tombstoned.has(stream)) return { ok: false, deleted: true };
    const records = this.streams.get(stream);
    const current = records && records.length > 0 ? records[records.length - 1].revision : null;
    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && current === null) ||
      (expected.kind === 'stream_exists' && current !== null) ||
      (expected.kind === 'revision' && current === expected.revision);
    if (!ok) return { ok: false, deleted: false, current, expected };
    if (proposed.length === 0)
      return { ok: true, revision: current ?? -1, position: this.nextPosition };
    const target = records ?? [];
    this.streams.set(stream, target);
    let revision = current ?? -1;
    let position = this.nextPosition;
    const created = BigInt(this.now()) * 10_000n + TICKS_AT_EPOCH;
    const written: EsdbDoubleRecord[] = [];
    for (const p of proposed) {
      revision++;
      position = this.nextPosition;
      const record: EsdbDoubleRecord = { ...p, stream, revision, createdTicks: created, position };
      // Byte offsets like a real log: the next record starts after this one.
      this.nextPosition += BigInt(
        96 + stream.length + p.type.length + p.data.length + p.metadata.length,
      );
      target.push(record);
      this.log.push(record);
      written.push(record);
    }
    for (const record of written)
      for (const s of this.subscribers) if (s.matches(record)) s.send(record);
    return { ok: true, revision, position };
  }

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    this.count('Streams/Read');
    const options = call.request.getOptions()!;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    const resolve = options.getResolveLinks();

    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const stream = streamName(streamOptions.getStreamIdentifier());
      const records = this.visible(stream);
      if (records === null) {
        const notFound = new ReadResp();
        const nf = new ReadResp.StreamNotFound();
        nf.setStreamIdentifier(streamOptions.getStreamIdentifier());
        notFound.setStreamNotFound(nf);
        call.write(notFound);
        call.end();
        return;
      }
      let selected: EsdbDoubleRecord[];
      if (backwards) {
        const from = streamOptions.hasRevision()
          ? Number(streamOptions.getRevision())
          : Number.MAX_SAFE_INTEGER;
        selected = records.filter((r) => r.revision <= from).reverse();
      } else {
        const from = streamOptions.hasRevision() ? Number(streamOptions.getRevision()) : 0;
        selected = records.filter((r) => r.revision >= from);
      }
      for (const r of selected.slice(0, count)) call.write(this.toResp(r, resolve, false));
      call.end();
      return;
    }

    const all = options.getAll()!;
    const from = all.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : null;
    const matches = filterOf(options);
    if (options.hasSubscription()) {
      this.subscribe(call, from, all.hasEnd(), matches, resolve);
      return;
    }
    let selected: EsdbDoubleRecord[];
    if (backwards) {
      const limit = all.hasStart() ? -1n : from;
      selected = this.log.filter((r) => limit === null || r.position < limit).reverse();
    } else {
      selected = all.hasEnd() ? [] : this.log.filter((r) => from === null || r.position >= from);
    }
    for (const r of selected.filter(matches).slice(0, count))
      call.write(this.toResp(r, resolve, true));
    call.end();
  }

  private subscribe(
    call: grpc.ServerWritableStream<ReadReq, ReadResp>,
    from: bigint | null,
    fromEnd: boolean,
    matches: (r: EsdbDoubleRecord) => boolean,
    resolve: boolean,
  ): void {
    const confirmation = new ReadResp();
    const confirmed = new ReadResp.SubscriptionConfirmation();
    confirmed.setSubscriptionId(randomUUID());
    confirmation.setConfirmation(confirmed);
    call.write(confirmation);
    // History and the switch to live happen in one synchronous step: no append slips between.
    if (!fromEnd)
      for (const r of this.log)
        if ((from === null || r.position > from) && matches(r))
          call.write(this.toResp(r, resolve, true));
    const caughtUp = new ReadResp();
    caughtUp.setCaughtUp(new ReadResp.CaughtUp());
    call.write(caughtUp);
    const subscriber: Subscriber = {
      matches,
      send: (r) => call.write(this.toResp(r, resolve, true)),
    };
    this.subscribers.add(subscriber);
    const remove = (): void => void this.subscribers.delete(subscriber);
    call.on('cancelled', remove);
    call.on('close', remove);
    call.on('error', remove);
  }

  /** A stream's records as readers see them: null when it does not exist; `$maxAge` applied. */
  private visible(stream: string): EsdbDoubleRecord[] | null {
    const records = this.streams.get(stream);
    if (!records || records.length === 0) return null;
    const maxAge = stream.startsWith('$$') ? undefined : this.metadataOf(stream)?.['$maxAge'];
    if (typeof maxAge !== 'number') return records;
    const cutoff = (BigInt(this.now()) - BigInt(maxAge) * 1000n) * 10_000n + TICKS_AT_EPOCH;
    return records.filter((r) => r.createdTicks >= cutoff);
  }

  private toResp(record: EsdbDoubleRecord, resolve: boolean, withCommit: boolean): ReadResp {
    const event = new ReadResp.ReadEvent();
    const target = resolve && record.type === '$>' ? this.linkTarget(record) : undefined;
    if (target === undefined) event.setEvent(toRecorded(record));
    else {
      if (target !== null) event.setEvent(toRecorded(target));
      event.setLink(toRecorded(record));
    }
    if (withCommit) event.setCommitPosition(record.position.toString());
    else event.setNoPosition(new Empty());
    const response = new ReadResp();
    response.setEvent(event);
    return response;
  }

  /** The record a `$>` link points to (`revision@stream`), or null when gone or expired. */
  private linkTarget(link: EsdbDoubleRecord): EsdbDoubleRecord | null {
    const text = Buffer.from(link.data).toString('utf8');
    const at = text.indexOf('@');
    const revision = Number(text.slice(0, at));
    return this.visible(text.slice(at + 1))?.find((r) => r.revision === revision) ?? null;
  }
}

function streamName(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier!.getStreamName_asU8()).toString('utf8');
}

function fromProposed(m: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage): Proposed {
  const map = m.getMetadataMap();
  return {
    id: m.getId()!.getString(),
    type: map.get('type') ?? '',
    contentType: map.get('content-type') ?? 'application/octet-stream',
    data: m.getData_asU8(),
    metadata: m.getCustomMetadata_asU8(),
  };
}

function toRecorded(r: EsdbDoubleRecord): ReadResp.ReadEvent.RecordedEvent {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  const id = new UUID();
  id.setString(r.id);
  recorded.setId(id);
  const identifier = new StreamIdentifier();
  identifier.setStreamName(Buffer.from(r.stream, 'utf8'));
  recorded.setStreamIdentifier(identifier);
  recorded.setStreamRevision(String(r.revision));
  // Servers since 22.6 fill the $all position on stream reads too (KurrentDB PR #3459).
  recorded.setCommitPosition(r.position.toString());
  recorded.setPreparePosition(r.position.toString());
  const map = recorded.getMetadataMap();
  map.set('type', r.type);
  map.set('content-type', r.contentType);
  map.set('created', r.createdTicks.toString());
  recorded.setCustomMetadata(r.metadata);
  recorded.setData(r.data);
  return recorded;
}

function setExpected(wrong: AppendResp.WrongExpectedVersion, expected: Expected): void {
  if (expected.kind === 'revision') wrong.setExpectedRevision(String(expected.revision));
  else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new Empty());
  else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
  else wrong.setExpectedAny(new Empty());
}

/** The server-side filter of a `$all` read or subscription. */
function filterOf(options: ReadReq.Options): (r: EsdbDoubleRecord) => boolean {
  if (!options.hasFilter()) return () => true;
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : null;
  return (r) => {
    const value = onStream ? r.stream : r.type;
    if (prefixes.length > 0 && !prefixes.some((p) => value.startsWith(p))) return false;
    return regex === null || regex.test(value);
  };
}
