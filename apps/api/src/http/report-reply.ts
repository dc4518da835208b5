import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import {
  type CsvExport,
  ReportResult,
  UTF8_BOM,
  csvHeader,
  csvHeading,
  csvRows,
  toCsv,
} from '@authtrail/reporting';

/** `audit-events_2026-11-02T09-00-00.000Z_2026-12-02T09-00-00.000Z.csv`: the window in the name, `:` being no file-name character on Windows. */
function fileName(name: string, csv: CsvExport | undefined): string {
  const w = csv?.heading.window;
  const stamp = (iso: string) => iso.replace(/:/g, '-');
  return w ? `${name}_${stamp(w.from)}_${stamp(w.to)}.csv` : `${name}.csv`;
}

/** The CSV text, page by page: read on demand, so the socket's pace bounds what is held. */
async function* csvText(result: ReportResult, csv: CsvExport): AsyncGenerator<string> {
  yield `${csv.bom ? UTF8_BOM : ''}${csvHeading(csv.heading)}${csvHeader(result.columns)}`;
  for await (const page of csv.pages()) {
    if (page.length > 0) yield csvRows(page, result.columns);
  }
}

/**
 * JSON, or CSV (`?format=csv`): the whole answer streamed (every page of a list), under
 * `#` lines naming the report, window and filters, and the header row; the window is
 * in the file name too.
 */
export function sendReport(reply: FastifyReply, name: string, result: ReportResult): unknown {
  if (result.format !== 'csv') return result.body;
  void reply.header('content-type', 'text/csv; charset=utf-8');
  void reply.header('content-disposition', `attachment; filename="${fileName(name, result.csv)}"`);
  if (result.csv === undefined) return toCsv(result.rows, result.columns);
  return Readable.from(csvText(result, result.csv), { objectMode: false });
}
