import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventStoreDBClient, streamNameFilter } from '@eventstore/db-client';
import {
  EsdbEventStore,
  EventStore,
  NAMESPACE_PARAMETER,
  SqliteEventStore,
} from '@authtrail/event-store';
import type { Clock } from '@authtrail/platform';
import { EsdbTestDouble } from '../../libs/testing/src/esdb/esdb-test-double';

/**
 * Which event store the end-to-end tier runs on, chosen by configuration alone
 * (`AUTHTRAIL_TEST_EVENT_STORE`):
 * - `sqlite` (default): the embedded log in each test's data dir;
 * - `esdb-double`: the EventStoreDB adapter against a fresh gRPC double of the protocol per
 *   data dir — in-process for an in-process test server (it shares the test's clock, so
 *   `$maxAge` follows it), a child process for served and CLI processes;
 * - `esdb`: a real EventStoreDB/KurrentDB server at `ESDB_CONNECTION_STRING`, each data
 *   dir in its own stream namespace (`authtrailNamespace=` in the connection string), so
 *   tests sharing the server never see each other's streams.
 * The double (or namespace) belongs to the data dir, not to a server process: a test that
 * kills a server and starts another on the same data finds the same log.
 */
export type EventStoreUnderTest = 'sqlite' | 'esdb-double' | 'esdb';

export const EVENT_STORE_UNDER_TEST: EventStoreUnderTest = chosen();

/** True when the log is EventStoreDB (double or server), not the SQLite file. */
export const ON_ESDB = EVENT_STORE_UNDER_TEST !== 'sqlite';

function chosen(): EventStoreUnderTest {
  const value = process.env.AUTHTRAIL_TEST_EVENT_STORE ?? 'sqlite';
  if (value !== 'sqlite' && value !== 'esdb-double' && value !== 'esdb')
    throw new Error(
      `AUTHTRAIL_TEST_EVENT_STORE: expected sqlite, esdb-double or esdb, not ${value}`,
    );
  if (value === 'esdb' && !process.env.ESDB_CONNECTION_STRING)
    throw new Error(
      'AUTHTRAIL_TEST_EVENT_STORE=esdb needs ESDB_CONNECTION_STRING (or use esdb-double)',
    );
  return value;
}

const ROOT = resolve(__dirname, '../..');
const START_TIMEOUT_MS = 30_000;

interface Log {
  /** What authtrail is configured with. */
  readonly connectionString: string;
  /** The same for a plain client, and the stream prefix authtrail uses there. */
  readonly clientString: string;
  readonly namespace: string;
  /** The double when it runs in this process (test-only hooks); null otherwise. */
  readonly double: EsdbTestDouble | null;
  readonly child: ChildProcess | null;
  /** Servers currently using it: it is stopped only when none is left. */
  users: number;
}

/** One log per data dir, for the lifetime of this test file (module registry). */
const logs = new Map<string, Log>();
let fileDone = false;

// After the file's tests, stop every log no server uses any more; the rest stop with
// their last server, or with this process.
if (ON_ESDB && typeof afterAll === 'function') {
  afterAll(async () => {
    fileDone = true;
    for (const [dataDir, log] of logs) if (log.users === 0) await stop(dataDir, log);
  });
}
// Child doubles also exit when their stdin closes; this only makes it immediate.
const killChildren = (): void => {
  for (const log of logs.values()) log.child?.kill('SIGKILL');
};

/** What a server or CLI on `dataDir` is configured with; release it when the user is gone. */
export interface EventStoreLease {
  readonly env: Readonly<Record<string, string>>;
  release(): Promise<void>;
}

const NO_LEASE: EventStoreLease = { env: {}, release: () => Promise.resolve() };

