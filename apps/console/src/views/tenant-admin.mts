import { getJson, postJson, sendJson, type Me, type Role } from '../api.mts';
import { card, errorText } from '../card.mts';
import { clear, fmtTime, h, table } from '../dom.mts';

/** `GET /v1/tenant`. */
interface TenantView {
  readonly tenantId: string;
  readonly optedIn: boolean;
  readonly optedInAt: string | null;
  readonly deletionDueAt: string | null;
}

/** `GET /v1/keys` items (never a secret). */
interface KeyView {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** `POST /v1/keys`: the key itself, shown this once. */
interface CreatedKey extends Omit<KeyView, 'revokedAt' | 'lastUsedAt'> {
  readonly key: string;
}

/** Roles a tenant admin hands out; `operator` is the deployment's, not a tenant's. */
const GRANTABLE: readonly Role[] = ['producer', 'reader', 'privacy-admin', 'tenant-admin'];

function keyState(k: KeyView, now = Date.now()): string {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt !== null && Date.parse(k.expiresAt) <= now) return 'expired';
  return 'active';
}

/** A box that asks before `run`: shown by `ask`, acts on its Yes button only. */
function confirmBox(
  id: string,
  run: () => Promise<void>,
  out: HTMLElement,
): { el: HTMLElement; ask: (text: string, extra?: HTMLElement) => void } {
  const el = h('div', { class: 'confirm', 'data-confirm': id, hidden: true });
  const ask = (text: string, extra?: HTMLElement) => {
    const yes = h('button', { type: 'button', class: 'danger', 'data-confirm-yes': id }, 'Yes');
    const no = h('button', { type: 'button', class: 'ghost', 'data-confirm-no': id }, 'Cancel');
    el.replaceChildren(h('p', {}, text), extra ?? '', h('div', { class: 'actions' }, yes, no));
    el.hidden = false;
    no.addEventListener('click', () => (el.hidden = true));
    yes.addEventListener('click', () => {
      yes.disabled = true;
      run()
        .then(() => {
          el.hidden = true;
          out.dataset.state = 'done';
        })
        .catch((e: unknown) => {
          yes.disabled = false;
          out.replaceChildren(h('p', { class: 'error' }, errorText(e)));
          out.dataset.state = 'error';
        });
    });
  };
  return { el, ask };
}

/** The tenant's opt-in and deletion: what is kept, and when it all goes. */
function tenantCard(rerender: () => void): HTMLElement {
  return card(
    { id: 'tenant', title: 'This tenant', subtitle: 'Opt-in and deletion' },
    async (body) => {
      const t = await getJson<TenantView>('/v1/tenant');
      const out = h('div', { class: 'result', 'data-result': 'tenant', role: 'status' });
      const facts = h(
        'dl',
        {},
        h('dt', {}, 'tenant'),
        h('dd', { 'data-field': 'tenantId' }, t.tenantId),
        h('dt', {}, 'opted in'),
        h('dd', { 'data-field': 'optedIn' }, t.optedIn ? `yes, ${fmtTime(t.optedInAt)}` : 'no'),
        h('dt', {}, 'deletion'),
        h(
          'dd',
          { 'data-field': 'deletionDueAt' },
          t.deletionDueAt === null ? 'none scheduled' : `due ${fmtTime(t.deletionDueAt)}`,
        ),
      );
      body.append(facts);
      if (!t.optedIn) {
        body.append(
          h(
            'p',
            { class: 'muted small' },
            'Nothing is kept for this tenant until it opts in: events sent before are refused.',
          ),
          h(
            'button',
            {
              type: 'button',
              'data-action': 'opt-in',
              onclick: () => {
                postJson<TenantView>('/v1/tenant/opt-in', undefined).then(rerender, (e: unknown) =>
                  out.replaceChildren(h('p', { class: 'error' }, errorText(e))),
                );
              },
            },
            'Opt in',
          ),
        );
      }
      if (t.deletionDueAt === null) {
        // As the CLI: the tenant id typed again, then a confirmation.
        const typed = h('input', {
          name: 'tenantId',
          autocomplete: 'off',
          spellcheck: 'false',
          placeholder: t.tenantId,
          required: true,
        });
        const confirm = confirmBox(
          'delete-tenant',
          async () => {
            await sendJson('DELETE', '/v1/tenant');
            rerender();
          },
          out,
        );
        const form = h(
          'form',
          { class: 'inline-form', 'data-form': 'delete-tenant' },
          h('label', {}, 'Type the tenant id to schedule its deletion', typed),
          h('button', { type: 'submit', class: 'danger' }, 'Schedule deletion…'),
        );
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          if (typed.value.trim() !== t.tenantId) {
            out.replaceChildren(
              h('p', { class: 'error' }, `That is not this tenant's id (${t.tenantId}).`),
            );
            out.dataset.state = 'error';
            return;
          }
          clear(out);
          confirm.ask(
            `Delete tenant ${t.tenantId}? After the grace period its key is shredded: every event, ` +
              'name and report of the tenant becomes unreadable for good. It can be cancelled until then.',
          );
        });
        body.append(h('h4', {}, 'Delete the tenant'), form, confirm.el);
      } else {
        const confirm = confirmBox(
          'cancel-deletion',
          async () => {
            await postJson<TenantView>('/v1/tenant/cancel-deletion', undefined);
            rerender();
          },
          out,
        );
        body.append(
          h(
            'button',
            {
              type: 'button',
              'data-action': 'cancel-deletion',
              onclick: () => confirm.ask(`Cancel the deletion of ${t.tenantId}? Its data stays.`),
            },
            'Cancel the deletion…',
          ),
          confirm.el,
        );
      }
      body.append(out);
    },
  );
}

