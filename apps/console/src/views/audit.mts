import { getJson, type Query } from '../api.mts';
import { errorText } from '../card.mts';
import { downloadReportCsv } from '../csv.mts';
import { ISO_MINUTE, clear, fmtTime, h, person, table, type PersonRef } from '../dom.mts';
import { windowQuery, type TimeWindow } from '../window.mts';

interface AuditItem {
  readonly eventId: string;
  readonly type: string;
  readonly service: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly status: string;
  readonly reason: string | null;
  readonly actor: (PersonRef & { role: string | null }) | null;
  readonly target: (PersonRef & { role: string | null }) | null;
  readonly correlationId: string | null;
  readonly details: Record<string, unknown>;
}

const PAGE = 50;

/** The audit query's services: the identity events, and authtrail's own records. */
const SERVICES: readonly (readonly [string, string])[] = [
  ['sspr', 'SSPR'],
  ['mfa', 'MFA'],
  ['privacy', 'Privacy requests'],
  ['tenant', 'Tenant administration'],
  ['access', 'Access to personal data'],
];

/**
 * The audit log (SSPR and MFA events): filter by service, type, status, actor, target and
 * time; cursor pages; the event's detail on click. Names as filters only for privacy-admin
 * (the API refuses them otherwise), subject ids for everyone.
 */
