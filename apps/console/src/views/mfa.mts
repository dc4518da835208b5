import { getJson } from '../api.mts';
import { card } from '../card.mts';
import { chartWithTable } from '../charts.mts';
import { downloadReportCsv } from '../csv.mts';
import { asText, fmtInt, fmtTime, h, person, table, type Child, type PersonRef } from '../dom.mts';
import { windowQuery, type TimeWindow } from '../window.mts';
import { otherReports } from './other-reports.mts';

/** The reports this page has cards of its own for; the registry's others show as tables. */
const SHOWN = ['attempts', 'blocks', 'bypasses', 'activations', 'changes'];

const R = '/v1/reports/mfa';

type Item = PersonRef & Record<string, unknown>;

const yesNo = (v: unknown): string => (v === true ? 'yes' : v === false ? 'no' : '');
const text = asText;

interface ListSpec {
  readonly id: string;
  readonly title: string;
  readonly subtitle: string;
  readonly columns: readonly string[];
  readonly row: (i: Item) => Child[];
}

/** A paged MFA list: the API's cursor pages, one at a time. */
function listCard(spec: ListSpec, w: TimeWindow, userHeading: string): HTMLElement {
  const q = windowQuery(w);
  return card(
    {
      id: spec.id,
      title: spec.title,
      subtitle: spec.subtitle,
      wide: true,
      csv: () => downloadReportCsv(`mfa-${spec.id}`, `${R}/${spec.id}`, { ...q, limit: 1000 }),
    },
    async (body) => {
      const cursors: (string | null)[] = [null];
      let page = 0;
      const holder = h('div', {});
      const prev = h(
        'button',
        { type: 'button', class: 'ghost', 'data-page': 'prev' },
        '‹ Previous',
      );
      const next = h('button', { type: 'button', class: 'ghost', 'data-page': 'next' }, 'Next ›');
      const info = h('span', { class: 'muted' });
      const load = async () => {
        const r = await getJson<{ items: Item[]; nextCursor: string | null }>(`${R}/${spec.id}`, {
          ...q,
          limit: 25,
          cursor: cursors[page],
        });
        cursors[page + 1] = r.nextCursor;
        holder.replaceChildren(
          table(
            spec.columns.map((c) => (c === 'user' ? userHeading : c)),
            r.items.map(spec.row),
            { 'data-table': spec.id },
          ),
        );
        info.textContent = `page ${page + 1}`;
        prev.disabled = page === 0;
        next.disabled = !r.nextCursor;
      };
      prev.addEventListener('click', () => {
        page--;
        void load();
      });
      next.addEventListener('click', () => {
        page++;
        void load();
      });
      await load();
      body.append(holder, h('div', { class: 'pager' }, prev, info, next));
    },
  );
}

/** The MFA reports: attempts, blocks, bypasses, activations, changes. */
export function mfaView(w: TimeWindow, userHeading: string): HTMLElement[] {
  const q = windowQuery(w);
  return [
    card(
      {
        id: 'attempts',
        title: 'Authentication attempts',
        subtitle: 'By method and result',
        wide: true,
        csv: () => downloadReportCsv('mfa-attempts', `${R}/attempts`, q),
      },
      async (body) => {
        const r = await getJson<{
          items: { method: string; status: string; count: number; users: number }[];
        }>(`${R}/attempts`, q);
        const methods = [...new Set(r.items.map((i) => i.method))];
        const statuses = [...new Set(r.items.map((i) => i.status))];
        const count = (m: string, s: string) =>
          r.items.find((i) => i.method === m && i.status === s)?.count ?? 0;
        body.append(
          chartWithTable(
            {
              kind: 'bar',
              stacked: true,
              labels: methods,
              series: statuses.map((s) => ({ label: s, values: methods.map((m) => count(m, s)) })),
              labelHeading: 'method',
            },
            'attempts',
          ),
          table(
            ['method', 'result', 'attempts', 'people'],
            r.items.map((i) => [i.method, i.status, fmtInt(i.count), fmtInt(i.users)]),
            { 'data-table': 'attempts-list' },
          ),
        );
      },
    ),
    listCard(
      {
        id: 'blocks',
        title: 'Blocks and fraud alerts',
        subtitle: 'Active and completed',
        columns: ['blocked at', 'user', 'kind', 'state', 'reason', 'blocked by', 'completed'],
        row: (i) => [
          fmtTime(i.blockedAt),
          person(i),
          text(i.kind),
          h('span', { class: `tag tag-${text(i.state)}` }, text(i.state)),
          text(i.blockReason),
          person(i.blockedBy as PersonRef | null),
          fmtTime(i.completedAt),
        ],
      },
      w,
      userHeading,
    ),
    listCard(
      {
        id: 'bypasses',
        title: 'One-time bypasses',
        subtitle: 'Granted, used, expired',
        columns: ['granted at', 'user', 'state', 'seconds', 'reason', 'used', 'granted by'],
        row: (i) => [
          fmtTime(i.grantedAt),
          person(i),
          h('span', { class: `tag tag-${text(i.state)}` }, text(i.state)),
          fmtInt(i.bypassSeconds),
          text(i.bypassReason),
          yesNo(i.bypassUsed),
          person(i.grantedBy as PersonRef | null),
        ],
      },
      w,
      userHeading,
    ),
    listCard(
      {
        id: 'activations',
        title: 'Authenticator app activations',
        subtitle: 'Devices activated, with their result',
        columns: ['activated at', 'user', 'status', 'error', 'device', 'app version', 'OATH'],
        row: (i) => [
          fmtTime(i.activatedAt),
          person(i),
          text(i.status),
          text(i.error),
          text(i.deviceType),
          text(i.appVersion),
          yesNo(i.oathTokenEnabled),
        ],
      },
      w,
      userHeading,
    ),
    listCard(
      {
        id: 'changes',
        title: 'Changes',
        subtitle: 'Country codes and PIN changes',
        columns: [
          'changed at',
          'user',
          'country code',
          'backup country code',
          'PIN changed',
          'PIN change required',
        ],
        row: (i) => [
          fmtTime(i.changedAt),
          person(i),
          text(i.newCountryCode),
          text(i.newBackupCountryCode),
          yesNo(i.pinChanged),
          yesNo(i.pinChangeRequired),
        ],
      },
      w,
      userHeading,
    ),
    otherReports('mfa', w, SHOWN),
  ];
}
