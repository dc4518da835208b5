import { Client } from 'pg';
import { ByteScanner } from '../key-vault/file-scan';

/**
 * Names of the needles found in any file of one database's directory (its tables, indexes,
 * TOAST, free space maps, catalogs such as pg_statistic), read through the server with the
 * superuser file functions after a CHECKPOINT, so it works for the server the test setup
 * started and for an external one. The WAL is not scanned: it is outside the database's
 * directory and keeps old row versions until its segments are recycled.
 */
export async function databaseFilesContaining(
  url: string,
  needles: Readonly<Record<string, Uint8Array>>,
): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
    const scanner = new ByteScanner(needles);
    const { rows: dbRows } = await client.query<{ oid: string }>(
      'SELECT oid FROM pg_database WHERE datname = current_database()',
    );
    const dir = `base/${dbRows[0].oid}`;
    const { rows: files } = await client.query<{ name: string }>('SELECT pg_ls_dir($1) AS name', [
      dir,
    ]);
    const found = new Set<string>();
    for (const { name } of files) {
      const path = `${dir}/${name}`;
      const { rows } = await client.query<{ content: Buffer | null }>(
        'SELECT pg_read_binary_file($1, 0, (pg_stat_file($1, true)).size, true) AS content',
        [path],
      );
      for (const hit of rows[0].content ? scanner.scan(rows[0].content) : []) found.add(hit.needle);
    }
    return [...found];
  } finally {
    await client.end();
  }
}
