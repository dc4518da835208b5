import { getJson, type Query } from '../api.mts';
import { card, kpi } from '../card.mts';
import { chartWithTable } from '../charts.mts';
import { download, downloadReportCsv, toCsv } from '../csv.mts';
import { fmtInt, fmtTime, h, person, table, type PersonRef } from '../dom.mts';
import { buckets, dayOf, windowQuery, type TimeWindow } from '../window.mts';
import { otherReports } from './other-reports.mts';

/** The reports this page has cards of its own for; the registry's others show as tables. */
const SHOWN = [
  'registered-count',
  'registrations',
  'registered-methods',
  'resets',
  'resets-over-time',
  'reset-methods',
  'problems',
  'admin-self-resets',
  'suspicious',
  'policy-changes',
];

const R = '/v1/reports/sspr';

interface Registration extends PersonRef {
  readonly role: string;
  readonly registeredAt: string;
  readonly methods: string[];
}
interface Resets {
  users: number;
  resets: number;
  selfService: number;
  byAdmin: number;
}
interface PolicyChange extends PersonRef {
  readonly eventId: string;
  readonly changedAt: string;
  readonly status: string;
  readonly reason: string | null;
  readonly policy: string | null;
  readonly changes: { property: string; oldValue: string | null; newValue: string | null }[];
}
interface Signal extends PersonRef {
  readonly role?: string;
  readonly signal?: string;
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
}

