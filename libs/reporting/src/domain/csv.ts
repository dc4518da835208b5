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
