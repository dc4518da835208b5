import { getJson } from '../api.mts';
import { card } from '../card.mts';
import { downloadReportCsv } from '../csv.mts';
import { asShown, h, table, type Child } from '../dom.mts';
import { windowQuery, type TimeWindow } from '../window.mts';

/** A report as the registry lists it (`GET /v1/reports`). */
interface ReportInfo {
  readonly service: 'sspr' | 'mfa';
  readonly name: string;
  readonly path: string;
  readonly title: string;
  readonly defaultDays: number | null;
  readonly columns: readonly string[];
}

let catalog: Promise<ReportInfo[]> | null = null;

/** The server's report registry, asked once per page load. */
export function reportCatalog(): Promise<ReportInfo[]> {
  catalog ??= getJson<{ items: ReportInfo[] }>('/v1/reports').then((b) => b.items);
  return catalog;
}

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }`, as the CSV columns name nested fields. */
function flat(item: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}) {
  for (const [k, v] of Object.entries(item)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      flat(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function genericCard(r: ReportInfo, w: TimeWindow): HTMLElement {
  const query = r.defaultDays === null ? {} : windowQuery(w);
  return card(
    {
      id: r.name,
      title: r.title,
      wide: r.columns.length > 4,
      csv: () => downloadReportCsv(`${r.service}-${r.name}`, r.path, { ...query, limit: 1000 }),
    },
    async (body) => {
      const answer = await getJson<Record<string, unknown>>(r.path, query);
      const items = Array.isArray(answer.items)
        ? (answer.items as Record<string, unknown>[])
        : [answer];
      const rows: Child[][] = items.map((i) => {
        const f = flat(i);
        return r.columns.map((c) => asShown(f[c]));
      });
      body.append(table(r.columns, rows));
    },
  );
}

/**
 * The service's reports that have no card of their own on the page: each as a table of
 * its columns, so a report added to the registry shows here without console code.
 */
export function otherReports(
  service: 'sspr' | 'mfa',
  w: TimeWindow,
  shown: readonly string[],
): HTMLElement {
  const holder = h('div', { class: 'contents' });
  void reportCatalog().then((reports) => {
    for (const r of reports)
      if (r.service === service && !shown.includes(r.name)) holder.append(genericCard(r, w));
  });
  return holder;
}
