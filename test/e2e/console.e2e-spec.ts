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
  const shownTime = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
  /** Every request the page made, and every answer that was a 404 (none may be). */
  const requested: string[] = [];
  const notFound: string[] = [];

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
    page.on('request', (r) => requested.push(r.url()));
    page.on('response', (r) => {
      if (r.status() === 404) notFound.push(r.url());
    });
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
    // The favicon: linked from the page, served, and /favicon.ico leads to it.
    const icon = await page.getAttribute('link[rel="icon"]', 'href');
    expect(icon).toBe('/console/favicon.svg');
    const svg = await fetch(`${server.url}${icon}`);
    expect([svg.status, svg.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(await svg.text()).toContain('<svg');
    const ico = await fetch(`${server.url}/favicon.ico`, { redirect: 'manual' });
    expect([ico.status, ico.headers.get('location')]).toEqual([301, '/console/favicon.svg']);
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(200);
    expect(requested.some((u) => u.endsWith('/console/favicon.svg'))).toBe(true);
    expect(notFound).toEqual([]);
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
    requested.length = 0;
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
    // The chart came from one request for the whole series, not one per day.
    const paths = requested.map((u) => new URL(u).pathname);
    expect(paths.filter((p) => p === `${R}/resets-over-time`)).toHaveLength(1);
    expect(paths.filter((p) => p === `${R}/resets`)).toHaveLength(1);
    const resetsSeries = await api(`${R}/resets-over-time?${win}`);
    expect(perDay.map((d) => [d.from, d.to])).toEqual(
      resetsSeries.items.map((b: any) => [b.from, b.to]),
    );
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
        items.map((i: any) => [shownTime(i[at]), i.erased ? 'erased' : i.user]),
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
    // The clean-up of the copies outside the log, from the followers' checkpoints.
    expect((await rows('[data-table="erasures"]'))[0][5]).toMatch(
      /^report tables (done|pending), SIEM off$/,
    );
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

  it('offers a tenant admin the tenant page and the diagnostics, with the counts of the log', async () => {
    await page.click('[data-action="sign-out"]');
    await signIn(BOOTSTRAP_KEY);
    expect(
      await page.$$eval('nav a', (as: El[]) => as.map((a) => a.getAttribute('data-nav'))),
    ).toEqual(['tenant', 'diagnostics']);
    await go('diagnostics');
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

  it('lets a tenant admin opt in, make and revoke keys, and schedule and cancel the deletion, each confirmed', async () => {
    const made = await server.request('POST', '/v1/tenants', {
      key: BOOTSTRAP_KEY,
      body: { tenantId: 'console_admin' },
    });
    expect(made.status).toBe(201);
    const admin = made.json.adminKey as string;
    const tenant = async () => (await api('/v1/tenant', admin)) as Record<string, unknown>;
    await page.click('[data-action="sign-out"]');
    await signIn(admin);
    await allReady();
    expect(await page.textContent('[data-card="tenant"] [data-field="tenantId"]')).toBe(
      'console_admin',
    );
    expect(await page.textContent('[data-field="optedIn"]')).toBe('no');

    await page.click('[data-action="opt-in"]');
    await page.waitForSelector(
      '[data-card="tenant"][data-state="ready"] [data-field="optedIn"]:not(:text-is("no"))',
    );
    const optedIn = await tenant();
    expect(optedIn.optedIn).toBe(true);
    expect(await page.textContent('[data-field="optedIn"]')).toBe(
      `yes, ${shownTime(optedIn.optedInAt as string)}`,
    );

    // A key: shown once, it works with the roles chosen, and the list is the API's.
    await page.fill('form[data-form="create-key"] input[name="name"]', 'idp');
    await page.check('form[data-form="create-key"] input[value="producer"]');
    await page.check('form[data-form="create-key"] input[value="reader"]');
    await page.click('form[data-form="create-key"] button[type="submit"]');
    await page.waitForSelector('[data-result="create-key"][data-state="done"]');
    const key = (await page.textContent('[data-new-key]'))!;
    expect(key).toMatch(/^atk_/);
    const keyId = (await page.getAttribute('[data-new-key]', 'data-new-key'))!;
    const whoami = (k: string) => server.request('GET', '/v1/whoami', { key: k });
    expect((await whoami(key)).json.roles).toEqual(['producer', 'reader']);
    const listed = (await api('/v1/keys', admin)).items;
    const ownId = (await whoami(admin)).json.keyId;
    expect(listed.map((k: any) => k.id)).toContain(keyId);
    expect((await rows('[data-table="keys"]')).map((r) => [r[0], r[1], r[2], r[3]])).toEqual(
      listed.map((k: any) => [
        `${k.name || '—'}${k.id === ownId ? ' this key' : ''}`,
        k.id,
        k.roles.join(', '),
        k.revokedAt ? 'revoked' : 'active',
      ]),
    );
    // The form is cleared after use; a key without a role is refused with the API's reason, and nothing is made.
    expect(await page.inputValue('form[data-form="create-key"] input[name="name"]')).toBe('');
    await page.click('form[data-form="create-key"] button[type="submit"]');
    await page.waitForSelector('[data-result="create-key"][data-state="error"]');
    expect(await page.textContent('[data-result="create-key"]')).toContain('/roles');
    expect((await api('/v1/keys', admin)).items).toHaveLength(listed.length);

    // Revoking asks first; only the confirmation revokes.
    await page.click(`[data-action="revoke"][data-key-id="${keyId}"]`);
    await page.waitForSelector(`[data-confirm="revoke-${keyId}"]:not([hidden])`);
    expect((await whoami(key)).status).toBe(200);
    await shot('10-tenant-keys');
    await page.click(`[data-confirm-yes="revoke-${keyId}"]`);
    await page.waitForFunction(
      (id) =>
        document
          .querySelector(`[data-table="keys"] tr[data-key-id="${id}"]`)
          ?.textContent?.includes('revoked') ?? false,
      keyId,
    );
    expect((await whoami(key)).status).toBe(401);

    // Deletion: the tenant id typed again, then a confirmation; and it can be cancelled.
    await page.fill('form[data-form="delete-tenant"] input[name="tenantId"]', 'default');
    await page.click('form[data-form="delete-tenant"] button[type="submit"]');
    await page.waitForSelector('[data-result="tenant"][data-state="error"]');
    expect(await page.isHidden('[data-confirm="delete-tenant"]')).toBe(true);
    await page.fill('form[data-form="delete-tenant"] input[name="tenantId"]', 'console_admin');
    await page.click('form[data-form="delete-tenant"] button[type="submit"]');
    await page.waitForSelector('[data-confirm="delete-tenant"]:not([hidden])');
    expect(await page.textContent('[data-confirm="delete-tenant"]')).toContain('console_admin');
    expect((await tenant()).deletionDueAt).toBeNull();
    await shot('11-tenant-delete-confirm');
    await page.click('[data-confirm-yes="delete-tenant"]');
    await page.waitForSelector('[data-action="cancel-deletion"]');
    const due = (await tenant()).deletionDueAt as string;
    expect(Date.parse(due)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(await page.textContent('[data-field="deletionDueAt"]')).toBe(`due ${shownTime(due)}`);
    await page.click('[data-action="cancel-deletion"]');
    await page.waitForSelector('[data-confirm="cancel-deletion"]:not([hidden])');
    expect((await tenant()).deletionDueAt).toBe(due);
    await page.click('[data-confirm-yes="cancel-deletion"]');
    await page.waitForSelector('form[data-form="delete-tenant"]');
    expect((await tenant()).deletionDueAt).toBeNull();
    expect(await page.textContent('[data-field="deletionDueAt"]')).toBe('none scheduled');
    expect(notFound).toEqual([]);
  }, 90_000);

  it('fits a 390 px phone on every page: no sideways scrolling, header and tables inside the screen, ISO 8601 dates only', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const check = async (name: string) => {
      if (name === 'audit')
        await page.waitForSelector('[data-results="audit"][data-state="ready"]');
      else await allReady();
      const fit = await page.evaluate(() => {
        const d = document as unknown as {
          documentElement: { scrollWidth: number; clientWidth: number };
          querySelectorAll(
            s: string,
          ): ArrayLike<{ getBoundingClientRect(): { left: number; right: number } }>;
        };
        const outside = (s: string) =>
          Array.from(d.querySelectorAll(s)).filter((e) => {
            const r = e.getBoundingClientRect();
            return r.left < -1 || r.right > d.documentElement.clientWidth + 1;
          }).length;
        return {
          scroll: d.documentElement.scrollWidth,
          width: d.documentElement.clientWidth,
          header: outside('header.top, header.top .who, header.top .brand, .card'),
        };
      });
      expect([name, fit.scroll <= fit.width, fit.header]).toEqual([name, true, 0]);
      const text = (await page.textContent('main')) ?? '';
      // No "2026-11-29 19:56 UTC" or locale dates; no date pickers that show the locale's form.
      expect([
        name,
        /\d{4}-\d{2}-\d{2} \d{2}:\d{2}|\d{1,2}\/\d{1,2}\/\d{4}/.exec(text)?.[0],
      ]).toEqual([name, undefined]);
      expect(
        await page.$$eval(
          'input[type="date"], input[type="datetime-local"]',
          (i: El[]) => i.length,
        ),
      ).toBe(0);
      await shot(`12-phone-${name}`);
    };
    await check('tenant');
    await go('diagnostics');
    await check('diagnostics');
    await page.click('[data-action="sign-out"]');
    await signIn(keys.privacyAdmin);
    for (const id of ['sspr', 'mfa', 'audit', 'privacy']) {
      if (id !== 'sspr') await go(id);
      await check(id);
    }
    // The menu scrolls on its own row: every page can be reached.
    for (const id of ['sspr', 'mfa', 'audit', 'privacy']) await go(id);
    expect(notFound).toEqual([]);
    await page.setViewportSize({ width: 1400, height: 1000 });
  }, 120_000);
});
