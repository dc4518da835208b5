import { randomUUID } from 'node:crypto';
import { exampleEvent } from '@authtrail/catalog';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { RetentionService } from '@authtrail/runtime';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { startSealer } from '../../apps/worker/src/sealer/sealer.job';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

const DAY = 86_400_000;

/**
 * Retention on occurredAt (MFA 90 days, SSPR 365): the job deletes what is past its
 * window from the log, keeps the hashes so seals still verify, and reports agree with
 * the log afterwards. Time is an injected clock moved forward.
 */
describe('retention', () => {
  let now = Date.now();
  const clock = { now: () => new Date(now) };
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let store: EventStore;
  let projector: RunningProjector;

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    keys = await prepareTenant(server);
    store = server.app.get<EventStore>(EVENT_STORE);
    projector = await startProjector(server.app);
  });
  afterAll(async () => {
    await projector.stop();
    await server.close();
  });

  const at = (msAgo: number) => new Date(now - msAgo).toISOString();
  const attempts = async () => {
    await projector.projector.waitForHead(30_000);
    const r = await server.request('GET', '/v1/reports/mfa/attempts?days=365', {
      key: keys.reader,
    });
    expect(r.status).toBe(200);
    return (r.json.items as { count: number }[]).reduce((n, i) => n + i.count, 0);
  };
  const changes = async () => {
    const r = await server.request('GET', '/v1/reports/sspr/problems?days=365', {
      key: keys.reader,
    });
    return (r.json.items as { count: number }[]).reduce((n, i) => n + i.count, 0);
  };
  const logCount = async (prefix: string) =>
    (await store.readAll({ after: 0, limit: 100_000, tenantId: 'default' })).filter((e) =>
      e.type.startsWith(prefix),
    ).length;

  it('prunes MFA events after 90 days, keeps SSPR for a year; reports, log and seals agree', async () => {
    const mfa = Array.from({ length: 5 }, () =>
      exampleEvent('mfa.AuthenticationAttempted', { eventId: randomUUID(), occurredAt: at(DAY) }),
    );
    const sspr = Array.from({ length: 3 }, () =>
      exampleEvent('sspr.PasswordChanged', {
        eventId: randomUUID(),
        occurredAt: at(DAY),
        result: { status: 'Failure', reason: 'FuzzyPolicyViolationInvalidPassword' },
      }),
    );
    expect(
      (await server.request('POST', '/v1/events', { key: keys.producer, body: [...mfa, ...sspr] }))
        .status,
    ).toBe(202);
    const sealer = startSealer(server.app);
    await sealer.stop(); // seals the tail
    expect(await attempts()).toBe(5);
    expect(await changes()).toBe(3);
    const retention = server.app.get(RetentionService);
    expect(await retention.run()).toEqual({ mfa: 0, sspr: 0, access: 0 });

    now += 91 * DAY;
    // Reports drop what is past retention at once (the same cutoff as the log's).
    expect(await attempts()).toBe(0);
    expect(await retention.run()).toMatchObject({ mfa: 5, sspr: 0 });
    expect(await logCount('mfa.')).toBe(0);
    expect(await logCount('sspr.')).toBe(3);
    expect(await attempts()).toBe(0);
    expect(await changes()).toBe(3);

    // Seals over the pruned events still verify, through the kept hashes.
    const verify = await server.request('GET', '/v1/ledger/verify', { key: keys.reader });
    expect(verify.status).toBe(200);
    expect(verify.json.ok).toBe(true);

    // New events after pruning are sealed and verified as usual.
    const fresh = exampleEvent('mfa.AuthenticationAttempted', {
      eventId: randomUUID(),
      occurredAt: at(DAY),
    });
    expect(
      (await server.request('POST', '/v1/events', { key: keys.producer, body: [fresh] })).status,
    ).toBe(202);
    const again = startSealer(server.app);
    await again.stop();
    expect((await server.request('GET', '/v1/ledger/verify', { key: keys.reader })).json.ok).toBe(
      true,
    );
    expect(await attempts()).toBe(1);

    now += 300 * DAY;
    expect(await retention.run()).toMatchObject({ mfa: 1, sspr: 3 });
    expect(await logCount('sspr.')).toBe(0);
    expect(await changes()).toBe(0);
    expect((await server.request('GET', '/v1/ledger/verify', { key: keys.reader })).json.ok).toBe(
      true,
    );
  }, 120_000);

  it('takes configured windows: ingest refuses and the job prunes by them', async () => {
    const t0 = Date.now();
    let t = t0;
    const short = await startTestServer(
      { AUTHTRAIL_RETENTION_MFA_DAYS: '30' },
      { clock: { now: () => new Date(t) } },
    );
    try {
      const k = await prepareTenant(short);
      const old = exampleEvent('mfa.AuthenticationAttempted', {
        eventId: randomUUID(),
        occurredAt: new Date(t - 40 * DAY).toISOString(),
      });
      const refused = await short.request('POST', '/v1/events', { key: k.producer, body: [old] });
      expect(refused.status).toBe(422);
      expect(refused.json.errors[0].message).toContain('30 days');
      const ok = exampleEvent('mfa.AuthenticationAttempted', {
        eventId: randomUUID(),
        occurredAt: new Date(t - 20 * DAY).toISOString(),
      });
      expect(
        (await short.request('POST', '/v1/events', { key: k.producer, body: [ok] })).status,
      ).toBe(202);
      t += 11 * DAY;
      expect(await short.app.get(RetentionService).run()).toMatchObject({ mfa: 1 });
    } finally {
      await short.close();
    }
  });
});
