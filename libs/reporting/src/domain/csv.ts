type Cell = string | number | boolean | null | undefined;

// Spreadsheets run cells that start with these as formulas (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A list element as text: a scalar as it is, an object (e.g. a changed setting) as its JSON, never `[object Object]`. */
const element = (v: unknown): string =>
  v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Flattens one JSON item: nested objects become `parent.child` columns, arrays join with `+` (as the seed prints method sets). */
export function flattenItem(item: Record<string, unknown>, prefix = ''): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [key, value] of Object.entries(item)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (Array.isArray(value)) out[name] = value.map(element).join('+');
    else if (value !== null && typeof value === 'object') {
      Object.assign(out, flattenItem(value as Record<string, unknown>, name));
    } else out[name] = value as Cell;
  }
  return out;
}

/** The lines of these items under fixed columns, each ending in CRLF (one page of a streamed CSV). */
export function csvRows(
  items: readonly Record<string, unknown>[],
  columns: readonly string[],
): string {
  let out = '';
  for (const item of items) {
    const r = flattenItem(item);
    out += `${columns.map((h) => cell(r[h])).join(',')}\r\n`;
  }
  return out;
}

/** The header row of a CSV, ending in CRLF. */
export function csvHeader(columns: readonly string[]): string {
  return `${columns.map(cell).join(',')}\r\n`;
}

/** Spreadsheets (Excel) read a CSV as UTF-8 only when it starts with this byte-order mark. */
export const UTF8_BOM = '\uFEFF';

/** What a CSV export was asked for, written above its header row. */
export interface CsvHeading {
  /** e.g. `sspr/registrations` or `audit-events`. */
  readonly report: string;
  readonly title: string;
  /** The window the rows are from; null: the current state, no window. */
  readonly window: { readonly from: string; readonly to: string } | null;
  /** The request's filters (its parameters but format, bom, limit, cursor and the window). */
  readonly filters: Readonly<Record<string, string>>;
}

const NOT_FILTERS = new Set(['format', 'bom', 'limit', 'cursor', 'days', 'from', 'to']);

/** The filters of a request's query, for the heading. */
export function filtersOf(query: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query))
    if (!NOT_FILTERS.has(k) && typeof v === 'string') out[k] = v;
  return out;
}

/**
 * `#` comment lines above the header row: which report, window and filters the rows
 * answer, so a saved file still says what it holds. Filters are written as a URL query
 * (percent-encoded), so no value can break a line or the CSV beneath.
 */
export function csvHeading(h: CsvHeading): string {
  const filters = new URLSearchParams(
    Object.entries(h.filters).sort(([a], [b]) => a.localeCompare(b)),
  ).toString();
  return [
    `# authtrail ${h.report}: ${h.title.replace(/[\r\n]+/g, ' ')}`,
    `# window: ${h.window === null ? 'none (current state)' : `${h.window.from} to ${h.window.to}`}`,
    `# filters: ${filters === '' ? 'none' : filters}`,
    '',
  ].join('\r\n');
}

/** RFC 4180 CSV with a header row; columns in order of first appearance. */
export function toCsv(
  items: readonly Record<string, unknown>[],
  columns?: readonly string[],
): string {
  const rows = items.map((i) => flattenItem(i));
  const header: string[] = columns ? [...columns] : [];
  if (!columns) {
    const seen = new Set<string>();
    for (const r of rows) {
      for (const k of Object.keys(r)) {
        if (!seen.has(k)) {
          seen.add(k);
          header.push(k);
        }
      }
    }
  }
  const lines = [header.map(cell).join(',')];
  for (const r of rows) lines.push(header.map((h) => cell(r[h])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
