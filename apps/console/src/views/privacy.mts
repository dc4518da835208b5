import { getJson, postJson } from '../api.mts';
import { card, errorText } from '../card.mts';
import { download } from '../csv.mts';
import { clear, fmtInt, fmtTime, h, table } from '../dom.mts';

interface Erasure {
  readonly subjectId: string;
  readonly requestedAt: string;
  readonly erasedAt: string | null;
  readonly events: number | null;
  readonly status: string;
  readonly actorKeyId: string | null;
  /** Erased only: the clean-up of the copies outside the log (report tables, SIEM). */
  readonly surfaces?: { readonly readModel: string; readonly siem: string };
}

/** "report tables done, SIEM off": how far an erased person's copies are cleaned up. */
const cleanUp = (e: Erasure): string =>
  e.surfaces ? `report tables ${e.surfaces.readModel}, SIEM ${e.surfaces.siem}` : '';

/**
 * A form that asks before it acts: the first submit shows what will happen and a
 * confirm button; only that button sends the request.
 */
function confirmForm(o: {
  id: string;
  label: string;
  action: string;
  warning: (upn: string) => string;
  run: (upn: string, out: HTMLElement) => Promise<void>;
}): HTMLElement {
  const field = h('input', {
    name: 'userPrincipalName',
    type: 'email',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'kim@contoso.com',
  });
  const out = h('div', { class: 'result', 'data-result': o.id, role: 'status' });
  const confirmBox = h('div', { class: 'confirm', 'data-confirm': o.id, hidden: true });
  const form = h(
    'form',
    { class: 'inline-form', 'data-form': o.id },
    h('label', {}, o.label, field),
    h('button', { type: 'submit' }, `${o.action}…`),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const upn = field.value.trim();
    if (!upn) return;
    clear(out);
    clear(confirmBox);
    const yes = h(
      'button',
      { type: 'button', class: 'danger', 'data-confirm-yes': o.id },
      `Yes, ${o.action.toLowerCase()}`,
    );
    const no = h('button', { type: 'button', class: 'ghost' }, 'Cancel');
    confirmBox.append(h('p', {}, o.warning(upn)), h('div', { class: 'actions' }, yes, no));
    confirmBox.hidden = false;
    field.disabled = true;
    const done = () => {
      confirmBox.hidden = true;
      field.disabled = false;
    };
    no.addEventListener('click', done);
    yes.addEventListener('click', () => {
      yes.disabled = true;
      o.run(upn, out)
        .then(() => {
          field.value = '';
          out.dataset.state = 'done';
        })
        .catch((err: unknown) => {
          out.replaceChildren(h('p', { class: 'error' }, errorText(err)));
          out.dataset.state = 'error';
        })
        .finally(done);
    });
  });
  return h('div', {}, form, confirmBox, out);
}

/** privacy-admin: erase and export a person, and the erasures done. */
export function privacyView(): HTMLElement[] {
  const erasures = h('div', {});
  const loadErasures = async () => {
    const r = await getJson<{ items: Erasure[] }>('/v1/privacy/erasures');
    erasures.replaceChildren(
      table(
        ['subject', 'requested', 'erased', 'events', 'status', 'copies', 'by key'],
        r.items.map((e) => [
          h('span', { class: 'mono' }, e.subjectId),
          fmtTime(e.requestedAt),
          fmtTime(e.erasedAt),
          fmtInt(e.events ?? ''),
          e.status,
          cleanUp(e),
          e.actorKeyId ?? '',
        ]),
        { 'data-table': 'erasures' },
        'No erasures yet.',
      ),
    );
  };
  return [
    card(
      {
        id: 'erase',
        title: 'Erase a person',
        subtitle:
          'Crypto-shredding: their key is deleted, so every copy of their personal data becomes unreadable. The log itself stays.',
      },
      (body) => {
        body.append(
          confirmForm({
            id: 'erase',
            label: 'User principal name',
            action: 'Erase',
            warning: (upn) =>
              `Erase ${upn}? Their name, contact data and devices become unreadable in the log, the reports and every backup. This cannot be undone.`,
            run: async (upn, out) => {
              const r = await postJson<{
                subjectId: string | null;
                erasedAt: string | null;
                events: number;
              }>('/v1/subjects/erase', {
                userPrincipalName: upn,
              });
              out.replaceChildren(
                r.subjectId === null
                  ? h(
                      'p',
                      {},
                      'Nobody by that name is known (or they were erased before): nothing to erase.',
                    )
                  : h(
                      'p',
                      {},
                      `Erased subject `,
                      h('span', { class: 'mono' }, r.subjectId),
                      ` at ${fmtTime(r.erasedAt)}: ${fmtInt(r.events)} events are now anonymous.`,
                    ),
              );
              await loadErasures();
            },
          }),
        );
      },
    ),
    card(
      {
        id: 'export',
        title: 'Export a person’s data',
        subtitle:
          'Every stored event about them, their own fields decrypted, others as subject ids. The export is recorded.',
      },
      (body) => {
        body.append(
          confirmForm({
            id: 'export',
            label: 'User principal name',
            action: 'Export',
            warning: (upn) =>
              `Export every stored event about ${upn} as JSON? The export is recorded in the audit trail.`,
            run: async (upn, out) => {
              const r = await postJson<{ subjectId: string | null; events: unknown[] }>(
                '/v1/subjects/export',
                { userPrincipalName: upn },
              );
              if (r.subjectId !== null)
                download(
                  `export-${r.subjectId}.json`,
                  JSON.stringify(r, null, 2),
                  'application/json',
                );
              out.replaceChildren(
                h(
                  'p',
                  {},
                  r.subjectId === null
                    ? 'Nobody by that name is known: the export is empty.'
                    : `Exported ${fmtInt(r.events.length)} events of subject ${r.subjectId}.`,
                ),
              );
            },
          }),
        );
      },
    ),
    card(
      {
        id: 'erasures',
        title: 'Erasures done',
        subtitle: 'From the privacy events of the log; names are gone with the keys',
        wide: true,
      },
      async (body) => {
        await loadErasures();
        body.append(erasures);
      },
    ),
  ];
}
