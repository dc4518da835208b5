/**
 * The limits every ingest row of `npm run bench` is read against, measured in the same run
 * on the same machine (issue #15):
 *
 * - **parse + validate + seal**: the ingest pipeline's own steps without a store — the
 *   batch body parsed from JSON, each event validated by the catalog, split, sealed under
 *   its people's keys, fingerprinted and encoded as an envelope (the real
 *   `IngestEventsHandler` with a store that only keeps what it is given).
 * - **SQLite batched append**: those very envelopes inserted with better-sqlite3 into a
 *   fresh file of the event store's schema (its own migrations, WAL, synchronous=FULL,
 *   the writer's page cache), one transaction per 1000 events; no look-ups, so it is
 *   what the schema's rows and indexes cost, not what the appender adds.
 * - **SQLite, events table only**: the same without the idempotency and subject index
 *   rows: what those indexes cost is the difference.
 * - **SQLite, a group commit's size**: the same with all indexes, one transaction per
 *   `groupEvents` (32: half of the 64 single-event connections, which is what the group
 *   commit holds while the other half waits for the commit in flight). Each small
 *   transaction rewrites a page of every random-key index per event and fsyncs the WAL:
 *   the floor of one event per request.
 *
 * - **SIEM forwarding**: those very envelopes appended to the limit's own event store,
 *   then the real forwarder's catch-up from position 0 into the NDJSON file sink (OCSF
 *   mapping, the ledger's proofs, the file's writes and fsyncs, its checkpoints): what
 *   forwarding costs per event with nothing else running.
 *
 * Each is run in this (the bench's) process while no server runs.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventCatalog } from '@authtrail/catalog';
import { loadConfig } from '@authtrail/config';
import {
  AppendResult,
  AppendToStream,
  EVENT_STORE,
  EventStore,
  NewEvent,
  SqliteEventStore,
} from '@authtrail/event-store';
import { INGEST_LIMITS, IngestEventsCommand, IngestEventsHandler } from '@authtrail/ingest';
import { Keyring } from '@authtrail/key-vault';
import { systemClock } from '@authtrail/platform';
import { BootstrapService, RuntimeModule } from '@authtrail/runtime';
import { SiemForwarderFactory, SiemModule } from '@authtrail/siem';
import { TenantsService } from '@authtrail/tenancy';
import { BENCH_BOOTSTRAP_KEY, makeEvents } from '../../apps/cli/src/commands/bench-http';
import { eventKey } from '../../libs/event-store/src/infrastructure/sqlite/sqlite-event-key';
import { indexedSubjects } from '../../libs/event-store/src/infrastructure/sqlite/sqlite-subject-index';

export interface LimitRun {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Wall time per event on one thread, µs. */
  readonly microsPerEvent: number;
  /**
   * CPU time (user + system) of this process per event, µs: on a machine shared with other
   * work, the number that compares with the server's CPU per event (fsync waits are wall
   * time, not CPU).
   */
  readonly cpuMicrosPerEvent: number;
}

export interface LimitsResult {
  readonly pipeline: LimitRun;
  readonly sqlite: LimitRun;
  readonly sqliteEventsOnly: LimitRun;
  /** All indexes, `groupEvents` events per transaction. */
  readonly sqliteGroup: LimitRun;
  readonly groupEvents: number;
  /** The SIEM forwarder's catch-up over the same envelopes into the NDJSON file sink. */
  readonly forwarder: LimitRun;
}

const BATCH = 1000;

/** Times `work` (wall and this process's CPU). */
async function timed(events: number, work: () => unknown): Promise<LimitRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    events,
    seconds: ms / 1000,
    eventsPerSecond: events / (ms / 1000),
    microsPerEvent: (ms * 1000) / events,
    cpuMicrosPerEvent: (cpu.user + cpu.system) / events,
  };
}

/** Keeps the streams it is asked to append; answers every event as appended. */
class CapturingStore {
  readonly captured: { tenantId: string; streams: readonly AppendToStream[] }[] = [];
  append(tenantId: string, streams: readonly AppendToStream[]): Promise<AppendResult> {
    this.captured.push({ tenantId, streams });
    return Promise.resolve({
      statuses: streams.flatMap((s) => s.events.map(() => 'appended' as const)),
      lastPosition: null,
    });
  }
}

/**
 * parse + validate + seal over `events` events in batches of 1000; returns the envelopes
 * too. Then the SIEM forwarder's limit over them (its keys are this data dir's).
 */