/** The tenant's API keys: list, create (the key shown once), revoke after a confirmation. */
function keysCard(me: Me): HTMLElement {
  return card(
    {
      id: 'keys',
      title: 'API keys',
      subtitle: 'Secrets are shown once, when a key is made',
      wide: true,
    },
    async (body) => {
      const out = h('div', { class: 'result', 'data-result': 'keys', role: 'status' });
      const holder = h('div', {});
      // Only the list is redrawn: a key just made stays on screen until the page changes.
      const refresh = async (): Promise<void> => {
        const keys = (await getJson<{ items: KeyView[] }>('/v1/keys')).items;
        const rows = keys.map((k) => {
          const state = keyState(k);
          const mine = k.id === me.keyId;
          const confirm = confirmBox(
            `revoke-${k.id}`,
            async () => {
              await sendJson('DELETE', `/v1/keys/${encodeURIComponent(k.id)}`);
              await refresh();
            },
            out,
          );
          const revoke =
            state === 'revoked'
              ? null
              : h(
                  'button',
                  {
                    type: 'button',
                    class: 'ghost',
                    'data-action': 'revoke',
                    'data-key-id': k.id,
                    onclick: () =>
                      confirm.ask(
                        mine
                          ? `Revoke ${k.name || k.id}? It is the key you are signed in with: this console signs out.`
                          : `Revoke ${k.name || k.id}? Whoever uses it is refused from now on.`,
                      ),
                  },
                  'Revoke…',
                );
          return [
            h(
              'span',
              {},
              k.name || '—',
              mine ? h('span', { class: 'tag', 'data-own-key': '' }, ' this key') : '',
            ),
            h('code', { class: 'mono' }, k.id),
            k.roles.join(', '),
            h('span', { class: `tag tag-${state === 'active' ? 'ok' : 'expired'}` }, state),
            fmtTime(k.createdAt),
            fmtTime(k.expiresAt) || '—',
            fmtTime(k.lastUsedAt) || '—',
            h('div', {}, revoke, confirm.el),
          ];
        });
        const list = table(
          ['name', 'id', 'roles', 'state', 'created', 'expires', 'last used', ''],
          rows,
          { 'data-table': 'keys' },
        );
        list.querySelectorAll('tbody tr').forEach((tr, i) => {
          if (keys[i]) (tr as HTMLElement).dataset.keyId = keys[i].id;
        });
        holder.replaceChildren(list);
        holder.dataset.keys = String(keys.length);
      };
      await refresh();

      const name = h('input', {
        name: 'name',
        maxlength: 100,
        autocomplete: 'off',
        placeholder: 'idp',
      });
      const expires = h('input', {
        name: 'expiresAt',
        autocomplete: 'off',
        pattern: '\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2})?Z)?',
        placeholder: 'YYYY-MM-DD (UTC, optional)',
      });
      const boxes = GRANTABLE.map((r) =>
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'role', value: r }), r),
      );
      const created = h('div', { class: 'result', 'data-result': 'create-key', role: 'status' });
      const form = h(
        'form',
        { class: 'key-form', 'data-form': 'create-key' },
        h('label', {}, 'Name', name),
        h('fieldset', {}, h('legend', {}, 'Roles'), ...boxes),
        h('label', {}, 'Expires', expires),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create key')),
      );
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const roles = boxes
          .map((b) => b.querySelector('input')!)
          .filter((i) => i.checked)
          .map((i) => i.value);
        const v = expires.value.trim();
        const request: Record<string, unknown> = { roles };
        if (name.value.trim()) request.name = name.value.trim();
        if (v) request.expiresAt = v.length === 10 ? `${v}T00:00:00Z` : v;
        postJson<CreatedKey>('/v1/keys', request)
          .then((k) => {
            // Shown once, outside the list that is redrawn: copy it now.
            const keyText = h('code', { class: 'mono', 'data-new-key': k.id }, k.key);
            created.replaceChildren(
              h(
                'div',
                { class: 'confirm' },
                h(
                  'p',
                  {},
                  `Key ${k.name || k.id} (${k.roles.join(', ')}): copy it now, it is not shown again.`,
                ),
                keyText,
              ),
            );
            form.reset();
            return refresh().then(() => {
              created.dataset.state = 'done';
            });
          })
          .catch((err: unknown) => {
            created.replaceChildren(h('p', { class: 'error' }, errorText(err)));
            created.dataset.state = 'error';
          });
      });
      body.append(holder, out, h('h4', {}, 'New key'), form, created);
    },
  );
}

/** tenant-admin: the tenant's keys, its opt-in and its deletion, through the same HTTP API as the CLI. */
export function tenantAdminView(me: Me, rerender: () => void): HTMLElement[] {
  return [tenantCard(rerender), keysCard(me)];
}
