import { getJson } from '../api.mts';
import { card } from '../card.mts';
import { download } from '../csv.mts';
import { fmtInt, fmtTime, h, table } from '../dom.mts';

interface Bundle {
  generatedAt: string;
  build: { version: string; node: string; platform: string };
  stores: Record<string, { status: string; ms: number; error?: string }>;
  log: { headPosition: number | null };
  workers: {
    lags: { worker: string; state: string; position: number | null; lag: number | null }[];
  };
  eventCounts: { byType: Record<string, number>; total: number; complete: boolean };
  recentErrors: {
    items: {
      at: string;
      status: number;
      code: string;
      method: string;
      route: string;
      requestId: string;
    }[];
  };
}

/** tenant-admin: the support bundle (pseudonymous), to read here or send as a file. */
export function diagnosticsView(): HTMLElement[] {
  let last: Bundle | null = null;
  return [
    card(
      {
        id: 'diagnostics',
        title: 'Diagnostics for support',
        subtitle: 'Pseudonymous: counts, codes and ids only; no person’s data',
        wide: true,
        downloadLabel: 'JSON',
        csv: async () => {
          last ??= await getJson<Bundle>('/v1/diagnostics');
          download(
            `authtrail-diagnostics-${last.generatedAt.replace(/[:.]/g, '-')}.json`,
            JSON.stringify(last, null, 2),
            'application/json',
          );
        },
      },
      async (body) => {
        const b = (last = await getJson<Bundle>('/v1/diagnostics'));
        body.append(
          h(
            'p',
            {},
            `authtrail ${b.build.version} · Node ${b.build.node} · ${b.build.platform} · made ${fmtTime(b.generatedAt)}`,
          ),
          h('h4', {}, 'Stores'),
          table(
            ['store', 'status', 'ms'],
            Object.entries(b.stores).map(([k, v]) => [
              k,
              h(
                'span',
                { class: `tag tag-${v.status}` },
                v.status + (v.error ? ` (${v.error})` : ''),
              ),
              String(v.ms),
            ]),
            { 'data-table': 'stores' },
          ),
          h('h4', {}, `Workers (log head ${fmtInt(b.log.headPosition ?? '—')})`),
          table(
            ['worker', 'state', 'position', 'lag'],
            b.workers.lags.map((l) => [
              l.worker,
              l.state,
              fmtInt(l.position ?? '—'),
              fmtInt(l.lag ?? '—'),
            ]),
            { 'data-table': 'lags' },
          ),
          h(
            'h4',
            {},
            `Events of this tenant by type (${fmtInt(b.eventCounts.total)}${b.eventCounts.complete ? '' : ', partial'})`,
          ),
          table(
            ['type', 'events'],
            Object.entries(b.eventCounts.byType).map(([t, n]) => [t, fmtInt(n)]),
            { 'data-table': 'event-counts' },
          ),
          h('h4', {}, 'Recent errors'),
          table(
            ['at', 'status', 'code', 'route', 'request id'],
            b.recentErrors.items.map((e) => [
              fmtTime(e.at),
              String(e.status),
              e.code,
              `${e.method} ${e.route}`,
              h('span', { class: 'mono small' }, e.requestId),
            ]),
            { 'data-table': 'recent-errors' },
          ),
        );
      },
    ),
  ];
}