async function pipelineLimit(
  events: number,
): Promise<{ run: LimitRun; batches: CapturingStore['captured']; forwarder: LimitRun }> {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-bench-limit-'));
  const config = loadConfig({
    AUTHTRAIL_DATA_DIR: dir,
    AUTHTRAIL_LOG_LEVEL: 'error',
    AUTHTRAIL_BOOTSTRAP_KEY: BENCH_BOOTSTRAP_KEY,
    AUTHTRAIL_SIEM_FILE: join(dir, 'siem.ndjson'),
  });
  @Module({ imports: [RuntimeModule.forRoot({ config }), SiemModule] })
  class LimitModule {}
  const app = await NestFactory.createApplicationContext(LimitModule, { logger: false });
  try {
    await app.get(BootstrapService).ensure();
    const tenants = app.get(TenantsService);
    await tenants.optIn('default', { keyId: 'bench' });
    const store = new CapturingStore();
    const handler = new IngestEventsHandler(
      app.get(EventCatalog),
      app.get(Keyring),
      tenants,
      store as unknown as EventStore,
      systemClock,
      app.get(INGEST_LIMITS),
    );
    const pool = makeEvents(events);
    // The bodies as they arrive over HTTP: parsing them is part of the limit.
    const bodies: string[] = [];
    for (let i = 0; i < pool.length; i += BATCH)
      bodies.push(JSON.stringify(pool.slice(i, i + BATCH)));
    // The people of the pool get their subjects and keys once (as in a long-running server).
    const people = makeEvents(5000);
    for (let i = 0; i < people.length; i += BATCH)
      await handler.execute(
        new IngestEventsCommand('default', people.slice(i, i + BATCH), 'bench'),
      );
    store.captured.length = 0;
    const measured = await timed(events, async () => {
      for (const body of bodies)
        await handler.execute(
          new IngestEventsCommand('default', JSON.parse(body) as unknown[], 'bench'),
        );
    });
    return {
      run: measured,
      batches: store.captured,
      forwarder: await forwarderLimit(app, store.captured, events),
    };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The envelopes appended to the app's event store (not timed), then forwarded from position 0 (timed). */
async function forwarderLimit(
  app: INestApplicationContext,
  batches: CapturingStore['captured'],
  events: number,
): Promise<LimitRun> {
  const log = app.get<EventStore>(EVENT_STORE);
  for (const { tenantId, streams } of batches)
    await log.append(
      tenantId,
      streams.map((s) => ({ ...s, expectedRevision: 'any' as const })),
    );
  const forwarder = app.get(SiemForwarderFactory).create();
  if (forwarder === null) throw new Error('the SIEM file sink is not configured');
  try {
    let reached = 0;
    const run = await timed(events, async () => {
      reached = await forwarder.catchUp();
    });
    if (reached < events) throw new Error(`the forwarder reached ${reached} of ${events} events`);
    return run;
  } finally {
    await forwarder.stop();
  }
}

/** The envelopes appended with plain prepared statements, one transaction per 1000. */
async function sqliteLimit(
  batches: CapturingStore['captured'],
  withIndexes: boolean,
  chunk = BATCH,
): Promise<LimitRun> {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-bench-limit-sqlite-'));
  const file = join(dir, 'events.db');
  try {
    // The store creates the file and runs its migrations: the schema is the store's own.
    void SqliteEventStore.open(file, { writerThread: false }).close();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('cache_size = -65536');
    db.pragma('wal_autocheckpoint = 10000');
    const insertEvent = db.prepare(
      'INSERT INTO events (tenant_id, stream_id, revision, event_id, type, occurred_at, recorded_at, data, hash, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertEventKey = db.prepare('INSERT INTO event_keys (key, position) VALUES (?, ?)');
    const insertSubject = db.prepare(
      'INSERT INTO event_subjects (tenant_id, subject_id, position) VALUES (?, ?, ?)',
    );
    const upsertStream = db.prepare(
      'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
    );
    const revisions = new Map<string, number>();
    const rows: { tenantId: string; streamId: string; event: NewEvent }[] = batches.flatMap(
      ({ tenantId, streams }) =>
        streams.flatMap((s) =>
          s.events.map((event) => ({ tenantId, streamId: s.streamId, event })),
        ),
    );
    const commit = db.transaction((slice: typeof rows) => {
      const recordedAt = Date.now();
      for (const { tenantId, streamId, event } of slice) {
        const revision = (revisions.get(streamId) ?? -1) + 1;
        revisions.set(streamId, revision);
        const data = Buffer.from(event.data);
        const { lastInsertRowid } = insertEvent.run(
          tenantId,
          streamId,
          revision,
          event.eventId,
          event.type,
          event.occurredAt.getTime(),
          recordedAt,
          data,
          createHash('sha256').update(data).digest('hex'),
          createHash('sha256').update(event.fingerprint, 'utf8').digest(),
        );
        upsertStream.run(streamId, revision);
        if (!withIndexes) continue;
        const position = Number(lastInsertRowid);
        insertEventKey.run(eventKey(tenantId, event.eventId), position);
        for (const subjectId of indexedSubjects(tenantId, streamId, event.subjectIds))
          insertSubject.run(tenantId, subjectId, position);
      }
    });
    const measured = await timed(rows.length, () => {
      for (let i = 0; i < rows.length; i += chunk) commit.immediate(rows.slice(i, i + chunk));
    });
    db.close();
    return measured;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureLimits(options: {
  readonly events: number;
  /** Events per transaction of the group-commit row (default 32). */
  readonly groupEvents?: number;
  readonly log: (line: string) => void;
}): Promise<LimitsResult> {
  const groupEvents = Math.max(1, options.groupEvents ?? 32);
  const events = Math.max(BATCH, Math.ceil(options.events / BATCH) * BATCH);
  options.log(`limits: parse + validate + seal, ${events} events, then SIEM forwarding of them…`);
  const { run: pipeline, batches, forwarder } = await pipelineLimit(events);
  options.log(`limits: SQLite batched append of the same ${events} envelopes…`);
  const sqlite = await sqliteLimit(batches, true);
  const sqliteEventsOnly = await sqliteLimit(batches, false);
  options.log(`limits: the same, ${groupEvents} per transaction…`);
  const sqliteGroup = await sqliteLimit(batches, true, groupEvents);
  return { pipeline, sqlite, sqliteEventsOnly, sqliteGroup, groupEvents, forwarder };
}
