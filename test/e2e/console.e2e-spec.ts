import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, Page, chromium } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { ProducerEvent, exampleEvent } from '@authtrail/catalog';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { demoEvents } from '../../apps/cli/src/commands/demo-data';
import { BOOTSTRAP_KEY, TestServer, prepareTenant, startTestServer } from '../support/test-server';

const CHROMIUM = '/usr/bin/chromium';

/** The little of the DOM these checks touch (the tests compile without the DOM library). */
interface El {
  readonly textContent: string | null;
  readonly className: string;
  readonly dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}
// Page globals used inside page functions (they run in the browser; the console's CSP
// forbids string evaluation, so every check is a function).
declare const document: {
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
};
declare const localStorage: { readonly length: number };
declare const sessionStorage: { readonly length: number };
declare function requestAnimationFrame(fn: () => void): number;
const ROOT = join(__dirname, '../..');
const CONSOLE_SRC = join(ROOT, 'apps/console');
const CONSOLE_DIST = join(ROOT, 'dist/console/index.html');
const SHOTS = join(ROOT, 'test-output/console');
// Flags of the machine notes: without the background-networking ones Chromium keeps
// dialling Google's hosts, which this closed network refuses.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `npm test` builds the console; a direct jest run builds it here when it is missing or stale. */
function ensureConsoleBuilt(): void {
  if (existsSync(CONSOLE_DIST) && statSync(CONSOLE_DIST).mtimeMs >= newestMtime(CONSOLE_SRC))
    return;
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'apps/console/vite.config.mts',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`console build failed: ${r.stdout}\n${r.stderr}`);
}

/**
 * The compliance console in real headless Chromium (Debian's package, driven by
 * playwright-core): demo data in, every chart and table checked against the API's own
 * answer for the same window, an erasure run from the form, screenshots kept in
 * test-output/console.
 */