/** The event store of an in-process test server on `dataDir` (which may follow `clock`). */
export async function leaseForServer(dataDir: string, clock?: Clock): Promise<EventStoreLease> {
  if (!ON_ESDB) return NO_LEASE;
  let log = logs.get(dataDir);
  if (!log) {
    if (EVENT_STORE_UNDER_TEST === 'esdb') log = serverLog();
    else {
      const double = await EsdbTestDouble.start(clock ? { now: () => clock.now().getTime() } : {});
      log = {
        connectionString: double.connectionString,
        clientString: double.connectionString,
        namespace: '',
        double,
        child: null,
        users: 0,
      };
    }
    logs.set(dataDir, log);
  }
  return lease(dataDir, log);
}

/**
 * The event store of a process (`authtrail serve`, a CLI command) on `dataDir`. Synchronous
 * because CLI runs are (`spawnSync`): a double it has to start runs as a child process.
 */
export function leaseForProcess(
  dataDir: string,
  options: { sync?: boolean } = {},
): EventStoreLease {
  if (!ON_ESDB) return NO_LEASE;
  let log = logs.get(dataDir);
  if (log?.double && options.sync)
    throw new Error(
      'this data dir has an in-process EventStoreDB double, which cannot answer while a synchronous CLI run blocks this process: run the CLI asynchronously or use a served process',
    );
  if (!log) {
    log = EVENT_STORE_UNDER_TEST === 'esdb' ? serverLog() : childDouble();
    logs.set(dataDir, log);
  }
  return lease(dataDir, log);
}

/** The in-process double holding `dataDir`'s log (for test-only hooks), if there is one. */
export function esdbDoubleOf(dataDir: string): EsdbTestDouble | null {
  return logs.get(dataDir)?.double ?? null;
}

/** Opens `dataDir`'s log directly, as a test reading back what the app stored. */
export function openEventStore(dataDir: string): EventStore {
  if (!ON_ESDB) return SqliteEventStore.open(join(dataDir, 'events.db'));
  const log = logs.get(dataDir);
  if (!log) throw new Error(`no event store was started for ${dataDir}`);
  return EsdbEventStore.connect(log.connectionString);
}

/**
 * Where `dataDir`'s EventStoreDB log holds `needle` (as UTF-8, also lower-cased) in a
 * record's stream name, data or metadata, index and system records included and expired
 * ones too (they stay on the server's disk until a scavenge): the log's share of a test's
 * byte scan of the data dir, where the SQLite log lives. Empty on SQLite.
 */
export async function esdbRecordsHolding(dataDir: string, needle: string): Promise<string[]> {
  if (!ON_ESDB) return [];
  const log = logs.get(dataDir);
  if (!log) throw new Error(`no event store was started for ${dataDir}`);
  const wanted = [Buffer.from(needle, 'utf8'), Buffer.from(needle.toLowerCase(), 'utf8')];
  const holds = (bytes: Uint8Array | undefined): boolean =>
    bytes !== undefined && wanted.some((w) => Buffer.from(bytes).includes(w));
  const client = EventStoreDBClient.connectionString(log.clientString);
  const found: string[] = [];
  try {
    const records = client.readAll({
      ...(log.namespace ? { filter: streamNameFilter({ prefixes: [log.namespace] }) } : {}),
      maxCount: Number.MAX_SAFE_INTEGER,
    });
    for await (const { event } of records) {
      if (!event) continue;
      const data = event.isJson ? Buffer.from(JSON.stringify(event.data)) : event.data;
      const meta =
        event.metadata instanceof Uint8Array
          ? event.metadata
          : Buffer.from(JSON.stringify(event.metadata ?? null));
      if (holds(Buffer.from(event.streamId)) || holds(data) || holds(meta))
        found.push(`${event.streamId}@${event.revision}`);
    }
  } finally {
    await client.dispose();
  }
  return found;
}

/**
 * The EventStoreDB server's scavenge (daily in production, docs/scale-out.md), on the
 * in-process double: events past their stream's `$maxAge` leave `$all` too. Nothing to do
 * on SQLite, where the retention job deletes.
 */