/** Every registration (current state), following the cursor. */
async function allRegistrations(): Promise<Registration[]> {
  const out: Registration[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const body: { items: Registration[]; nextCursor: string | null } = await getJson(
      `${R}/registrations`,
      {
        limit: 1000,
        cursor,
      },
    );
    out.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return out;
}

/** Each changed setting on a line of its own: `property: old → new`. */
function settingList(changes: PolicyChange['changes']): HTMLElement {
  const value = (v: string | null) =>
    v === null ? h('span', { class: 'muted' }, '(not given)') : h('code', {}, v);
  return h(
    'ul',
    { class: 'settings' },
    changes.map((c) =>
      h('li', {}, h('strong', {}, c.property), ': ', value(c.oldValue), ' → ', value(c.newValue)),
    ),
  );
}

/** The SSPR policy changes of the window, newest first, a page at a time (the API's cursor). */
function policyChangesCard(q: Query, userHeading: string): HTMLElement {
  const PAGE = 25;
  return card(
    {
      id: 'policy-changes',
      title: 'What changes were made to the SSPR policy?',
      subtitle: 'Who changed which setting, when, from what to what',
      wide: true,
      csv: () =>
        downloadReportCsv('sspr-policy-changes', `${R}/policy-changes`, { ...q, limit: 1000 }),
    },
    async (body) => {
      const holder = h('div', {});
      const info = h('span', { class: 'muted', 'data-info': 'policy-changes' });
      const prev = h('button', { type: 'button', class: 'ghost', 'data-page': 'prev' }, '‹ Newer');
      const next = h('button', { type: 'button', class: 'ghost', 'data-page': 'next' }, 'Older ›');
      // Cursors of the pages seen so far: [0] is the first page (no cursor).
      const cursors: (string | null)[] = [null];
      let page = 0;
      const show = async () => {
        const r = await getJson<{ items: PolicyChange[]; nextCursor: string | null }>(
          `${R}/policy-changes`,
          { ...q, limit: PAGE, cursor: cursors[page] },
        );
        holder.replaceChildren(
          table(
            ['changed at', userHeading, 'status', 'policy', 'settings changed'],
            r.items.map((c) => [
              fmtTime(c.changedAt),
              person(c),
              h(
                'span',
                { class: `tag tag-${c.status.toLowerCase()}`, title: c.reason ?? '' },
                c.reason ? `${c.status}: ${c.reason}` : c.status,
              ),
              c.policy ?? '',
              settingList(c.changes),
            ]),
            { 'data-table': 'policy-changes' },
            'No change of the SSPR policy in this window.',
          ),
        );
        cursors[page + 1] = r.nextCursor;
        info.textContent = r.items.length === 0 ? '' : `page ${page + 1}`;
        prev.disabled = page === 0;
        next.disabled = r.nextCursor === null;
      };
      const turn = (by: number) => {
        page += by;
        show().catch((e: unknown) => (info.textContent = String(e)));
      };
      prev.addEventListener('click', () => turn(-1));
      next.addEventListener('click', () => turn(1));
      await show();
      body.append(holder, h('div', { class: 'pager' }, prev, info, next));
    },
  );
}

/** The nine SSPR questions (the SSPR reports' eight and the policy changes), as cards and charts over one window. */
export function ssprView(w: TimeWindow, userHeading: string): HTMLElement[] {
  const q = windowQuery(w);
  const registrations = allRegistrations();
  const PAGE = 25;

  return [
    card(
      {
        id: 'registered-count',
        title: 'How many people have registered?',
        subtitle: 'Current state: each person’s latest registration',
        csv: () => downloadReportCsv('sspr-registered-count', `${R}/registered-count`, {}),
      },
      async (body) => {
        const r = await getJson<{ count: number }>(`${R}/registered-count`);
        body.append(
          h('div', { class: 'kpis' }, kpi('people registered', fmtInt(r.count), 'count')),
        );
      },
    ),
    card(
      {
        id: 'resets',
        title: 'How many people reset their passwords?',
        subtitle: 'Successful resets in the window',
        csv: () => downloadReportCsv('sspr-resets', `${R}/resets`, q),
      },
      async (body) => {
        const r = await getJson<Resets>(`${R}/resets`, q);
        body.append(
          h(
            'div',
            { class: 'kpis' },
            kpi('people', fmtInt(r.users), 'users'),
            kpi('resets', fmtInt(r.resets), 'resets'),
            kpi('self-service', fmtInt(r.selfService), 'selfService'),
            kpi('by an admin', fmtInt(r.byAdmin), 'byAdmin'),
          ),
        );
      },
    ),
    card(
      {
        id: 'admin-self-resets',
        title: 'Admins resetting their own password',
        subtitle: 'Three or more successful self-service resets in the window',
        csv: () => downloadReportCsv('sspr-admin-self-resets', `${R}/admin-self-resets`, q),
      },
      async (body) => {
        const r = await getJson<{ items: Signal[] }>(`${R}/admin-self-resets`, q);
        body.append(
          table(
            [userHeading, 'role', 'resets', 'first', 'last'],
            r.items.map((i) => [
              person(i),
              i.role ?? '',
              fmtInt(i.count),
              fmtTime(i.firstAt),
              fmtTime(i.lastAt),
            ]),
            { 'data-table': 'admin-self-resets' },
          ),
        );
      },
    ),
    card(
      {
        id: 'registrations-over-time',
        title: 'Registrations over time',
        subtitle: 'People whose current registration was made on each day of the window',
        wide: true,
        csv: async () => {
          const s = registrationSeries(await registrations, w);
          download(
            'sspr-registrations-per-day.csv',
            toCsv(
              ['day', 'registrations'],
              s.labels.map((l, i) => [l, s.values[i]]),
            ),
          );
        },
      },
      async (body) => {
        const s = registrationSeries(await registrations, w);
        body.append(
          chartWithTable(
            {
              kind: 'line',
              labels: s.labels,
              series: [{ label: 'registrations', values: s.values }],
              labelHeading: 'day',
            },
            'registrations-over-time',
          ),
        );
      },
    ),
    card(
      {
        id: 'registered-methods',
        title: 'What data are people registering?',
        subtitle: 'People by the exact set of methods registered',
        csv: () => downloadReportCsv('sspr-registered-methods', `${R}/registered-methods`, {}),
      },
      async (body) => {
        const r = await getJson<{ items: { methods: string[]; users: number }[] }>(
          `${R}/registered-methods`,
        );
        body.append(
          chartWithTable(
            {
              kind: 'bar',
              horizontal: true,
              labels: r.items.map((i) => i.methods.join(' + ') || '(none)'),
              series: [{ label: 'people', values: r.items.map((i) => i.users) }],
              labelHeading: 'methods',
            },
            'registered-methods',
          ),
        );
      },
    ),
    card(
      {
        id: 'reset-methods',
        title: 'Most common methods used to reset',
        csv: () => downloadReportCsv('sspr-reset-methods', `${R}/reset-methods`, q),
      },
      async (body) => {
        const r = await getJson<{ items: { method: string; count: number }[] }>(
          `${R}/reset-methods`,
          q,
        );
        body.append(
          chartWithTable(
            {
              kind: 'doughnut',
              labels: r.items.map((i) => i.method),
              series: [{ label: 'uses', values: r.items.map((i) => i.count) }],
              labelHeading: 'method',
            },
            'reset-methods',
          ),
        );
      },
    ),
    card(
      {
        id: 'resets-per-day',
        title: 'Resets per day',
        subtitle: 'Successful self-service and admin resets',
        wide: true,
        // The API's own CSV of the same series (one row per bucket).
        csv: () => downloadReportCsv('sspr-resets-per-day', `${R}/resets-over-time`, q),
      },
      async (body) => {
        const s = await resetSeries(w);
        const chart = chartWithTable(
          {
            kind: 'bar',
            stacked: true,
            labels: s.map((b) => b.label),
            series: [
              { label: 'self-service', values: s.map((b) => b.r.selfService) },
              { label: 'by admin', values: s.map((b) => b.r.byAdmin) },
            ],
            labelHeading: 'day',
          },
          'resets-per-day',
        );
        // The exact instants of each row, so each can be checked against the API.
        chart.querySelectorAll('tbody tr').forEach((tr, i) => {
          if (!s[i]) return;
          (tr as HTMLElement).dataset.from = s[i].from.toISOString();
          (tr as HTMLElement).dataset.to = s[i].to.toISOString();
        });
        body.append(chart);
      },
    ),
    card(
      {
        id: 'problems',
        title: 'Common problems',
        subtitle: 'Failed SSPR events by type and reason',
        wide: true,
        csv: () => downloadReportCsv('sspr-problems', `${R}/problems`, q),
      },
      async (body) => {
        const r = await getJson<{
          items: { type: string; reason: string | null; count: number }[];
        }>(`${R}/problems`, q);
        body.append(
          chartWithTable(
            {
              kind: 'bar',
              horizontal: true,
              labels: r.items.map(
                (i) => `${i.type.replace(/^sspr\./, '')} · ${i.reason ?? '(no reason)'}`,
              ),
              series: [{ label: 'failures', values: r.items.map((i) => i.count) }],
              labelHeading: 'type · reason',
            },
            'problems',
          ),
        );
      },
    ),
    card(
      {
        id: 'suspicious',
        title: 'Suspicious activity',
        subtitle: 'Blocked, throttled, bursts of failures, admin self-resets',
        wide: true,
        csv: () =>
          downloadReportCsv('sspr-suspicious', `${R}/suspicious`, { ...q, limit: 100_000 }),
      },
      async (body) => {
        const r = await getJson<{ items: Signal[]; total: number }>(`${R}/suspicious`, q);
        // The API answers the most frequent first, at most 1000 by default.
        if (r.total > r.items.length)
          body.append(
            h(
              'p',
              { class: 'muted', 'data-note': 'suspicious-cut' },
              `The ${fmtInt(r.items.length)} most frequent of ${fmtInt(r.total)}; the CSV has up to 100,000.`,
            ),
          );
        body.append(
          table(
            [userHeading, 'signal', 'count', 'first', 'last'],
            r.items.map((i) => [
              person(i),
              h('span', { class: `tag tag-${i.signal}` }, i.signal ?? ''),
              fmtInt(i.count),
              fmtTime(i.firstAt),
              fmtTime(i.lastAt),
            ]),
            { 'data-table': 'suspicious' },
          ),
        );
      },
    ),
    card(
      {
        id: 'registrations',
        title: 'Who has registered?',
        subtitle: 'User, role, date and time, data registered',
        wide: true,
        csv: () => downloadReportCsv('sspr-registrations', `${R}/registrations`, { limit: 1000 }),
      },
      async (body) => {
        const all = await registrations;
        let page = 0;
        const holder = h('div', {});
        const info = h('span', { class: 'muted' });
        const prev = h(
          'button',
          { type: 'button', class: 'ghost', 'data-page': 'prev' },
          '‹ Previous',
        );
        const next = h('button', { type: 'button', class: 'ghost', 'data-page': 'next' }, 'Next ›');
        const render = () => {
          const rows = all.slice(page * PAGE, page * PAGE + PAGE);
          holder.replaceChildren(
            table(
              [userHeading, 'role', 'date and time', 'data registered'],
              rows.map((r) => [person(r), r.role, fmtTime(r.registeredAt), r.methods.join(', ')]),
              { 'data-table': 'registrations' },
            ),
          );
          info.textContent =
            all.length === 0
              ? ''
              : `${page * PAGE + 1}–${page * PAGE + rows.length} of ${all.length}`;
          prev.disabled = page === 0;
          next.disabled = (page + 1) * PAGE >= all.length;
        };
        prev.addEventListener('click', () => {
          page--;
          render();
        });
        next.addEventListener('click', () => {
          page++;
          render();
        });
        render();
        body.append(holder, h('div', { class: 'pager' }, prev, info, next));
      },
    ),
    policyChangesCard(q, userHeading),
    otherReports('sspr', w, SHOWN),
  ];
}

function registrationSeries(
  all: Registration[],
  w: TimeWindow,
): { labels: string[]; values: number[] } {
  const days = buckets(w.from, w.to);
  const index = new Map(days.map((d, i) => [d.label, i]));
  const values = days.map(() => 0);
  for (const r of all) {
    const t = Date.parse(r.registeredAt);
    if (t < w.from.getTime() || t >= w.to.getTime()) continue;
    // Weekly buckets beyond 92 days: find the bucket by time, not by label.
    const i =
      index.get(dayOf(r.registeredAt)) ??
      days.findIndex((d) => t >= d.from.getTime() && t < d.to.getTime());
    if (i >= 0) values[i]++;
  }
  return { labels: days.map((d) => d.label), values };
}

interface ResetsBucket extends Resets {
  readonly from: string;
  readonly to: string;
}

/** The successful resets per day (weeks beyond 92 days) of the window: one request for the whole series. */
async function resetSeries(
  w: TimeWindow,
): Promise<{ label: string; from: Date; to: Date; r: Resets }[]> {
  const body = await getJson<{ items: ResetsBucket[] }>(`${R}/resets-over-time`, windowQuery(w));
  return body.items.map((b) => ({
    label: dayOf(b.from),
    from: new Date(b.from),
    to: new Date(b.to),
    r: b,
  }));
}
