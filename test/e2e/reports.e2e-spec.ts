import type { ProducerEvent } from '@authtrail/catalog';
import { ACCESS_EVENT, TENANT_EVENT } from '@authtrail/catalog';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { GeneratedPerson, mixedTraffic } from '../bench/mixed-traffic';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SELF = 'sspr.PasswordResetSelfService';
const BY_ADMIN = 'sspr.PasswordResetByAdmin';
const FLOW = 'sspr.ResetFlowProgressed';

/**
 * Every report's answer, computed here from the generated events with API.md's
 * definitions, against what the API answers after the projector caught up.
 */
describe('reports and the audit query (whole app over HTTP)', () => {
  const now = new Date();
  const { people, events } = mixedTraffic({ people: 90, days: 20, now, seed: 2026 });
  const person = new Map<string, GeneratedPerson>(people.map((p) => [p.userPrincipalName, p]));
  const nameOf = (e: ProducerEvent, who: 'actor' | 'target') =>
    person.get(e[who]!.userPrincipalName)!.displayName;
  const ms = (e: ProducerEvent) => Date.parse(e.occurredAt);
  const from = new Date(now.getTime() - 30 * DAY);
  const to = new Date(now.getTime() + 60_000);
  const win = `from=${from.toISOString()}&to=${to.toISOString()}`;
  const inWindow = (e: ProducerEvent, f = from, t = to) =>
    ms(e) >= f.getTime() && ms(e) < t.getTime();
  const sspr = events.filter((e) => e.type.startsWith('sspr.'));

  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let running: RunningProjector;

  const get = async (path: string, key?: string) => {
    const res = await server.request('GET', path, { key: key ?? keys.privacyAdmin });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
    return res.json;
  };
  const sortBy = <T>(xs: T[], key: (x: T) => string) =>
    [...xs].sort((a, b) => key(a).localeCompare(key(b)));

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
    for (let i = 0; i < events.length; i += 1000) {
      const res = await server.request('POST', '/v1/events', {
        key: keys.producer,
        body: events.slice(i, i + 1000),
      });
      if (res.status !== 202) throw new Error(`ingest: ${res.status} ${res.text}`);
    }
    running = await startProjector(server.app);
    await running.projector.waitForHead(60_000);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await server?.close();
  });

  // ---- expected answers ------------------------------------------------------------

  function latestRegistrations() {
    const latest = new Map<string, { e: ProducerEvent; i: number }>();
    events.forEach((e, i) => {
      if (e.type !== 'sspr.Registered') return;
      const upn = e.target!.userPrincipalName;
      const cur = latest.get(upn);
      if (!cur || ms(e) > ms(cur.e) || (ms(e) === ms(cur.e) && i > cur.i))
        latest.set(upn, { e, i });
    });
    return [...latest.values()].map((x) => x.e).filter((e) => e.result.status === 'Success');
  }

  function adminSelfResets(f = from, t = to, min = 3) {
    const by = new Map<string, ProducerEvent[]>();
    for (const e of sspr) {
      if (e.type !== SELF || e.result.status !== 'Success' || !inWindow(e, f, t)) continue;
      if (
        e.actor!.userPrincipalName !== e.target!.userPrincipalName ||
        !e.target!.role!.endsWith('Administrator')
      )
        continue;
      by.set(nameOf(e, 'target'), [...(by.get(nameOf(e, 'target')) ?? []), e]);
    }
    return [...by.entries()]
      .filter(([, es]) => es.length >= min)
      .map(([user, es]) => ({
        user,
        role: es[es.length - 1].target!.role,
        count: es.length,
        firstAt: es[0].occurredAt,
        lastAt: es[es.length - 1].occurredAt,
      }));
  }

  /** Peak number of a person's events in any [t, t + span), with the first and last instant of that peak. */
  function bursts(
    selected: ProducerEvent[],
    spanMs: number,
    qualifies: (n: number) => boolean,
    signal: string,
  ) {
    const by = new Map<string, number[]>();
    for (const e of selected)
      by.set(nameOf(e, 'actor'), [...(by.get(nameOf(e, 'actor')) ?? []), ms(e)]);
    const out = [];
    for (const [user, times] of by) {
      times.sort((a, b) => a - b);
      let best = { n: 0, first: 0, last: 0 };
      for (let i = 0; i < times.length; i++) {
        const inSpan = times.filter((t) => t >= times[i] && t < times[i] + spanMs);
        if (inSpan.length > best.n)
          best = { n: inSpan.length, first: times[i], last: Math.max(...inSpan) };
      }
      if (qualifies(best.n))
        out.push({
          user,
          signal,
          count: best.n,
          firstAt: new Date(best.first).toISOString(),
          lastAt: new Date(best.last).toISOString(),
        });
    }
    return out;
  }

  function suspicious() {
    const windowed = sspr.filter((e) => inWindow(e));
    const blocked = new Map<string, ProducerEvent[]>();
    for (const e of windowed.filter((x) => x.type === 'sspr.BlockedFromReset'))
      blocked.set(nameOf(e, 'target'), [...(blocked.get(nameOf(e, 'target')) ?? []), e]);
    return [
      ...[...blocked.entries()].map(([user, es]) => ({
        user,
        signal: 'blocked',
        count: es.length,
        firstAt: es[0].occurredAt,
        lastAt: es[es.length - 1].occurredAt,
      })),
      ...bursts(
        windowed.filter((e) => e.type === SELF || e.type === FLOW),
        DAY,
        (n) => n > 5,
        'reset-attempts',
      ),
      ...bursts(
        windowed.filter((e) => e.result.status === 'Failure'),
        HOUR,
        (n) => n >= 10,
        'failure-burst',
      ),
      ...adminSelfResets().map(({ user, count, firstAt, lastAt }) => ({
        user,
        signal: 'admin-self-reset',
        count,
        firstAt,
        lastAt,
      })),
    ];
  }

  function countBy<T>(xs: T[], key: (x: T) => string): Map<string, number> {
    const m = new Map<string, number>();
    for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
    return m;
  }

  async function allPages(path: string, key?: string): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const body = await get(
        `${path}${sep}limit=37${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        key,
      );
      items.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    return items;
  }

  async function everyAnswer() {
    return {
      count: await get('/v1/reports/sspr/registered-count'),
      registrations: await allPages('/v1/reports/sspr/registrations'),
      methods: await get('/v1/reports/sspr/registered-methods'),
      resets: (({ from: _f, to: _t, ...counts }) => counts)(await get('/v1/reports/sspr/resets')),
      resetMethods: (await get(`/v1/reports/sspr/reset-methods?${win}`)).items,
      problems: (await get(`/v1/reports/sspr/problems?${win}`)).items,
      adminSelfResets: (await get(`/v1/reports/sspr/admin-self-resets?${win}`)).items,
      suspicious: (await get(`/v1/reports/sspr/suspicious?${win}`)).items,
      attempts: (await get(`/v1/reports/mfa/attempts?${win}`)).items,
      blocks: await allPages(`/v1/reports/mfa/blocks?${win}`),
      bypasses: await allPages(`/v1/reports/mfa/bypasses?${win}`),
      activations: await allPages(`/v1/reports/mfa/activations?${win}`),
      changes: await allPages(`/v1/reports/mfa/changes?${win}`),
      // authtrail's own records (e.g. this very query, audited) are left out: they grow.
      audit: (await allPages(`/v1/audit-events?${win}`)).filter(
        (a: any) => a.service === 'sspr' || a.service === 'mfa',
      ),
    };
  }

  // ---- the reports -----------------------------------------------------------------

  it('generated traffic that exercises every signal', () => {
    expect(events.length).toBeGreaterThan(700);
    expect(
      suspicious()
        .map((s) => s.signal)
        .sort(),
    ).toEqual(
      expect.arrayContaining(['admin-self-reset', 'blocked', 'failure-burst', 'reset-attempts']),
    );
  });

  it("registered-count, registrations and registered-methods follow each person's latest registration", async () => {
    const registered = latestRegistrations();
    expect(await get('/v1/reports/sspr/registered-count')).toEqual({ count: registered.length });

    const items = await allPages('/v1/reports/sspr/registrations');
    const expected = registered.map((e) => ({
      user: nameOf(e, 'target'),
      erased: false,
      role: e.target!.role,
      registeredAt: e.occurredAt,
      methods: [...(e.details!.methods as string[])].sort(),
    }));
    expect(
      sortBy(
        items.map(({ subjectId: _s, ...rest }) => rest),
        (x) => x.user,
      ),
    ).toEqual(sortBy(expected, (x) => x.user));
    // Newest first across pages.
    expect(items.map((i) => i.registeredAt)).toEqual(
      [...items.map((i) => i.registeredAt)].sort().reverse(),
    );

    const sets = countBy(registered, (e) => [...(e.details!.methods as string[])].sort().join('+'));
    const methods = (await get('/v1/reports/sspr/registered-methods')).items;
    expect(sortBy(methods, (m: any) => m.methods.join('+'))).toEqual(
      sortBy(
        [...sets].map(([k, users]) => ({ methods: k.split('+'), users })),
        (m) => m.methods.join('+'),
      ),
    );
  });

  it('resets (default: last 7 days) counts successful self-service and admin resets and distinct people', async () => {
    const week = new Date(now.getTime() - 7 * DAY);
    const ok = sspr.filter(
      (e) =>
        (e.type === SELF || e.type === BY_ADMIN) &&
        e.result.status === 'Success' &&
        inWindow(e, week, to),
    );
    const body = await get('/v1/reports/sspr/resets');
    expect({
      users: body.users,
      resets: body.resets,
      selfService: body.selfService,
      byAdmin: body.byAdmin,
    }).toEqual({
      users: new Set(ok.map((e) => e.target!.userPrincipalName)).size,
      resets: ok.length,
      selfService: ok.filter((e) => e.type === SELF).length,
      byAdmin: ok.filter((e) => e.type === BY_ADMIN).length,
    });
    expect(body.resets).toBeGreaterThan(0);
  });

  it('reset-methods and problems', async () => {
    const methods = countBy(
      sspr
        .filter((e) => e.type === SELF && e.result.status === 'Success' && inWindow(e))
        .flatMap((e) => e.details!.methods as string[]),
      (m) => m,
    );
    const got = (await get(`/v1/reports/sspr/reset-methods?${win}`)).items;
    expect(sortBy(got, (x: any) => x.method)).toEqual(
      sortBy(
        [...methods].map(([method, count]) => ({ method, count })),
        (x) => x.method,
      ),
    );
    expect(got.map((x: any) => x.count)).toEqual(
      [...got.map((x: any) => x.count)].sort((a, b) => b - a),
    );

    const problems = countBy(
      sspr.filter((e) => e.result.status === 'Failure' && inWindow(e)),
      (e) => `${e.type}|${e.result.reason ?? ''}`,
    );
    const gotProblems = (await get(`/v1/reports/sspr/problems?${win}`)).items;
    expect(sortBy(gotProblems, (x: any) => `${x.type}|${x.reason}`)).toEqual(
      sortBy(
        [...problems].map(([k, count]) => ({
          type: k.split('|')[0],
          reason: k.split('|')[1] || null,
          count,
        })),
        (x) => `${x.type}|${x.reason}`,
      ),
    );
  });

  it('admin-self-resets and suspicious activity', async () => {
    const admins = (await get(`/v1/reports/sspr/admin-self-resets?${win}`)).items;
    expect(
      sortBy(
        admins.map(({ subjectId: _s, erased: _e, ...rest }: any) => rest),
        (x: any) => x.user,
      ),
    ).toEqual(sortBy(adminSelfResets(), (x) => x.user));
    expect(adminSelfResets().length).toBeGreaterThan(0);
    const fewer = (await get(`/v1/reports/sspr/admin-self-resets?${win}&min=5`)).items;
    expect(fewer.length).toBe(adminSelfResets(from, to, 5).length);

    const got = (await get(`/v1/reports/sspr/suspicious?${win}`)).items;
    const key = (x: any) => `${x.signal}|${x.user}`;
    expect(
      sortBy(
        got.map(({ subjectId: _s, erased: _e, ...rest }: any) => rest),
        key,
      ),
    ).toEqual(sortBy(suspicious(), key));

    // The most frequent first, `limit` of them; `total` counts every item.
    const all = await get(`/v1/reports/sspr/suspicious?${win}`);
    expect(all.total).toBe(suspicious().length);
    expect(all.total).toBeGreaterThan(2);
    expect(all.items.map((x: any) => x.count)).toEqual(
      [...all.items.map((x: any) => x.count)].sort((a, b) => b - a),
    );
    const top = await get(`/v1/reports/sspr/suspicious?${win}&limit=2`);
    expect(top.total).toBe(all.total);
    expect(top.items).toEqual(all.items.slice(0, 2));
    const bad = await server.request('GET', `/v1/reports/sspr/suspicious?${win}&limit=0`, {
      key: keys.reader,
    });
    expect(bad.status).toBe(422);
    expect(bad.json.errors.map((e: any) => e.path)).toEqual(['limit']);
  });

  it('MFA: attempts by method and result; blocks, bypasses, activations and changes', async () => {
    const mfa = events.filter((e) => e.type.startsWith('mfa.') && inWindow(e));
    const attempts = mfa.filter((e) => e.type === 'mfa.AuthenticationAttempted');
    const groups = new Map<string, ProducerEvent[]>();
    for (const e of attempts) {
      const k = `${String(e.details!.authenticationMethod)}|${e.result.status}`;
      groups.set(k, [...(groups.get(k) ?? []), e]);
    }
    const got = (await get(`/v1/reports/mfa/attempts?${win}`)).items;
    expect(sortBy(got, (x: any) => `${x.method}|${x.status}`)).toEqual(
      sortBy(
        [...groups].map(([k, es]) => ({
          method: k.split('|')[0],
          status: k.split('|')[1],
          count: es.length,
          users: new Set(es.map((e) => e.target!.userPrincipalName)).size,
        })),
        (x) => `${x.method}|${x.status}`,
      ),
    );
    // Older attempts (inside MFA retention) appear with a longer window only.
    const longer = (await get('/v1/reports/mfa/attempts?days=89')).items.reduce(
      (n: number, x: any) => n + x.count,
      0,
    );
    expect(longer).toBe(
      events.filter(
        (e) => e.type === 'mfa.AuthenticationAttempted' && ms(e) >= now.getTime() - 89 * DAY,
      ).length,
    );
    expect(longer).toBeGreaterThan(attempts.length);

    const blocks = await allPages(`/v1/reports/mfa/blocks?${win}`);
    const expectedBlocks = mfa.filter((e) => e.type === 'mfa.UserBlocked');
    expect(
      sortBy(
        blocks.map(
          (b: any) => `${b.eventId}|${b.user}|${b.kind}|${b.state}|${b.blockedBy?.user ?? ''}`,
        ),
        (x) => x,
      ),
    ).toEqual(
      sortBy(
        expectedBlocks.map(
          (e) =>
            `${e.eventId}|${nameOf(e, 'target')}|${e.details!.fraudAlert ? 'fraud-alert' : 'block'}|${e.details!.completedAt ? 'completed' : 'active'}|${e.actor ? person.get(e.actor.userPrincipalName)!.displayName : ''}`,
        ),
        (x) => x,
      ),
    );
    for (const [path, type] of [
      ['bypasses', 'mfa.BypassGranted'],
      ['activations', 'mfa.AppActivated'],
      ['changes', 'mfa.UserChanged'],
    ]) {
      const items = await allPages(`/v1/reports/mfa/${path}?${win}`);
      const expected = mfa.filter((e) => e.type === type);
      expect(
        sortBy(
          items.map((i: any) => `${i.eventId}|${i.user}`),
          (x) => x,
        ),
      ).toEqual(
        sortBy(
          expected.map((e) => `${e.eventId}|${nameOf(e, 'target')}`),
          (x) => x,
        ),
      );
    }
    const changes = await allPages(`/v1/reports/mfa/changes?${win}`);
    const withPin = mfa.filter(
      (e) => e.type === 'mfa.UserChanged' && e.details!.newPin !== undefined,
    ).length;
    expect(changes.filter((c: any) => c.pinChanged === true)).toHaveLength(withPin);
    expect(JSON.stringify(changes)).not.toContain('482915');
  });

  it('audit-events: every event of the window once across cursor pages, with filters', async () => {
    const all = (await allPages(`/v1/audit-events?${win}`)).filter(
      (a: any) => a.service === 'sspr' || a.service === 'mfa',
    );
    const expected = events.filter((e) => inWindow(e));
    expect(all).toHaveLength(expected.length);
    expect(new Set(all.map((a: any) => a.eventId)).size).toBe(expected.length);

    const failedMfa = await allPages(`/v1/audit-events?${win}&service=mfa&status=Failure`);
    expect(failedMfa).toHaveLength(
      expected.filter((e) => e.type.startsWith('mfa.') && e.result.status === 'Failure').length,
    );

    const someone = people[4];
    const theirs = await allPages(
      `/v1/audit-events?${win}&target=${encodeURIComponent(someone.userPrincipalName)}&type=${FLOW},${SELF}`,
    );
    expect(theirs).toHaveLength(
      expected.filter(
        (e) =>
          e.target?.userPrincipalName === someone.userPrincipalName &&
          (e.type === FLOW || e.type === SELF),
      ).length,
    );
    expect(theirs.every((a: any) => a.target.user === someone.displayName)).toBe(true);
    const byId = await allPages(
      `/v1/audit-events?${win}&targetId=${theirs[0].target.subjectId}&type=${FLOW},${SELF}`,
      keys.reader,
    );
    expect(byId.map((a: any) => a.eventId).sort()).toEqual(
      theirs.map((a: any) => a.eventId).sort(),
    );

    // A name filter is for privacy admins only; an unknown name finds nothing.
    expect(
      (
        await server.request(
          'GET',
          `/v1/audit-events?target=${encodeURIComponent(someone.userPrincipalName)}`,
          { key: keys.reader },
        )
      ).status,
    ).toBe(403);
    expect((await get('/v1/audit-events?actor=nobody%40contoso.example')).items).toEqual([]);
  });

  it('readers see subject ids, never names; producers and other tenants see nothing', async () => {
    const asReader = await server.request('GET', '/v1/reports/sspr/registrations?limit=1000', {
      key: keys.reader,
    });
    expect(asReader.status).toBe(200);
    expect(
      asReader.json.items.every((i: any) => i.user === i.subjectId && /^s_/.test(i.user)),
    ).toBe(true);
    const audit = await server.request('GET', `/v1/audit-events?${win}&limit=1000`, {
      key: keys.reader,
    });
    for (const p of people.slice(0, 20)) {
      expect(asReader.text).not.toContain(p.displayName);
      expect(audit.text).not.toContain(p.userPrincipalName);
    }
    expect(
      (await server.request('GET', '/v1/reports/sspr/registered-count', { key: keys.producer }))
        .status,
    ).toBe(403);
    expect(
      (await server.request('GET', '/v1/reports/sspr/registered-count', { key: null })).status,
    ).toBe(401);
    const other = await server.request('POST', '/v1/tenants', { body: { tenantId: 'acme' } });
    expect(other.status).toBe(201);
    const otherReader = await server.request('POST', '/v1/keys', {
      key: other.json.adminKey,
      body: { roles: ['reader'] },
    });
    expect(otherReader.status).toBe(201);
    expect(await get('/v1/reports/sspr/registered-count', otherReader.json.key)).toEqual({
      count: 0,
    });
  });

  /** The `#` heading, the header row and the data rows of a CSV answer. */
  const csvParts = (text: string) => {
    const lines = text.trimEnd().split('\r\n');
    const heading = lines.filter((l) => l.startsWith('#'));
    return { heading, header: lines[heading.length], rows: lines.slice(heading.length + 1) };
  };

  it('CSV with ?format=csv: the heading, a header and one line per item', async () => {
    const res = await server.request(
      'GET',
      `/v1/reports/sspr/registrations?format=csv&limit=1000`,
      { key: keys.privacyAdmin },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const { heading, header, rows } = csvParts(res.text);
    expect(heading.slice(0, 3)).toEqual([
      '# authtrail sspr/registrations: Who has registered? (user, role, date and time, data registered)',
      '# window: none (current state)',
      '# filters: none',
    ]);
    expect(header).toBe('user,subjectId,erased,role,registeredAt,methods');
    expect(rows).toHaveLength(latestRegistrations().length);
    const resets = await server.request('GET', '/v1/reports/sspr/resets?format=csv', {
      key: keys.reader,
    });
    expect(csvParts(resets.text).header).toBe('users,resets,selfService,byAdmin');
  });

  it('the registry lists every report; each answers at its path with its columns as the CSV header', async () => {
    const { items } = await get('/v1/reports', keys.reader);
    expect(items.map((r: { path: string }) => r.path)).toEqual([
      ...[
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
      ].map((n) => `/v1/reports/sspr/${n}`),
      ...['attempts', 'blocks', 'bypasses', 'activations', 'changes'].map(
        (n) => `/v1/reports/mfa/${n}`,
      ),
    ]);
    for (const r of items as { path: string; title: string; columns: string[] }[]) {
      expect(r.title.length).toBeGreaterThan(10);
      const csv = await server.request('GET', `${r.path}?format=csv`, { key: keys.reader });
      expect([r.path, csv.status]).toEqual([r.path, 200]);
      expect([r.path, csvParts(csv.text).header]).toEqual([r.path, r.columns.join(',')]);
    }
    expect((await server.request('GET', '/v1/reports', { key: keys.producer })).status).toBe(403);
  });

  it('bad parameters: 422 problem+json naming each parameter', async () => {
    const res = await server.request(
      'GET',
      '/v1/reports/sspr/resets?days=abc&from=yesterday&colour=red',
      { key: keys.reader },
    );
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json.errors.map((e: any) => e.path).sort()).toEqual(['colour', 'days', 'from']);
    const both = await server.request('GET', `/v1/reports/mfa/attempts?days=3&${win}`, {
      key: keys.reader,
    });
    expect(both.status).toBe(422);
    expect(both.json.errors.map((e: any) => e.path)).toContain('days');
    expect(
      (await server.request('GET', '/v1/audit-events?cursor=bogus', { key: keys.reader })).json
        .errors[0].path,
    ).toBe('cursor');
    expect(
      (await server.request('GET', '/v1/audit-events?type=sspr.Nope', { key: keys.reader })).status,
    ).toBe(422);
    expect(
      (await server.request('GET', '/v1/reports/sspr/nope', { key: keys.reader })).status,
    ).toBe(404);
  });

  it('erasure: lists show the person as erased, counts keep the anonymous facts', async () => {
    const admin = adminSelfResets()[0];
    const upn = people.find((p) => p.displayName === admin.user)!.userPrincipalName;
    const before = await everyAnswer();
    const erased = await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: upn },
    });
    expect(erased.status).toBe(200);
    await running.projector.waitForHead(30_000);
    const after = await everyAnswer();
    expect(after.count).toEqual(before.count);
    expect(after.resets).toEqual(before.resets);
    expect(after.problems).toEqual(before.problems);
    const row = after.adminSelfResets.find((i: any) => i.subjectId === erased.json.subjectId);
    expect(row).toMatchObject({ user: null, erased: true, count: admin.count });
    expect(JSON.stringify(after)).not.toContain(admin.user);
    expect(after.suspicious.length).toBe(before.suspicious.length);
  }, 30_000);

  it("lists authtrail's own records too: tenant actions, key changes and audited reads of names", async () => {
    // A privacy admin reads names: that read is itself recorded.
    const regs = await get('/v1/reports/sspr/registrations');
    expect(regs.items.length).toBeGreaterThan(0);
    await running.projector.waitForHead(30_000);
    const tenantRecords = await allPages('/v1/audit-events?service=tenant&days=1');
    expect(tenantRecords.map((r: any) => r.type)).toEqual(
      expect.arrayContaining([TENANT_EVENT.optedIn, TENANT_EVENT.apiKeyCreated]),
    );
    const access = await allPages('/v1/audit-events?service=access&days=1');
    expect(access.length).toBeGreaterThan(0);
    expect(access[0]).toMatchObject({
      type: ACCESS_EVENT.personalDataRead,
      service: 'access',
      details: { resource: expect.stringMatching(/^GET \/v1\//), people: expect.any(Number) },
    });
    for (const e of events.slice(0, 50)) {
      const upn = (e as any).target?.userPrincipalName as string | undefined;
      if (upn) expect(JSON.stringify(access)).not.toContain(upn);
    }
  });

  it('exposes the projector lag in /metrics', async () => {
    await running.projector.waitForHead(30_000);
    const metrics = await server.request('GET', '/metrics', { key: null });
    expect(metrics.text).toMatch(/authtrail_worker_lag_events\{worker="projector"\} 0\b/);
  });

  it('a replay from position zero gives the same answers', async () => {
    const before = await everyAnswer();
    await running.stop();
    await running.projector.rebuild();
    expect(await everyAnswer()).toEqual(before);
    running = await startProjector(server.app);
  }, 60_000);
});
