import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import type { createChdbConnection as CreateChdbConnection } from 'chdb/dist/connection';
import { mkdirSync } from 'node:fs';

/**
 * Settings pinned for every query, at the client level: per-query settings leak in chdb's
 * connection (they become `SET` on its one shared session), and these defaults changed
 * between ClickHouse versions, so a server upgrade must not change our answers.
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
  return createClient({
    // chdb types its connection against the deprecated @clickhouse/client-common it
    // bundles; the shapes match at run time (TS2322 otherwise).
    connection: createChdbConnection({ path: target.path }) as unknown as NonNullable<
      Parameters<typeof createClient>[0]
    >['connection'],
    clickhouse_settings: PINNED_SETTINGS,
  });
}
