import { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { csvToDirectoryAudits, recordsOf } from '@authtrail/entra';
import { CliError } from '../api-client';
import type { ReportCommandDeps } from './report.command';

/** Below the API's 5 MiB body limit, with room for JSON escaping of the batch. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

interface Totals {
  file: string;
  received: number;
  accepted: number;
  duplicates: number;
  skipped: number;
  skippedBy: Record<string, Record<string, number>>;
  rejected: number;
  errors: { index: number; path: string; message: string }[];
}

/**
 * The records of a portal download: the JSON download (an array of directoryAudit records,
 * or a Graph page / Azure Monitor export as saved from the API or a storage account) or
 * the CSV download.
 */
export function readEntraFile(file: string): unknown[] {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new CliError(`${file} is not a file`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read it (${code ?? 'error'})`,
    );
  }
  const start = text.replace(/^\ufeff/, '').trimStart()[0];
  if (extname(file).toLowerCase() === '.csv' || (start !== '[' && start !== '{')) {
    const parsed = csvToDirectoryAudits(text);
    if (!parsed.ok) throw new CliError(`${file}: ${parsed.message}`);
    return parsed.records;
  }
  let body: unknown;
  try {
    body = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (e) {
    throw new CliError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const records = recordsOf(body);
  if (records === null)
    throw new CliError(
      `${file} holds no Entra audit records (expected an array, {"value": [...]} or {"records": [...]})`,
    );
  return records;
}

/** Consecutive slices of at most `max` records and `MAX_BATCH_BYTES` of JSON each. */
export function batches(records: readonly unknown[], max: number): [number, unknown[]][] {
  const out: [number, unknown[]][] = [];
  let start = 0;
  let current: unknown[] = [];
  let bytes = 2;
  records.forEach((record, i) => {
    const size = Buffer.byteLength(JSON.stringify(record)) + 1;
    if (current.length > 0 && (current.length >= max || bytes + size > MAX_BATCH_BYTES)) {
      out.push([start, current]);
      start = i;
      current = [];
      bytes = 2;
    }
    current.push(record);
    bytes += size;
  });
  if (current.length > 0) out.push([start, current]);
  return out;
}

export function registerImportEntraCommand(program: Command, deps: ReportCommandDeps): void {
  deps
    .client(
      program
        .command('import-entra')
        .description(
          "import Microsoft Entra audit logs: the admin center's JSON or CSV download (or a Graph / Azure Monitor export); SSPR records become events, other services are skipped",
        )
        .argument('<file>'),
    )
    .option('--batch <n>', 'records per request (at most 1000)', '500')
    .action(async (file: string, o: Parameters<typeof deps.call>[0] & { batch: string }) => {
      const max = Number(o.batch);
      if (!Number.isInteger(max) || max < 1 || max > 1000)
        throw new CliError(`--batch: expected a whole number from 1 to 1000, got "${o.batch}"`);
      // Read before anything starts: a missing or unreadable file is the whole answer.
      const records = readEntraFile(file);
      if (records.length === 0) throw new CliError(`${file} holds no records`);
      await deps.call(o, async (api) => {
        const totals: Totals = {
          file,
          received: 0,
          accepted: 0,
          duplicates: 0,
          skipped: 0,
          skippedBy: {},
          rejected: 0,
          errors: [],
        };
        for (const [offset, batch] of batches(records, max)) {
          const r = await api('POST', '/v1/sources/entra/records', batch);
          const body = r.body as Partial<Totals> & { errors?: Totals['errors'] };
          // 422: none of this batch's records could be used; the others may still be fine.
          if (r.status === 422 && body.errors !== undefined && body.errors.length > 0) {
            totals.received += batch.length;
            totals.rejected += new Set(body.errors.map((e) => e.index)).size;
            for (const e of body.errors) totals.errors.push({ ...e, index: e.index + offset });
            continue;
          }
          deps.expectOk(r);
          totals.received += body.received ?? 0;
          totals.accepted += body.accepted ?? 0;
          totals.duplicates += body.duplicates ?? 0;
          totals.skipped += body.skipped ?? 0;
          totals.rejected += body.rejected ?? 0;
          for (const [reason, counts] of Object.entries(body.skippedBy ?? {})) {
            const into = (totals.skippedBy[reason] ??= {});
            for (const [label, n] of Object.entries(counts)) into[label] = (into[label] ?? 0) + n;
          }
          for (const e of body.errors ?? []) totals.errors.push({ ...e, index: e.index + offset });
        }
        if (totals.rejected > 0)
          process.stderr.write(
            `authtrail: ${totals.rejected} of ${totals.received} records were not imported (see errors)\n`,
          );
        return totals;
      });
    });
}
