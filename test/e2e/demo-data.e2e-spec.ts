import { reportCatalog } from '@authtrail/reporting';
import { demoEvents } from '../../apps/cli/src/commands/demo-data';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

/**
 * `authtrail demo` posts these events: every report of the registry has something to
 * show, and every person's records carry that person's own details, not one person's
 * name, email and phone for everyone.
 */
describe('demo data (whole app over HTTP)', () => {
  const events = demoEvents({ people: 50, days: 30, now: new Date() });
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let running: RunningProjector;

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
    for (let i = 0; i < events.length; i += 1000) {
      const res = await server.request('POST', '/v1/events', {
        key: keys.producer,
        body: events.slice(i, i + 1000),
      });
      if (res.status !== 202) throw new Error(`demo ingest: ${res.status} ${res.text}`);
    }
    running = await startProjector(server.app);
    await running.projector.waitForHead(60_000);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await server?.close();
  });

  it('every registry report answers with something', async () => {
    const empty: string[] = [];
    for (const r of reportCatalog()) {
      const res = await server.request('GET', r.path, { key: keys.reader });
      expect([r.path, res.status]).toEqual([r.path, 200]);
      const b = res.json as Record<string, unknown>;
      const hasData = Array.isArray(b.items)
        ? b.items.length > 0
        : Object.entries(b).some(
            ([k, v]) => k !== 'from' && k !== 'to' && typeof v === 'number' && v > 0,
          );
      if (!hasData) empty.push(r.path);
    }
    expect(empty).toEqual([]);
  });

  it('MFA attempts use every method and some fail', async () => {
    const { items } = (
      await server.request('GET', '/v1/reports/mfa/attempts', { key: keys.reader })
    ).json as { items: { method: string; status: string }[] };
    expect(new Set(items.map((i) => i.method))).toEqual(
      new Set(['MobileApp', 'PhoneCall', 'TextMessage', 'OathToken']),
    );
    expect(items.some((i) => i.status === 'Failure')).toBe(true);
  });

  it("each person's records carry their own name, email and phone", async () => {
    const byPerson = new Map<string, Set<string>>();
    const owners = new Map<string, Set<string>>();
    const note = (upn: string, value: unknown) => {
      if (typeof value !== 'string') return;
      byPerson.set(upn, (byPerson.get(upn) ?? new Set()).add(value));
      owners.set(value, (owners.get(value) ?? new Set()).add(upn));
    };
    for (const e of events) {
      if (!e.type.startsWith('mfa.')) continue;
      const d = e.details as Record<string, unknown>;
      const upn = e.target!.userPrincipalName;
      for (const k of ['emailAddress', 'primaryCallPhoneNumber', 'phoneNumber', 'newPhoneNumber'])
        note(upn, d[k]);
      if (typeof d.emailAddress === 'string') expect(d.emailAddress).toBe(upn);
    }
    expect(byPerson.size).toBe(50);
    // No email or phone number belongs to two people.
    expect([...owners.entries()].filter(([, who]) => who.size > 1)).toEqual([]);

    // And as stored: one person's export holds only their own details.
    const someone = events.find((e) => e.type === 'mfa.AuthenticationAttempted')!;
    const upn = someone.target!.userPrincipalName;
    const exported = await server.request('POST', '/v1/subjects/export', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: upn },
    });
    expect(exported.status).toBe(200);
    const others = [...byPerson.entries()].filter(([u]) => u !== upn).flatMap(([, v]) => [...v]);
    for (const value of others) expect(exported.text).not.toContain(`"${value}"`);
    expect(exported.text).toContain(`"${[...byPerson.get(upn)!][0]}"`);
  });
});
