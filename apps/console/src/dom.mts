/** Tiny DOM builder. Text always goes in as text nodes, never as HTML: data cannot inject markup. */
type Attr = string | number | boolean | null | undefined | ((ev: Event) => void);
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children.flat());
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** Scalars as text; objects (never expected here) as JSON rather than [object Object]. */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? '';
}

export const fmtInt = (n: unknown): string =>
  typeof n === 'number' ? n.toLocaleString('en-US') : asText(n);

/** An instant in ISO 8601, UTC, to the second (`2026-11-29T19:56:04Z`): the reports' time base, one form on every page. */
export function fmtTime(iso: unknown): string {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An API value that is an ISO instant (`…T…Z`), as `fmtTime` shows it; anything else as text. */
export const asShown = (v: unknown): string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)
    ? fmtTime(v)
    : asText(v);

/** Text inputs that take ISO 8601 (a browser's date pickers show the user's locale instead). */
export const ISO_DAY = { pattern: '\\d{4}-\\d{2}-\\d{2}', placeholder: 'YYYY-MM-DD' } as const;
export const ISO_MINUTE = {
  pattern: '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}',
  placeholder: 'YYYY-MM-DDThh:mm',
} as const;

/** A person as the API gives them: the name for privacy-admin, the subject id for reader, or erased. */
export interface PersonRef {
  readonly user: string | null;
  readonly subjectId: string;
  readonly erased: boolean;
  readonly role?: string | null;
}

export function person(p: PersonRef | null | undefined): HTMLElement {
  if (!p) return h('span', { class: 'muted' }, '—');
  if (p.erased || p.user === null)
    return h(
      'span',
      { class: 'erased', title: p.subjectId, 'data-subject': p.subjectId },
      'erased',
    );
  return h('span', { class: 'person', title: p.subjectId, 'data-subject': p.subjectId }, p.user);
}

export function table(
  columns: readonly string[],
  rows: readonly Child[][],
  attrs: Record<string, Attr> = {},
  emptyText = 'Nothing to show.',
): HTMLTableElement {
  return h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0
        ? [h('tr', { class: 'empty' }, h('td', { colspan: columns.length }, emptyText))]
        : rows.map((r) =>
            h(
              'tr',
              {},
              r.map((c) => h('td', {}, c)),
            ),
          ),
    ),
  );
}
