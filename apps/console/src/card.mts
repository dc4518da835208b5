import { ApiError } from './api.mts';
import { clear, h } from './dom.mts';

export interface CardOptions {
  /** Stable id (tests and CSV file names use it). */
  readonly id: string;
  readonly title: string;
  readonly subtitle?: string;
  readonly wide?: boolean;
  /** Offers a CSV download of exactly what the card shows. */
  readonly csv?: () => Promise<void>;
  /** Label of the download button (default CSV). */
  readonly downloadLabel?: string;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.status}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * One report on a page: title (the report's question), a CSV button, and a body filled by
 * `load`. `data-state` tells when it is ready (loading, ready, error).
 */
export function card(
  o: CardOptions,
  load: (body: HTMLElement) => Promise<void> | void,
): HTMLElement {
  const body = h('div', { class: 'card-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const status = h('span', { class: 'card-status', role: 'status' });
  const el = h(
    'section',
    { class: o.wide ? 'card wide' : 'card', 'data-card': o.id, 'data-state': 'loading' },
    h(
      'header',
      {},
      h(
        'div',
        {},
        h('h3', {}, o.title),
        o.subtitle ? h('p', { class: 'subtitle' }, o.subtitle) : null,
      ),
      o.csv
        ? h(
            'button',
            {
              class: 'ghost',
              type: 'button',
              'data-csv': o.id,
              title: `Download as ${o.downloadLabel ?? 'CSV'}`,
              onclick: () => {
                status.textContent = '';
                o.csv!().catch((e: unknown) => (status.textContent = errorText(e)));
              },
            },
            o.downloadLabel ?? 'CSV',
          )
        : null,
    ),
    status,
    body,
  );
  void (async () => {
    try {
      const content = h('div', {});
      await load(content);
      clear(body);
      body.append(...Array.from(content.childNodes));
      el.dataset.state = 'ready';
    } catch (e) {
      clear(body);
      body.append(h('p', { class: 'error' }, errorText(e)));
      el.dataset.state = 'error';
    }
  })();
  return el;
}

/** A big number with its label. */
export function kpi(label: string, value: string, field: string): HTMLElement {
  return h(
    'div',
    { class: 'kpi', 'data-field': field },
    h('span', { class: 'kpi-value' }, value),
    h('span', { class: 'kpi-label' }, label),
  );
}
