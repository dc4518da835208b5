import { randomUUID } from 'node:crypto';
import { exampleEvent } from '@authtrail/catalog';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

interface AccessItem {
  eventId: string;
  type: string;
  details: { actorKeyId?: string };
}

/**
 * Every read of names is audited, so a privacy admin's audit view fills with their own
 * reads; `hideOwnAccess=true` leaves out the access records of their own key, and only those.
 */
describe('audit view: hiding your own access records (whole app over HTTP)', () => {
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let other: string;
  let running: RunningProjector;
  const keyIdOf = (key: string) => /^atk_([^_]+)_/.exec(key)![1];

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
    other = (
      await server.request('POST', '/v1/keys', { body: { roles: ['privacy-admin'], name: 'b' } })
    ).json.key as string;
    const res = await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [exampleEvent('sspr.Registered', { eventId: randomUUID() })],
    });
    if (res.status !== 202) throw new Error(`ingest: ${res.status} ${res.text}`);
    running = await startProjector(server.app);
    await running.projector.waitForHead(60_000);
    // Both admins read names: each read is an access record naming the reader's key.
    for (const key of [keys.privacyAdmin, other, keys.privacyAdmin])
      await server.request('GET', '/v1/reports/sspr/registrations', { key });
    await running.projector.waitForHead(60_000);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await server?.close();
  });

  const access = async (query: string) => {
    const res = await server.request('GET', `/v1/audit-events?service=access${query}`, {
      key: keys.privacyAdmin,
    });
    expect(res.status).toBe(200);
    return res.json.items as AccessItem[];
  };

  it("leaves out the caller's own access records and keeps everyone else's", async () => {
    const mine = keyIdOf(keys.privacyAdmin);
    const theirs = keyIdOf(other);
    const all = await access('');
    expect(all.filter((i) => i.details.actorKeyId === mine).length).toBeGreaterThanOrEqual(2);
    expect(all.filter((i) => i.details.actorKeyId === theirs)).toHaveLength(1);
    const hidden = await access('&hideOwnAccess=true');
    expect(hidden.filter((i) => i.details.actorKeyId === mine)).toEqual([]);
    expect(hidden.map((i) => i.eventId).sort()).toEqual(
      all
        .filter((i) => i.details.actorKeyId !== mine)
        .map((i) => i.eventId)
        .sort(),
    );
  });

  it('refuses a value other than true or false', async () => {
    const res = await server.request('GET', '/v1/audit-events?hideOwnAccess=yes', {
      key: keys.privacyAdmin,
    });
    expect(res.status).toBe(422);
    expect(res.json.errors[0].path).toBe('hideOwnAccess');
  });
});