describe('compliance console in a real browser', () => {
  const now = new Date();
  // Without the demo's own policy changes: the policy card is checked against the two below.
  const demo: ProducerEvent[] = demoEvents({ people: 60, days: 20, now, seed: 11 }).filter(
    (e) => e.type !== 'sspr.PolicyChanged',
  );
  // An admin who resets their own password often, so that report has rows to check.
  const oftenResetting = demo.find((e) => e.target?.role?.endsWith('Administrator'))!.target!;
  const events: ProducerEvent[] = [
    ...demo,
    ...[1, 2, 3].map((d) =>
      exampleEvent('sspr.PasswordResetSelfService', {
        eventId: randomUUID(),
        occurredAt: new Date(now.getTime() - d * 86_400_000).toISOString(),
        actor: oftenResetting,
        target: oftenResetting,
        result: { status: 'Success' },
        details: { methods: ['MobilePhone'] },
      }),
    ),
    // The same admin changes the SSPR policy, and fails to once (the ninth question).
    exampleEvent('sspr.PolicyChanged', {
      eventId: randomUUID(),
      occurredAt: new Date(now.getTime() - 2 * 86_400_000).toISOString(),
      actor: oftenResetting,
    }),
    exampleEvent('sspr.PolicyChanged', {
      eventId: randomUUID(),
      occurredAt: new Date(now.getTime() - 5 * 86_400_000).toISOString(),
      actor: oftenResetting,
      result: { status: 'Failure', reason: 'Permission failure?' },
      details: { changes: [{ property: 'SelfServicePasswordResetEnabledFor', newValue: 'All' }] },
    }),
  ];
  const people = new Map<string, { upn: string; name: string }>();
  for (const e of events)
    for (const p of [e.actor, e.target])
      if (p?.userPrincipalName && (p.displayName || !people.has(p.userPrincipalName)))
        people.set(p.userPrincipalName, { upn: p.userPrincipalName, name: p.displayName ?? '' });

  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let projector: RunningProjector;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  const api = async (path: string, key: string = keys.privacyAdmin) => {
    const r = await server.request('GET', path, { key });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const rows = (selector: string) =>
    page.$$eval(`${selector} tbody tr:not(.empty)`, (trs: El[]) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td')).map((td: El) => (td.textContent ?? '').trim()),
      ),
    );
  const allReady = async () => {
    await page.waitForFunction(
      () => {
        const cards = Array.from(document.querySelectorAll('[data-card][data-state]'));
        return cards.length > 0 && cards.every((c) => c.getAttribute('data-state') !== 'loading');
      },
      undefined,
      { timeout: 60_000 },
    );
    const failed = await page.$$eval('[data-card][data-state="error"]', (cs: El[]) =>
      cs.map((c) => `${c.getAttribute('data-card')}: ${c.textContent}`),
    );
    expect(failed).toEqual([]);
    // Charts draw on the next frame.
    await page.evaluate(
      () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
    );
  };
  /** Opens a page from the menu and waits until it is the one shown (not the previous one). */
  const go = async (id: string) => {
    await page.click(`[data-nav="${id}"]`);
    await page.waitForSelector(`main[data-page="${id}"]`);
  };
  const signIn = async (key: string) => {
    await page.goto(`${server.url}/console/`);
    await page.fill('#token', key);
    await page.click('form[data-form="signin"] button[type="submit"]');
    await page.waitForSelector('header.top');
  };
  const windowOf = async () => {
    const form = page.locator('form[data-form="window"]');
    return `from=${await form.getAttribute('data-from')}&to=${await form.getAttribute('data-to')}`;
  };
  const int = (s: string) => Number(s.replace(/,/g, ''));
  /** An instant as the console shows it. */
  const shownTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install chromium); the console tests drive it with playwright-core`,
      );
    ensureConsoleBuilt();
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    keys = await prepareTenant(server);
    for (let i = 0; i < events.length; i += 1000) {
      const r = await server.request('POST', '/v1/events', {
        key: keys.producer,
        body: events.slice(i, i + 1000),
      });
      if (r.status !== 202) throw new Error(`ingest: ${r.status} ${r.text}`);
    }
    projector = await startProjector(server.app);
    await projector.projector.waitForHead(60_000);
    profile = mkdtempSync(join(tmpdir(), 'authtrail-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1400, height: 1000 },
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await projector?.stop();
    await server?.close();
  });

  it('serves the console without a key, redirects / to it, and refuses a bad key at sign-in', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const index = await fetch(`${server.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    // Everything is bundled: no script or style from anywhere else.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    await page.goto(`${server.url}/console/`);
    await page.fill('#token', 'atk_0000000000000000_' + 'x'.repeat(43));
    await page.click('form[data-form="signin"] button[type="submit"]');
    await page.waitForSelector('form[data-form="signin"] .error:not(:empty)');
    expect(await page.textContent('form[data-form="signin"] .error')).toContain('not valid');
    await shot('01-sign-in');
  });

  it('shows a reader the reports with subject ids, never names, and no privacy or diagnostics pages', async () => {
    await signIn(keys.reader);
    await allReady();
    expect(
      await page.$$eval('nav a', (as: El[]) => as.map((a) => a.getAttribute('data-nav'))),
    ).toEqual(['sspr', 'mfa', 'audit']);
    const text = (await page.textContent('body')) ?? '';
    for (const p of people.values()) {
      expect(text).not.toContain(p.upn);
      if (p.name) expect(text).not.toContain(p.name);
    }
    const shown = await page.$$eval('[data-table="registrations"] .person', (ps: El[]) =>
      ps.map((p) => p.textContent),
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const s of shown) expect(s).toMatch(/^s_[A-Za-z0-9_-]{22}$/);
    // The stored session is the tab's only: nothing in localStorage.
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
    await shot('02-reader-sspr');
    await page.click('[data-action="sign-out"]');
    await page.waitForSelector('form[data-form="signin"]');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("shows each SSPR question with the API's numbers for the same window", async () => {
    await signIn(keys.privacyAdmin);
    expect(
      await page.$$eval('nav a', (as: El[]) => as.map((a) => a.getAttribute('data-nav'))),
    ).toEqual(['sspr', 'mfa', 'audit', 'privacy']);
    await allReady();
    const win = await windowOf();
    const R = '/v1/reports/sspr';

    const count = (await api(`${R}/registered-count`)).count;
    expect(
      int(
        (await page.textContent('[data-card="registered-count"] [data-field="count"] .kpi-value'))!,
      ),
    ).toBe(count);
    expect(count).toBeGreaterThan(10);

    const resets = await api(`${R}/resets?${win}`);
    for (const f of ['users', 'resets', 'selfService', 'byAdmin'])
      expect(
        int((await page.textContent(`[data-card="resets"] [data-field="${f}"] .kpi-value`))!),
      ).toBe(resets[f]);
    expect(resets.resets).toBeGreaterThan(0);

    const perDay = await page.$$eval('[data-table="resets-per-day"] tbody tr', (trs: El[]) =>
      trs.map((tr) => ({
        from: tr.dataset.from!,
        to: tr.dataset.to!,
        cells: Array.from(tr.querySelectorAll('td')).map((td: El) => td.textContent),
      })),
    );
    expect(perDay.length).toBeGreaterThanOrEqual(30);
    let self = 0;
    let admin = 0;
    for (const d of perDay) {
      const r = await api(`${R}/resets?from=${d.from}&to=${d.to}`);
      expect([Number(d.cells[1]), Number(d.cells[2])]).toEqual([r.selfService, r.byAdmin]);
      self += r.selfService;
      admin += r.byAdmin;
    }
    expect([self, admin]).toEqual([resets.selfService, resets.byAdmin]);

    const methods = (await api(`${R}/registered-methods`)).items;
    expect(await rows('[data-table="registered-methods"]')).toEqual(
      methods.map((m: any) => [m.methods.join(' + '), String(m.users)]),
    );
    const resetMethods = (await api(`${R}/reset-methods?${win}`)).items;
    expect(resetMethods.length).toBeGreaterThan(0);
    expect(await rows('[data-table="reset-methods"]')).toEqual(
      resetMethods.map((m: any) => [m.method, String(m.count)]),
    );
    const problems = (await api(`${R}/problems?${win}`)).items;
    expect(problems.length).toBeGreaterThan(0);
    expect(await rows('[data-table="problems"]')).toEqual(
      problems.map((p: any) => [
        `${p.type.replace(/^sspr\./, '')} · ${p.reason ?? '(no reason)'}`,
        String(p.count),
      ]),
    );
    const adminSelf = (await api(`${R}/admin-self-resets?${win}`)).items;
    expect(adminSelf.map((a: any) => a.user)).toContain(
      people.get(oftenResetting.userPrincipalName)!.name,
    );
    expect((await rows('[data-table="admin-self-resets"]')).map((r) => [r[0], r[1], r[2]])).toEqual(
      adminSelf.map((a: any) => [a.user, a.role, String(a.count)]),
    );
    const suspicious = (await api(`${R}/suspicious?${win}`)).items;
    expect(suspicious.length).toBeGreaterThan(0);
    expect((await rows('[data-table="suspicious"]')).map((r) => [r[0], r[1], r[2]])).toEqual(
      suspicious.map((s: any) => [s.user, s.signal, String(s.count)]),
    );

    const policy = (await api(`${R}/policy-changes?${win}&limit=25`)).items;
    expect(policy.map((p: any) => p.status)).toEqual(['Success', 'Failure']);
    const policyRows = await rows('[data-table="policy-changes"]');
    expect(policyRows.map((r) => r.slice(0, 4))).toEqual(
      policy.map((p: any) => [
        shownTime(p.changedAt),
        p.user,
        p.reason ? `${p.status}: ${p.reason}` : p.status,
        p.policy ?? '',
      ]),
    );
    expect(policyRows.map((r) => r[4])).toEqual(
      policy.map((p: any) =>
        p.changes
          .map((c: any) => `${c.property}: ${c.oldValue ?? '(not given)'} → ${c.newValue}`)
          .join(''),
      ),
    );
    expect(policyRows[0][1]).toBe(people.get(oftenResetting.userPrincipalName)!.name);

    const registrations = (await api(`${R}/registrations?limit=1000`)).items;
    expect((await rows('[data-table="registrations"]')).map((r) => [r[0], r[1], r[3]])).toEqual(
      registrations.slice(0, 25).map((r: any) => [r.user, r.role, r.methods.join(', ')]),
    );
    // Names are shown to privacy-admin: they are the display names of the demo people.
    const names = new Set([...people.values()].map((p) => p.name));
    expect(names.has(registrations[0].user)).toBe(true);
    const from = Date.parse(new URLSearchParams(win).get('from')!);
    const to = Date.parse(new URLSearchParams(win).get('to')!);
    const byDay = new Map<string, number>();
    for (const r of registrations) {
      const t = Date.parse(r.registeredAt);
      if (t >= from && t < to)
        byDay.set(r.registeredAt.slice(0, 10), (byDay.get(r.registeredAt.slice(0, 10)) ?? 0) + 1);
    }
    const series = await rows('[data-table="registrations-over-time"]');
    expect(series.filter((r) => r[1] !== '0')).toEqual(
      [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, n]) => [d, String(n)]),
    );
    expect(
      await page.$$eval('[data-chart] canvas', (cs: El[]) => cs.length),
    ).toBeGreaterThanOrEqual(5);
    await shot('03-sspr');

    // CSV download: the API's own CSV of the same window.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-csv="problems"]'),
    ]);
    const file = await download.path();
    const expected = await server.request('GET', `${R}/problems?${win}&format=csv`, {
      key: keys.privacyAdmin,
    });
    expect(download.suggestedFilename()).toBe('sspr-problems.csv');
    expect(readFileSync(file, 'utf8')).toBe(expected.text);
  }, 120_000);

  it("shows the MFA reports with the API's numbers", async () => {
    await go('mfa');
    await allReady();
    const win = await windowOf();
    const attempts = (await api(`/v1/reports/mfa/attempts?${win}`)).items;
    expect(attempts.length).toBeGreaterThan(0);
    expect(await rows('[data-table="attempts-list"]')).toEqual(
      attempts.map((a: any) => [a.method, a.status, String(a.count), String(a.users)]),
    );
    for (const [report, at] of [
      ['blocks', 'blockedAt'],
      ['bypasses', 'grantedAt'],
      ['activations', 'activatedAt'],
      ['changes', 'changedAt'],
    ]) {
      const items = (await api(`/v1/reports/mfa/${report}?${win}&limit=25`)).items;
      const shown = await rows(`[data-table="${report}"]`);
      expect(shown.map((r) => [r[0], r[1]])).toEqual(
        items.map((i: any) => [
          `${i[at].slice(0, 10)} ${i[at].slice(11, 16)} UTC`,
          i.erased ? 'erased' : i.user,
        ]),
      );
    }
    await shot('04-mfa');
  }, 60_000);

  it('searches the audit log with filters and pages, and shows an event on click', async () => {
    await go('audit');
    await page.waitForSelector('[data-results="audit"][data-state="ready"]');
    const win = await windowOf();
    const ids = () =>
      page.$$eval('[data-table="audit"] tbody tr[data-event-id]', (trs: El[]) =>
        trs.map((t) => t.dataset.eventId),
      );
    const first = await api(`/v1/audit-events?${win}&limit=50`);
    expect(await ids()).toEqual(first.items.map((i: any) => i.eventId));

    await page.selectOption('form[data-form="audit"] select[name="service"]', 'sspr');
    await page.selectOption('form[data-form="audit"] select[name="status"]', 'Failure');
    await page.click('form[data-form="audit"] button[type="submit"]');
    await page.waitForSelector('[data-results="audit"][data-state="ready"]');
    const from = await page.inputValue('form[data-form="audit"] input[name="from"]');
    const to = await page.inputValue('form[data-form="audit"] input[name="to"]');
    const q = `service=sspr&status=Failure&from=${from}:00.000Z&to=${to}:00.000Z&limit=50`;
    const failures = await api(`/v1/audit-events?${q}`);
    expect(failures.items.length).toBeGreaterThan(0);
    expect(await ids()).toEqual(failures.items.map((i: any) => i.eventId));

    // Paging: the next page is the API's next page.
    await page.selectOption('form[data-form="audit"] select[name="status"]', '');
    await page.click('form[data-form="audit"] button[type="submit"]');
    await page.waitForSelector('[data-results="audit"][data-state="ready"]');
    const p1 = await api(
      `/v1/audit-events?service=sspr&from=${from}:00.000Z&to=${to}:00.000Z&limit=50`,
    );
    expect(p1.nextCursor).toBeTruthy();
    await page.click('[data-card="audit"] [data-page="next"]');
    await page.waitForFunction(() =>
      document
        .querySelector('[data-card="audit"] [role="status"]')
        ?.textContent?.startsWith('Page 2'),
    );
    const p2 = await api(
      `/v1/audit-events?service=sspr&from=${from}:00.000Z&to=${to}:00.000Z&limit=50&cursor=${encodeURIComponent(p1.nextCursor)}`,
    );
    expect(await ids()).toEqual(p2.items.map((i: any) => i.eventId));

    // A name filter (privacy-admin): every row is that person's.
    const someone = p2.items.find((i: any) => i.actor?.user)!;
    const upn = [...people.values()].find((p) => p.name === someone.actor.user)!.upn;
    await page.fill('form[data-form="audit"] input[name="actor"]', upn);
    await page.click('form[data-form="audit"] button[type="submit"]');
    await page.waitForSelector('[data-results="audit"][data-state="ready"]');
    const mine = await rows('[data-table="audit"]');
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) expect(r[4]).toBe(someone.actor.user);

    await page.click('[data-table="audit"] tbody tr[data-event-id]');
    await page.waitForSelector('[data-detail="audit"]:not([hidden])');
    const detail = (await page.textContent('[data-detail="audit"]')) ?? '';
    const clicked = await page.getAttribute(
      '[data-table="audit"] tbody tr[data-event-id]',
      'data-event-id',
    );
    expect(detail).toContain(clicked);
    await shot('05-audit');
    await page.fill('form[data-form="audit"] input[name="actor"]', '');
  }, 60_000);

  it('erases a person from the form after a confirmation, and they disappear from every page', async () => {
    const registrations = (await api('/v1/reports/sspr/registrations?limit=1000')).items;
    const victim = [...people.values()].find((p) => p.name === registrations[0].user)!;
    const before = (await api(`/v1/audit-events?actor=${encodeURIComponent(victim.upn)}&days=365`))
      .items;
    expect(before.length).toBeGreaterThan(0);

    await go('privacy');
    await allReady();
    await page.fill('form[data-form="export"] input[name="userPrincipalName"]', victim.upn);
    await page.click('form[data-form="export"] button[type="submit"]');
    await page.waitForSelector('[data-confirm="export"]:not([hidden])');
    const [exported] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-confirm-yes="export"]'),
    ]);
    const bundle = JSON.parse(readFileSync(await exported.path(), 'utf8'));
    expect(bundle.events.length).toBeGreaterThanOrEqual(before.length);
    expect(JSON.stringify(bundle)).toContain(victim.upn);
    await page.waitForSelector('[data-result="export"][data-state="done"]');
    await page.fill('form[data-form="erase"] input[name="userPrincipalName"]', victim.upn);
    await page.click('form[data-form="erase"] button[type="submit"]');
    await page.waitForSelector('[data-confirm="erase"]:not([hidden])');
    expect(await page.textContent('[data-confirm="erase"]')).toContain(victim.upn);
    // Nothing happens before the confirmation.
    expect(
      (await api(`/v1/audit-events?actor=${encodeURIComponent(victim.upn)}&days=365`)).items.length,
    ).toBe(before.length);
    await shot('06-erase-confirm');
    await page.click('[data-confirm-yes="erase"]');
    await page.waitForSelector('[data-result="erase"][data-state="done"]');
    const result = (await page.textContent('[data-result="erase"]')) ?? '';
    const subjectId = /s_[A-Za-z0-9_-]{22}/.exec(result)![0];
    expect(bundle.subjectId).toBe(subjectId);
    expect(Number(/: (\d+) events/.exec(result)![1])).toBe(bundle.events.length);
    await allReady();
    expect((await rows('[data-table="erasures"]')).map((r) => [r[0], r[4]])).toEqual([
      [subjectId, 'erased'],
    ]);
    await shot('07-privacy');

    await projector.projector.waitForHead(30_000);
    await go('sspr');
    await allReady();
    await shot('08-sspr-after-erasure');
    const text = (await page.textContent('main')) ?? '';
    expect(text).not.toContain(victim.name);
    expect(text).not.toContain(victim.upn);
    expect(
      await page.$$eval(`[data-subject="${subjectId}"]`, (es: El[]) =>
        es.map((e) => [e.className, e.textContent]),
      ),
    ).toContainEqual(['erased', 'erased']);

    await go('audit');
    await page.waitForSelector('[data-results="audit"][data-state="ready"]');
    await page.fill('form[data-form="audit"] input[name="actor"]', victim.upn);
    await page.click('form[data-form="audit"] button[type="submit"]');
    await page.waitForSelector('[data-results="audit"][data-state="ready"]');
    expect(await rows('[data-table="audit"]')).toEqual([]);
    expect(await page.textContent('main')).not.toContain(victim.name);
  }, 90_000);

  it('offers a tenant admin the diagnostics only, with the counts of the log', async () => {
    await page.click('[data-action="sign-out"]');
    await signIn(BOOTSTRAP_KEY);
    expect(
      await page.$$eval('nav a', (as: El[]) => as.map((a) => a.getAttribute('data-nav'))),
    ).toEqual(['diagnostics']);
    await allReady();
    const bundle = await api('/v1/diagnostics', BOOTSTRAP_KEY);
    const shown = Object.fromEntries(
      (await rows('[data-table="event-counts"]')).map((r) => [r[0], int(r[1])]),
    );
    expect(shown['sspr.Registered']).toBe(
      events.filter((e) => e.type === 'sspr.Registered').length,
    );
    expect(shown).toEqual(bundle.eventCounts.byType);
    await shot('09-diagnostics');
  }, 60_000);
});
