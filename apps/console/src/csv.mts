import { getText, type Query } from './api.mts';
import { asText } from './dom.mts';

/** Starts a browser download of text (CSV or JSON) made here or fetched from the API. */
export function download(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The API's own CSV of a report (`format=csv`): the same rows as the JSON. */
export async function downloadReportCsv(name: string, path: string, query: Query): Promise<void> {
  download(`${name}.csv`, await getText(path, { ...query, format: 'csv' }));
}

const cell = (v: unknown): string => {
  const s = asText(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV of a series the console assembled itself (e.g. one API call per day). */
export function toCsv(columns: readonly string[], rows: readonly unknown[][]): string {
  return [columns, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
