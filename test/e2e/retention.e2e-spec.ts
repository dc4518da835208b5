import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { exampleEvent } from '@authtrail/catalog';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { RetentionService } from '@authtrail/runtime';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { startSealer } from '../../apps/worker/src/sealer/sealer.job';
import {
  EVENT_STORE_UNDER_TEST,
  ON_ESDB,
  describeIf,
  esdbDoubleOf,
  itIf,
  scavenge,
} from '../support/event-store-under-test';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

const DAY = 86_400_000;

/**
 * What the retention job reports: on SQLite the events it deleted; on EventStoreDB nothing,
 * since the server expires events by `$maxAge` itself (on recording time) — the test's
 * `scavenge` then stands in for the server's daily scavenge.
 */
const prunedBy = (job: Record<string, number>): Record<string, number> => (ON_ESDB ? {} : job);

/**
 * Retention (MFA 90 days, SSPR 365): on SQLite the job deletes what is past its window
 * (on occurredAt) from the log and keeps the hashes; on EventStoreDB the server expires it
 * (on recording time) and the seals' retention annexes vouch for it. Either way seals
 * still verify and reports agree with the log afterwards. Time is an injected clock moved
 * forward — the EventStoreDB double follows it.
 */
describeIf(
  EVENT_STORE_UNDER_TEST !== 'esdb',
  'a real EventStoreDB server expires events by its own clock, which the test cannot move',
)('retention', () => {
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
  const logOf = async (prefix: string) =>
    (await store.readAll({ after: 0, limit: 100_000, tenantId: 'default' })).filter((e) =>
      e.type.startsWith(prefix),
    );
  const logCount = async (prefix: string) => (await logOf(prefix)).length;

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
    expect(await retention.run()).toEqual(prunedBy({ mfa: 0, sspr: 0, access: 0 }));

    now += 91 * DAY;
    // Reports drop what is past retention at once (the same cutoff as the log's).
    expect(await attempts()).toBe(0);
    expect(await retention.run()).toEqual(prunedBy({ mfa: 5, sspr: 0, access: 0 }));
    scavenge(server.dataDir);
    expect(await logCount('mfa.')).toBe(0);
    expect(await logCount('sspr.')).toBe(3);
    expect(await attempts()).toBe(0);
    expect(await changes()).toBe(3);

    // Seals over the pruned events still verify, through the kept hashes (SQLite) or the
    // seal's retention annex (EventStoreDB keeps nothing of an expired event).
    const verify = await server.request('GET', '/v1/ledger/verify', { key: keys.reader });
    expect(verify.status).toBe(200);
    expect(verify.json.ok).toBe(true);
    expect(verify.json.expiredEvents).toBe(ON_ESDB ? 5 : 0);

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
    expect(await retention.run()).toEqual(prunedBy({ mfa: 1, sspr: 3, access: 0 }));
    scavenge(server.dataDir);
    expect(await logCount('sspr.')).toBe(0);
    expect(await changes()).toBe(0);
    expect((await server.request('GET', '/v1/ledger/verify', { key: keys.reader })).json.ok).toBe(
      true,
    );
  }, 120_000);

  itIf(
    EVENT_STORE_UNDER_TEST === 'esdb-double',
    'removes events through the EventStoreDB protocol; on SQLite the same is ledger.e2e-spec.ts "names a deleted event"',
  )(
    'names an event removed from EventStoreDB inside its window as deleted, next to expired ones',
    async () => {
      const sspr = exampleEvent('sspr.PasswordChanged', {
        eventId: randomUUID(),
        occurredAt: at(DAY),
      });
      const mfa = exampleEvent('mfa.AuthenticationAttempted', {
        eventId: randomUUID(),
        occurredAt: at(DAY),
      });
      expect(
        (await server.request('POST', '/v1/events', { key: keys.producer, body: [sspr, mfa] }))
          .status,
      ).toBe(202);
      const sealer = startSealer(server.app);
      await sealer.stop();
      now += 91 * DAY;
      // Someone with admin rights on the server shortens the SSPR stream's $maxAge to a
      // second and scavenges: the event is gone 274 days before its window ends.
      const [stored] = (await logOf('sspr.')).filter((e) => e.eventId === sspr.eventId);
      const client = EventStoreDBClient.connectionString(
        esdbDoubleOf(server.dataDir)!.connectionString,
      );
      try {
        await client.setStreamMetadata(stored.streamId, { maxAge: 1 });
      } finally {
        await client.dispose();
      }
      now += 2000;
      scavenge(server.dataDir);
      expect(await logOf('sspr.')).toEqual([]);
      const verify = await server.request('GET', '/v1/ledger/verify', { key: keys.reader });
      expect(verify.json.ok).toBe(false);
      expect(verify.json.firstDisagreement).toMatchObject({
        kind: 'deleted',
        position: stored.position,
      });
      expect(verify.json.disagreements).toHaveLength(1);
      expect(verify.json.expiredEvents).toBeGreaterThan(0);
    },
  );

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
      const mfaInLog = async () =>
        (
          await short.app
            .get<EventStore>(EVENT_STORE)
            .readAll({ after: 0, limit: 100, tenantId: 'default' })
        ).filter((e) => e.type.startsWith('mfa.')).length;
      t += 11 * DAY;
      // 31 days after it occurred: SQLite prunes it (windows run on occurredAt) …
      expect(await short.app.get(RetentionService).run()).toEqual(
        prunedBy({ mfa: 1, sspr: 0, access: 0 }),
      );
      scavenge(short.dataDir);
      expect(await mfaInLog()).toBe(ON_ESDB ? 1 : 0);
      // … EventStoreDB 31 days after it was recorded (the stream's $maxAge is the window).
      t += 20 * DAY;
      scavenge(short.dataDir);
      expect(await mfaInLog()).toBe(0);
    } finally {
      await short.close();
    }
  });
});
