import type { CsvHeading } from '../../domain/csv';
import type { ParamReader } from '../../domain/report-params';
import type { ReportQuery } from '../read-model.port';
import type { PersonView } from '../subject-names';

export type ReportService = 'sspr' | 'mfa';
export type ReportFormat = 'json' | 'csv';

/** Who asks: the tenant, and whether they may see names (`privacy-admin`). */
export interface ReportCaller {
  readonly tenantId: string;
  readonly revealNames: boolean;
  /** The caller's API key id (their own access records carry it as `actorKeyId`). */
  readonly keyId?: string;
}

/** A report's answer: the JSON body, and the flat rows and columns of its CSV. */
export interface ReportResult {
  readonly format: ReportFormat;
  readonly body: Record<string, unknown>;
  /** The rows of this page (JSON) or of the first page (CSV). */
  readonly rows: readonly Record<string, unknown>[];
  readonly columns: readonly string[];
  /** With `format=csv`: the whole answer, every page, and what it was asked for. */
  readonly csv?: CsvExport;
}

/**
 * A CSV export is the whole answer, not one page: `pages()` yields the first page's rows
 * and then reads each next page (by its cursor, in the first page's window) only when
 * the previous one has been taken, so a million rows stream without being held.
 */
export interface CsvExport {
  /** Starts with a UTF-8 byte-order mark (`bom=true`, for spreadsheets). */
  readonly bom: boolean;
  readonly heading: CsvHeading;
  pages(): AsyncIterable<readonly Record<string, unknown>[]>;
}

/** What a report knows of the request besides its parameters. */
export interface ReportContext {
  readonly tenantId: string;
  readonly now: Date;
  /** Retention per category in days: reports agree with the pruned log. */
  readonly retentionDays: { readonly sspr: number; readonly mfa: number };
  /** Where the category's retention window starts now. */
  since(category: 'sspr' | 'mfa'): Date;
  /** How these subjects appear to the caller (names for privacy-admin, subject ids otherwise). */
  people(subjectIds: readonly string[]): Promise<Map<string, PersonView>>;
}

/** The JSON body and the CSV rows; the columns are the definition's. */
export interface ReportAnswer {
  readonly body: Record<string, unknown>;
  readonly rows: readonly Record<string, unknown>[];
}

/**
 * One prebuilt report, whole in its own file: its parameters (every bad one named in one
 * 422), its query of the read model, and its answer and CSV columns. The registry
 * (`report-registry.ts`) lists them; the HTTP routes, `authtrail report`, the console and
 * the OpenAPI description derive from it.
 */
export interface ReportDefinition<P = unknown, R = unknown> {
  readonly service: ReportService;
  /** Path segment: `/v1/reports/{service}/{name}`. */
  readonly name: string;
  /** The question it answers (seeds 000 and 002). */
  readonly title: string;
  /** The window it reads when none is given, in days; null: current state, no window. */
  readonly defaultDays: number | null;
  /** Reads and checks the parameters (`format` is read before). */
  readonly params: (p: ParamReader, ctx: ReportContext) => P;
  readonly query: ReportQuery<P, R>;
  readonly columns: readonly string[];
  /**
   * The JSON answer's shape (for the OpenAPI description): `figures`, the columns beside
   * the window (`single`); `list` (the default), `items` of the columns with the window,
   * `nextCursor` or `total` beside them (`list`).
   */
  readonly answer?: 'figures' | 'list';
  readonly present: (
    rows: R,
    params: P,
    ctx: ReportContext,
  ) => Promise<ReportAnswer> | ReportAnswer;
}

/** Types a report's definition by its parameters and rows. */
export function defineReport<P, R>(definition: ReportDefinition<P, R>): ReportDefinition<P, R> {
  return definition;
}

// ---- answers -------------------------------------------------------------------------

export const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** `user` (per the caller's role), `subjectId` and `erased` of a person in a report. */
export function person(
  people: Map<string, PersonView>,
  id: string,
): { user: string | null; subjectId: string; erased: boolean } {
  const p = people.get(id);
  return { user: p?.user ?? null, subjectId: id, erased: p?.erased ?? false };
}

/** One row of figures; the window beside it in JSON. */
export function single(
  body: Record<string, unknown>,
  window?: { from: string; to: string },
): ReportAnswer {
  return { body: { ...body, ...(window ?? {}) }, rows: [body] };
}

/** A list of items (JSON `items`, one CSV row each), with `extra` beside them in JSON. */
export function list(items: readonly object[], extra: Record<string, unknown> = {}): ReportAnswer {
  return { body: { items, ...extra }, rows: items as Record<string, unknown>[] };
}
