import './style.css';
import { ApiError, session, whenSignedOut, whoami, type Me } from './api.mts';
import { errorText } from './card.mts';
import { ISO_DAY, clear, fmtTime, h } from './dom.mts';
import { auditView } from './views/audit.mts';
import { diagnosticsView } from './views/diagnostics.mts';
import { mfaView } from './views/mfa.mts';
import { privacyView } from './views/privacy.mts';
import { ssprView } from './views/sspr.mts';
import { tenantAdminView } from './views/tenant-admin.mts';
import { lastDays, type TimeWindow } from './window.mts';

const root = document.getElementById('app')!;

interface Page {
  readonly id: string;
  readonly label: string;
  readonly windowed: boolean;
  readonly render: (me: Me, w: TimeWindow, rerender: () => void) => HTMLElement[];
}

const has = (me: Me, ...roles: string[]) => me.roles.some((r) => roles.includes(r));
/** Names are shown to privacy-admin only; everyone else sees subject ids. */
const userHeading = (me: Me) => (has(me, 'privacy-admin') ? 'user' : 'subject');

/** Pages a role may use; the others are not offered at all. */
function pagesFor(me: Me): Page[] {
  const pages: Page[] = [];
  if (has(me, 'reader', 'privacy-admin')) {
    pages.push(
      {
        id: 'sspr',
        label: 'Password reset',
        windowed: true,
        render: (m, w) => ssprView(w, userHeading(m)),
      },
      { id: 'mfa', label: 'MFA', windowed: true, render: (m, w) => mfaView(w, userHeading(m)) },
      {
        id: 'audit',
        label: 'Audit log',
        windowed: true,
        render: (m, w) => auditView(w, has(m, 'privacy-admin'), userHeading(m)),
      },
    );
  }
  if (has(me, 'privacy-admin'))
    pages.push({
      id: 'privacy',
      label: 'Privacy requests',
      windowed: false,
      render: () => privacyView(),
    });
  if (has(me, 'tenant-admin'))
    pages.push({
      id: 'tenant',
      label: 'Tenant admin',
      windowed: false,
      render: (m, _w, rerender) => tenantAdminView(m, rerender),
    });
  if (has(me, 'tenant-admin'))
    pages.push({
      id: 'diagnostics',
      label: 'Diagnostics',
      windowed: false,
      render: () => diagnosticsView(),
    });
  return pages;
}

function signIn(message = ''): void {
  clear(root);
  const field = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'atk_… or an OIDC access token',
  });
  const error = h('p', { class: 'error', role: 'alert' }, message);
  const form = h(
    'form',
    { class: 'signin', 'data-form': 'signin' },
    h('h1', {}, 'authtrail'),
    h(
      'p',
      { class: 'subtitle' },
      'Compliance console: SSPR and MFA reports, audit log, privacy requests.',
    ),
    h('label', { for: 'token' }, 'API key or OIDC token'),
    field,
    h('button', { type: 'submit' }, 'Sign in'),
    h(
      'p',
      { class: 'muted small' },
      'Kept in this tab only (session storage) and sent only to this server.',
    ),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = field.value.trim();
    whoami(token)
      .then((me) => {
        session.set(token);
        start(me);
      })
      .catch((err: unknown) => {
        error.textContent =
          err instanceof ApiError && err.status === 401
            ? 'This key or token is not valid.'
            : errorText(err);
      });
  });
  root.append(h('main', { class: 'signin-page' }, form));
  field.focus();
}

function start(me: Me): void {
  const pages = pagesFor(me);
  let w = lastDays(30);
  clear(root);
  const nav = h('nav', { 'aria-label': 'Pages' });
  const toolbar = h('div', { class: 'toolbar' });
  const main = h('main', { class: 'grid' });
  root.append(
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'authtrail'),
      nav,
      h(
        'div',
        { class: 'who' },
        h('span', { 'data-who': 'tenant' }, `tenant ${me.tenantId}`),
        ...me.roles.map((r) => h('span', { class: 'role', 'data-role': r }, r)),
        h(
          'button',
          {
            type: 'button',
            class: 'ghost',
            'data-action': 'sign-out',
            onclick: () => {
              session.clear();
              location.hash = '';
              signIn();
            },
          },
          'Sign out',
        ),
      ),
    ),
    toolbar,
    main,
  );
  if (pages.length === 0) {
    main.append(
      h(
        'p',
        { class: 'card wide' },
        `The roles of this key (${me.roles.join(', ')}) have nothing to show in the console.`,
      ),
    );
    return;
  }

  const windowBar = (rerender: () => void): HTMLElement => {
    const presets = [7, 30, 90, 365];
    const select = h(
      'select',
      { name: 'window', 'aria-label': 'Time window' },
      ...presets.map((d) =>
        h('option', { value: String(d), selected: w.days === d }, `Last ${d} days`),
      ),
      h('option', { value: 'custom', selected: w.days === null }, 'Custom range'),
    );
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const from = h('input', {
      type: 'text',
      ...ISO_DAY,
      name: 'from',
      value: day(w.from),
      'aria-label': 'From (UTC, YYYY-MM-DD)',
      size: 10,
    });
    const to = h('input', {
      type: 'text',
      ...ISO_DAY,
      name: 'to',
      value: day(w.to),
      'aria-label': 'To (UTC, YYYY-MM-DD)',
      size: 10,
    });
    const custom = h(
      'span',
      { class: 'custom', hidden: w.days !== null },
      'from ',
      from,
      ' to ',
      to,
    );
    select.addEventListener('change', () => (custom.hidden = select.value !== 'custom'));
    const form = h(
      'form',
      {
        class: 'window',
        'data-form': 'window',
        'data-from': w.from.toISOString(),
        'data-to': w.to.toISOString(),
      },
      h('label', {}, 'Time window ', select),
      custom,
      h('button', { type: 'submit' }, 'Apply'),
      h(
        'span',
        { class: 'muted small' },
        `${fmtTime(w.from.toISOString())} – ${fmtTime(w.to.toISOString())}`,
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (select.value === 'custom') {
        const f = new Date(`${from.value}T00:00:00Z`);
        // The "to" day is included: the window ends at the next midnight.
        const t = new Date(new Date(`${to.value}T00:00:00Z`).getTime() + 86_400_000);
        if (!Number.isNaN(f.getTime()) && !Number.isNaN(t.getTime()) && f < t)
          w = { days: null, from: f, to: t };
      } else w = lastDays(Number(select.value));
      rerender();
    });
    return form;
  };

  const render = () => {
    const id = location.hash.replace(/^#\/?/, '');
    const page = pages.find((p) => p.id === id) ?? pages[0];
    clear(nav);
    for (const p of pages)
      nav.append(
        h(
          'a',
          {
            href: `#/${p.id}`,
            class: p === page ? 'active' : '',
            'aria-current': p === page ? 'page' : null,
            'data-nav': p.id,
          },
          p.label,
        ),
      );
    clear(toolbar);
    if (page.windowed) toolbar.append(windowBar(render));
    clear(main);
    main.dataset.page = page.id;
    main.append(...page.render(me, w, render));
  };
  window.onhashchange = render;
  render();
}

whenSignedOut(() => {
  session.clear();
  signIn('Signed out: the key or token is no longer valid.');
});

const saved = session.token();
if (saved) {
  whoami(saved)
    .then(start)
    .catch(() => {
      session.clear();
      signIn();
    });
} else signIn();