export function auditView(w: TimeWindow, mayUseNames: boolean, userHeading: string): HTMLElement[] {
  const input = (name: string, label: string, attrs: Record<string, string> = {}) =>
    h('label', {}, label, h('input', { name, autocomplete: 'off', spellcheck: 'false', ...attrs }));
  const typeSelect = h('select', { name: 'type' }, h('option', { value: '' }, 'any type'));
  const serviceSelect = h(
    'select',
    { name: 'service' },
    h('option', { value: '' }, 'all services'),
    ...SERVICES.map(([value, label]) => h('option', { value }, label)),
  );
  const toLocal = (d: Date) => d.toISOString().slice(0, 16);
  const form = h(
    'form',
    { class: 'filters', 'data-form': 'audit' },
    h('label', {}, 'Service', serviceSelect),
    h('label', {}, 'Type', typeSelect),
    h(
      'label',
      {},
      'Status',
      h(
        'select',
        { name: 'status' },
        h('option', { value: '' }, 'any'),
        h('option', { value: 'Success' }, 'Success'),
        h('option', { value: 'Failure' }, 'Failure'),
      ),
    ),
    mayUseNames ? input('actor', 'Actor (user principal name)', { type: 'email' }) : null,
    mayUseNames ? input('target', 'Target (user principal name)', { type: 'email' }) : null,
    input('actorId', 'Actor subject id'),
    input('targetId', 'Target subject id'),
    input('from', 'From (UTC, ISO 8601)', { type: 'text', ...ISO_MINUTE, value: toLocal(w.from) }),
    input('to', 'To (UTC, ISO 8601)', { type: 'text', ...ISO_MINUTE, value: toLocal(w.to) }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Search')),
  );

  // Types follow the chosen service, so a combination the API refuses is not offered.
  let catalog: { type: string; category: string }[] = [];
  const fillTypes = () => {
    const service = serviceSelect.value;
    typeSelect.replaceChildren(
      h('option', { value: '' }, 'any type'),
      ...catalog
        .filter((t) =>
          service ? t.category === service : SERVICES.some(([s]) => s === t.category),
        )
        .map((t) => h('option', { value: t.type }, t.type)),
    );
  };
  serviceSelect.addEventListener('change', fillTypes);
  void getJson<{ items: { type: string; category: string }[] }>('/v1/schemas').then((r) => {
    catalog = r.items;
    fillTypes();
  });

  const results = h('div', { class: 'results', 'data-results': 'audit' });
  const detail = h('aside', { class: 'detail', 'data-detail': 'audit', hidden: true });
  const status = h('p', { class: 'muted', role: 'status' });
  const prev = h('button', { type: 'button', class: 'ghost', 'data-page': 'prev' }, '‹ Newer');
  const next = h('button', { type: 'button', class: 'ghost', 'data-page': 'next' }, 'Older ›');
  const csv = h(
    'button',
    { type: 'button', class: 'ghost', 'data-csv': 'audit' },
    'CSV of every match',
  );
  let cursors: (string | null)[] = [null];
  let page = 0;
  let query: Query = {};

  const readForm = (): Query => {
    const f = new FormData(form);
    const get = (k: string) => {
      const v = f.get(k);
      return typeof v === 'string' ? v.trim() : '';
    };
    const utc = (v: string) => (v ? new Date(`${v}:00Z`).toISOString() : undefined);
    return {
      service: get('service'),
      type: get('type'),
      status: get('status'),
      actor: mayUseNames ? get('actor') : undefined,
      target: mayUseNames ? get('target') : undefined,
      actorId: get('actorId'),
      targetId: get('targetId'),
      from: utc(get('from')),
      to: utc(get('to')),
      limit: PAGE,
    };
  };

  const showDetail = (item: AuditItem) => {
    clear(detail);
    detail.hidden = false;
    const who = (label: string, p: AuditItem['actor']) =>
      p
        ? [
            h('dt', {}, label),
            h(
              'dd',
              {},
              person(p),
              p.role ? ` · ${p.role}` : '',
              h('div', { class: 'mono small' }, p.subjectId),
            ),
          ]
        : [];
    detail.append(
      h(
        'header',
        {},
        h('h3', {}, item.type),
        h(
          'button',
          { type: 'button', class: 'ghost', onclick: () => (detail.hidden = true) },
          'Close',
        ),
      ),
      h(
        'dl',
        {},
        h('dt', {}, 'event id'),
        h('dd', { class: 'mono' }, item.eventId),
        h('dt', {}, 'occurred'),
        h('dd', {}, fmtTime(item.occurredAt)),
        h('dt', {}, 'recorded'),
        h('dd', {}, fmtTime(item.recordedAt)),
        h('dt', {}, 'result'),
        h('dd', {}, item.status, item.reason ? ` · ${item.reason}` : ''),
        ...who('actor', item.actor),
        ...who('target', item.target),
        item.correlationId
          ? [h('dt', {}, 'correlation'), h('dd', { class: 'mono' }, item.correlationId)]
          : [],
      ),
      h('h4', {}, 'details'),
      h('pre', { class: 'json' }, JSON.stringify(item.details, null, 2)),
    );
  };

  const load = async () => {
    status.textContent = 'Searching…';
    results.dataset.state = 'loading';
    try {
      const r = await getJson<{ items: AuditItem[]; nextCursor: string | null }>(
        '/v1/audit-events',
        {
          ...query,
          cursor: cursors[page],
        },
      );
      cursors[page + 1] = r.nextCursor;
      const rows = r.items.map((i) => [
        fmtTime(i.occurredAt),
        i.type,
        h('span', { class: `tag tag-${i.status.toLowerCase()}` }, i.status),
        i.reason ?? '',
        person(i.actor),
        person(i.target),
      ]);
      const t = table(
        [
          'occurred',
          'type',
          'status',
          'reason',
          `actor (${userHeading})`,
          `target (${userHeading})`,
        ],
        rows,
        {
          'data-table': 'audit',
          class: 'clickable',
        },
      );
      t.querySelectorAll('tbody tr').forEach((tr, idx) => {
        const item = r.items[idx];
        if (!item) return;
        (tr as HTMLElement).dataset.eventId = item.eventId;
        tr.setAttribute('tabindex', '0');
        tr.addEventListener('click', () => showDetail(item));
        tr.addEventListener('keydown', (e) => {
          if ((e as KeyboardEvent).key === 'Enter') showDetail(item);
        });
      });
      results.replaceChildren(t);
      status.textContent = `Page ${page + 1} · ${r.items.length} event${r.items.length === 1 ? '' : 's'}`;
      prev.disabled = page === 0;
      next.disabled = !r.nextCursor;
      results.dataset.state = 'ready';
    } catch (e) {
      results.replaceChildren(h('p', { class: 'error' }, errorText(e)));
      status.textContent = '';
      results.dataset.state = 'error';
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    query = readForm();
    cursors = [null];
    page = 0;
    detail.hidden = true;
    void load();
  });
  prev.addEventListener('click', () => {
    page--;
    void load();
  });
  next.addEventListener('click', () => {
    page++;
    void load();
  });
  csv.addEventListener('click', () => {
    // The API's CSV is the whole answer (every page), so no cursor.
    void downloadReportCsv('audit-events', '/v1/audit-events', query).catch(
      (e: unknown) => (status.textContent = errorText(e)),
    );
  });

  query = { ...windowQuery(w), limit: PAGE };
  void load();
  return [
    h(
      'section',
      { class: 'card wide', 'data-card': 'audit' },
      h(
        'header',
        {},
        h(
          'div',
          {},
          h('h3', {}, 'Audit log'),
          h(
            'p',
            { class: 'subtitle' },
            'SSPR and MFA events and authtrail’s own records, newest first',
          ),
        ),
        csv,
      ),
      form,
      status,
      h(
        'div',
        { class: 'audit-layout' },
        h('div', {}, results, h('div', { class: 'pager' }, prev, next)),
        detail,
      ),
    ),
  ];
}