export function scavenge(dataDir: string): void {
  if (!ON_ESDB) return;
  const double = esdbDoubleOf(dataDir);
  if (!double) throw new Error('only an in-process EventStoreDB double can be scavenged by a test');
  double.scavenge();
}

/** `describe` that runs only when `condition` holds, and otherwise says, visibly, why not. */
export function describeIf(condition: boolean, reason: string): jest.Describe {
  if (condition) return describe;
  return ((name: string, fn: jest.EmptyFunction) => {
    const why = `skipped on ${EVENT_STORE_UNDER_TEST}: ${reason}`;
    console.warn(`${name} — ${why}`);
    describe.skip(`${name} [${why}]`, fn);
  }) as jest.Describe;
}

/** `it` that runs only when `condition` holds, and otherwise says, visibly, why not. */
export function itIf(condition: boolean, reason: string): jest.It {
  if (condition) return it;
  return ((name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
    const why = `skipped on ${EVENT_STORE_UNDER_TEST}: ${reason}`;
    console.warn(`${name} — ${why}`);
    it.skip(`${name} [${why}]`, fn, timeout);
  }) as jest.It;
}

/**
 * For tests that are inherently about the SQLite file (tampering with it, byte scans of
 * it): on EventStoreDB they are skipped, visibly and with the reason.
 */
export const describeOnSqlite = (reason: string): jest.Describe => describeIf(!ON_ESDB, reason);

function lease(dataDir: string, log: Log): EventStoreLease {
  log.users++;
  let released = false;
  return {
    env: { AUTHTRAIL_EVENT_STORE: log.connectionString },
    release: async () => {
      if (released) return;
      released = true;
      log.users--;
      // A log outlives its server while the test may start another on the same data.
      if (log.users === 0 && (fileDone || !existsSync(dataDir))) await stop(dataDir, log);
    },
  };
}

async function stop(dataDir: string, log: Log): Promise<void> {
  if (logs.get(dataDir) !== log) return;
  logs.delete(dataDir);
  if (![...logs.values()].some((l) => l.child)) process.removeListener('exit', killChildren);
  await log.double?.close();
  if (log.child && log.child.exitCode === null) {
    const exited = new Promise((done) => log.child!.once('exit', done));
    log.child.kill('SIGTERM');
    await exited;
  }
}

function serverLog(): Log {
  const base = process.env.ESDB_CONNECTION_STRING!;
  const namespace = `e2e${randomBytes(6).toString('hex')}-`;
  const connectionString = `${base}${base.includes('?') ? '&' : '?'}${NAMESPACE_PARAMETER}=${namespace}`;
  return { connectionString, clientString: base, namespace, double: null, child: null, users: 0 };
}

/**
 * A double in its own process, started synchronously: the caller blocks (Atomics.wait)
 * until the double has written its ready file. The double exits when its stdin closes,
 * so it never outlives the test process.
 */
function childDouble(): Log {
  const readyFile = join(tmpdir(), `authtrail-esdb-double-${randomBytes(6).toString('hex')}.json`);
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(ROOT, 'libs/coordination/testing/register-ts.js'),
      join(ROOT, 'libs/testing/src/esdb/esdb-test-double.main.ts'),
      '--ready-file',
      readyFile,
      '--exit-with-stdin',
    ],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  // Neither the child nor its stdin keeps this process alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const deadline = Date.now() + START_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(readyFile)) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the EventStoreDB double did not start within ${START_TIMEOUT_MS} ms`);
    }
    Atomics.wait(pause, 0, 0, 20);
  }
  const { connectionString } = JSON.parse(readFileSync(readyFile, 'utf8')) as {
    connectionString: string;
  };
  rmSync(readyFile, { force: true });
  if (!process.listeners('exit').includes(killChildren)) process.on('exit', killChildren);
  return {
    connectionString,
    clientString: connectionString,
    namespace: '',
    double: null,
    child,
    users: 0,
  };
}
