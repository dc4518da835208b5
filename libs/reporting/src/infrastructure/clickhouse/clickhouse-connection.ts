import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import type { createChdbConnection as CreateChdbConnection } from 'chdb/dist/connection';
import { mkdirSync } from 'node:fs';

/**
 * Settings pinned for every query: on a server at the client level (sent with each
 * query), on chdb once on its one shared session (where per-query settings would leak
 * anyway, as `SET`s). These defaults changed between ClickHouse versions (chdb's own
 * differ: `async_insert` is on there), so an upgrade must not change our answers.
 * https://clickhouse.com/docs/operations/settings/settings
 */
export const PINNED_SETTINGS: ClickHouseSettings = {
  // Counts and positions (UInt64) as JSON numbers; they stay far below 2^53.
  output_format_json_quote_64bit_integers: 0,
  // We format every DateTime64 ourselves ('YYYY-MM-DD hh:mm:ss.sss', UTC): no guessing.
  date_time_input_format: 'basic',
  date_time_output_format: 'simple',
  // Named tuples (a policy change's settings) as JSON objects, not positional arrays.
  output_format_json_named_tuples_as_objects: 1,
  // Inserts are synchronous: the projector saves its checkpoint only after they landed.
  async_insert: 0,
  wait_for_async_insert: 1,
  // A column the table lacks is a bug in our mapping, not something to drop silently.
  input_format_skip_unknown_fields: 0,
  // Lightweight deletes (erasure, tenant deletion) finish before the call returns.
  lightweight_deletes_sync: '2',
  join_use_nulls: 0,
};

/**
 * Server settings of the embedded engine (chdb), given as its command-line arguments: they
 * are server configuration, not query settings, so they must be in place when the engine
 * starts. Issue #15 (peak RSS of `authtrail serve` < 768 MiB): the engine's global thread
 * pool grew by 128 threads (its parts-cleaning pool, sized for a server's disks) once the
 * projector's small inserts left many outdated parts, and kept up to 1000 idle threads,
 * each with its stack and allocator cache (~30 MiB at the bench's wrk phase).
 */
export const EMBEDDED_SERVER_ARGS: readonly string[] = [
  '--max_parts_cleaning_thread_pool_size=4',
  '--max_thread_pool_free_size=16',
];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Session } = require('chdb') as {
  Session: new (path: string, opts?: { connectionArgs?: readonly string[] }) => { close(): void };
};

// `chdb/connection` is an `exports` subpath, which this repo's TypeScript module
// resolution (node10) cannot see: the types come from the file it maps to.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createChdbConnection } = require('chdb/connection') as {
  createChdbConnection: typeof CreateChdbConnection;
};

export interface ClickHouseTarget {
  /** `http(s)://…` of a ClickHouse server, or null for the embedded engine (chdb). */
  readonly url: string | null;
  /** Data folder of the embedded engine (one process per folder), or `:memory:`. */
  readonly path: string;
}

/**
 * One client for both modes: the embedded engine is `@clickhouse/client` over chdb's
 * in-process connection, so every query runs the same code path as against a server.
 */
export function createClickHouseClient(target: ClickHouseTarget): ClickHouseClient {
  if (target.url !== null) {
    return createClient({
      url: target.url,
      clickhouse_settings: PINNED_SETTINGS,
      request_timeout: 60_000,
    });
  }
  if (target.path !== ':memory:') mkdirSync(target.path, { recursive: true, mode: 0o700 });
  // The engine starts with the first connection to its folder and takes the arguments of
  // that one; chdb's client connection passes none, so a session opened just before it
  // starts the engine with them and closes once the client's connection shares it.
  // (`:memory:` folders are chdb's own, shared, temporary ones: left as they are.)
  const primer =
    target.path === ':memory:'
      ? null
      : new Session(target.path, { connectionArgs: EMBEDDED_SERVER_ARGS });
  try {
    return embeddedClient(target.path);
  } finally {
    primer?.close();
  }
}

function embeddedClient(path: string): ClickHouseClient {
  return createClient({
    // chdb types its connection against the deprecated @clickhouse/client-common it
    // bundles; the shapes match at run time (TS2322 otherwise).
    connection: pinnedOnce(createChdbConnection({ path })) as unknown as NonNullable<
      Parameters<typeof createClient>[0]
    >['connection'],
  });
}

type ChdbConnection = ReturnType<typeof CreateChdbConnection>;

/** The `SET` statements of the pinned settings, as one multi-statement query. */
export function pinnedSettingsSql(settings: ClickHouseSettings = PINNED_SETTINGS): string {
  return Object.entries(settings)
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) => `SET ${k} = ${typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : Number(v)}`,
    )
    .join('; ');
}

/**
 * chdb's connection turns a query's settings into `SET` statements run before the query
 * on its one session, every time: ten of them cost ~1.6 ms of CPU per query, more than
 * a small insert itself (issue #15). They hold for the session once set, so they are set
 * once, before the first query, and no query carries them.
 */
function pinnedOnce(connection: ChdbConnection): ChdbConnection {
  let pinned: Promise<unknown> | null = null;
  const ready = () =>
    (pinned ??= connection.command({ query: pinnedSettingsSql() }).catch((e: unknown) => {
      pinned = null; // the next query tries again
      throw e;
    }));
  const after =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await ready();
      return f(...args);
    };
  // Every method bound: the connection keeps its session in private fields.
  return {
    get chdb() {
      return connection.chdb;
    },
    ping: connection.ping.bind(connection),
    close: connection.close.bind(connection),
    query: after(connection.query.bind(connection)),
    exec: after(connection.exec.bind(connection)),
    command: after(connection.command.bind(connection)),
    insert: after(connection.insert.bind(connection)),
  } as ChdbConnection;
}
