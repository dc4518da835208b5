import { filtersOf } from '../domain/csv';
import type { ParamReader, RawQuery } from '../domain/report-params';
import { MAX_LIMIT } from './reports/report-params';
import type { CsvExport, ReportFormat } from './reports/report-definition';

/** `format` and `bom` of a report request (read before the report's own parameters). */
export function formatParams(p: ParamReader): { format: ReportFormat; bom: boolean } {
  const format = p.oneOf('format', ['json', 'csv'] as const) ?? 'json';
  const bom = p.oneOf('bom', ['true', 'false'] as const);
  if (bom !== undefined && format !== 'csv') p.fail('bom', 'applies to format=csv only');
  return { format, bom: bom === 'true' };
}

/** One page of an answer: its JSON body (with `nextCursor` when it is a list) and its CSV rows. */
export interface AnswerPage {
  readonly body: Record<string, unknown>;
  readonly rows: readonly Record<string, unknown>[];
}

const windowOfBody = (body: Record<string, unknown>): { from: string; to: string } | null =>
  typeof body.from === 'string' && typeof body.to === 'string'
    ? { from: body.from, to: body.to }
    : null;

/**
 * The whole answer of a request as CSV, from its first page: the next pages are read by
 * their cursor with the first page's window pinned (a `days=N` window ending "now" would
 * otherwise move while the export runs), `MAX_LIMIT` rows at a time unless the request
 * set its own page size (`limit`).
 */
export function csvExport(options: {
  readonly report: string;
  readonly title: string;
  readonly query: RawQuery;
  readonly bom: boolean;
  readonly first: AnswerPage;
  readonly next: (query: RawQuery) => Promise<AnswerPage>;
}): CsvExport {
  const { query, first, next } = options;
  const window = windowOfBody(first.body);
  const rest: Record<string, unknown> = { ...query };
  delete rest.days;
  if (window !== null) Object.assign(rest, window);
  if (rest.limit === undefined) rest.limit = String(MAX_LIMIT);
  return {
    bom: options.bom,
    heading: {
      report: options.report,
      title: options.title,
      window,
      filters: filtersOf(query),
    },
    async *pages() {
      yield first.rows;
      let cursor = first.body.nextCursor;
      while (typeof cursor === 'string') {
        const page = await next({ ...rest, cursor });
        yield page.rows;
        cursor = page.body.nextCursor;
      }
    },
  };
}
