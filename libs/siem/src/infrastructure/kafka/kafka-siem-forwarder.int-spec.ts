import { randomUUID } from 'node:crypto';
import {
  exampleEvent,
  exampleTypes,
  PRIVACY_EVENT,
  ProducerEvent,
  TENANT_EVENT,
} from '@authtrail/catalog';
import { decodeEnvelope } from '@authtrail/event-store';
import {
  ConsumedRecord,
  OcsfSchema,
  describeTopics,
  readTopic,
  testKafkaBrokers,
} from '@authtrail/testing';
import { primarySubject, recordKey } from '../../domain/siem-record';
import { SIEM_TOPICS } from '../../domain/siem-topics';
import { SiemHarness } from '../../testing/siem-harness';

// Against the integration tier's broker (KAFKA_BROKERS: kmock from the global setup, or a
// real cluster). Topics are shared, so every test works in tenants of its own.
jest.setTimeout(120_000);

const schema = OcsfSchema.load();
const brokers = testKafkaBrokers();

interface Person {
  userPrincipalName: string;
  displayName: string;
  role: string;
}
const person = (name: string, role = 'User'): Person => ({
  userPrincipalName: `${name}@contoso.example`,
  displayName: `${name[0].toUpperCase()}${name.slice(1)} Example`,
  role,
});

/** Every example type for one person (an admin acts where the type has an actor). */
function eventsFor(p: Person, admin: Person): ProducerEvent[] {
  return exampleTypes.map((type) => {
    const base = exampleEvent(type, { eventId: randomUUID() });
    const overrides: Record<string, unknown> = {};
    if (base.target) overrides.target = { ...base.target, ...p };
    if (base.actor) {
      const self = base.actor.userPrincipalName === base.target?.userPrincipalName;
      overrides.actor = self ? { ...base.actor, ...p } : { ...base.actor, ...admin };
    }
    return exampleEvent(type, { ...base, ...overrides, eventId: base.eventId });
  });
}

const ofTenant = (tenant: string) => (r: ConsumedRecord) =>
  r.key === tenant || (r.key ?? '').startsWith(`${tenant}/`);

async function tenantLog(h: SiemHarness, tenant: string) {
  const records = await h.store.readAll({ after: 0, limit: 1_000_000, tenantId: tenant });
  return records.map((r) => ({ position: r.position, env: decodeEnvelope(r.data) }));
}

/** Per key, the log positions in topic order must rise (first delivery of each event). */
function expectPerKeyOrder(records: readonly ConsumedRecord[]): void {
  const seen = new Map<string, { last: number; partition: number; uids: Set<string> }>();
  for (const r of records) {
    const ocsf = JSON.parse(r.value!);
    const k = seen.get(r.key!) ?? { last: 0, partition: r.partition, uids: new Set<string>() };
    expect(r.partition).toBe(k.partition);
    if (!k.uids.has(ocsf.metadata.uid)) {
      expect(ocsf.metadata.sequence).toBeGreaterThan(k.last);
      k.last = ocsf.metadata.sequence;
      k.uids.add(ocsf.metadata.uid);
    }
    seen.set(r.key!, k);
  }
}

describe('SIEM forwarder → Kafka (real broker over TCP)', () => {
  let h: SiemHarness;
  beforeEach(async () => {
    h = await SiemHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('puts every event once on the events topic as valid OCSF, keyed by person, in per-person order, with no personal field', async () => {
    const tenant = await h.tenant();
    const admin = person('helpdesk', 'HelpdeskAdministrator');
    const people = ['kim', 'lee', 'ana'].map((n) => person(n));
    const events = people.flatMap((p) => [...eventsFor(p, admin), ...eventsFor(p, admin)]);
    await h.ingest(tenant, events);
    await h.erase(tenant, people[2].userPrincipalName); // a service event about a person, too
    const forwarder = h.forwarder({ kafkaBrokers: brokers });
    await h.caughtUp(forwarder);

    const log = await tenantLog(h, tenant);
    const records = (await readTopic(brokers, SIEM_TOPICS.events)).filter(ofTenant(tenant));
    expect(records).toHaveLength(log.length);
    const byUid = new Map(records.map((r) => [JSON.parse(r.value!).metadata.uid as string, r]));
    expect(byUid.size).toBe(log.length); // once each

    for (const { position, env } of log) {
      const r = byUid.get(env.eventId)!;
      expect(r).toBeDefined();
      const ocsf = JSON.parse(r.value!);
      expect({ type: env.type, issues: schema.validate(ocsf) }).toEqual({
        type: env.type,
        issues: [],
      });
      expect(ocsf.metadata.sequence).toBe(position);
      expect(ocsf.metadata.tenant_uid).toBe(tenant);
      expect(r.key).toBe(recordKey(tenant, primarySubject(env.subjects)));
      expect(r.headers['authtrail-type']).toBe(env.type);
      expect(Number(r.headers['authtrail-schema-version'])).toBeGreaterThanOrEqual(
        env.schemaVersion,
      );
      if (env.subjects.target) expect(ocsf.user?.uid ?? ocsf.entity?.uid).toBe(env.subjects.target);
    }
    expectPerKeyOrder(records);

    const raw = records.map((r) => r.value).join('\n');
    for (const p of [...people, admin]) {
      expect(raw).not.toContain(p.userPrincipalName);
      expect(raw).not.toContain(p.displayName);
    }
    for (const secretish of [
      '4255550123',
      '203.0.113.7',
      'apns-3f9c2b7e1d',
      'kim.akers@contoso.com',
    ])
      expect(raw).not.toContain(secretish);
    expect(
      (await h.metrics.registry.getSingleMetricAsString('authtrail_worker_lag_events')).includes(
        'worker="forwarder"} 0',
      ),
    ).toBe(true);
  });

  it('creates the topics through the admin API, the identity topic compacted with bounded lag', async () => {
    const forwarder = h.forwarder({ kafkaBrokers: brokers });
    await h.caughtUp(forwarder);
    const topics = await describeTopics(brokers, Object.values(SIEM_TOPICS));
    expect([...topics.keys()].sort()).toEqual(Object.values(SIEM_TOPICS).sort());
    expect(topics.get(SIEM_TOPICS.subjects)!.configs).toMatchObject({
      'cleanup.policy': 'compact',
      'segment.ms': String(6 * 3_600_000),
      'max.compaction.lag.ms': String(18 * 3_600_000),
      'min.cleanable.dirty.ratio': '0.01',
    });
    expect(topics.get(SIEM_TOPICS.events)!.partitions).toBeGreaterThan(1);
  });

  it('publishes identities when people first appear or change, a tombstone at erasure, and tombstones for a deleted tenant', async () => {
    const tenant = await h.tenant();
    const admin = person('helpdesk', 'HelpdeskAdministrator');
    const kim = person('kim');
    const lee = person('lee');
    const mfa = (p: Person) =>
      exampleEvent('mfa.AuthenticationAttempted', {
        eventId: randomUUID(),
        target: { userPrincipalName: p.userPrincipalName },
        details: {
          ...exampleEvent('mfa.AuthenticationAttempted').details,
          firstName: 'Kim',
          lastName: 'Akers',
          emailAddress: 'kim.akers@contoso.example',
        },
      });
    const reset = (p: Person, by: Person) =>
      exampleEvent('sspr.PasswordResetByAdmin', { eventId: randomUUID(), actor: by, target: p });
    await h.ingest(tenant, [mfa(kim), reset(lee, admin), reset(lee, admin)]);
    const forwarder = h.forwarder({ kafkaBrokers: brokers });
    await h.caughtUp(forwarder);

    const kimId = await h.subjectOf(tenant, kim.userPrincipalName);
    const leeId = await h.subjectOf(tenant, lee.userPrincipalName);
    const adminId = await h.subjectOf(tenant, admin.userPrincipalName);
    const identities = async () =>
      (await readTopic(brokers, SIEM_TOPICS.subjects)).filter(ofTenant(tenant));

    let recs = await identities();
    expect(recs.map((r) => r.key).sort()).toEqual(
      [kimId, leeId, adminId].map((s) => `${tenant}/${s}`).sort(),
    );
    const lee1 = JSON.parse(recs.find((r) => r.key === `${tenant}/${leeId}`)!.value!);
    expect(lee1).toMatchObject({
      tenant_uid: tenant,
      subject_uid: leeId,
      user: { uid: leeId, name: lee.userPrincipalName, display_name: lee.displayName },
      identity: { userPrincipalName: lee.userPrincipalName, displayName: lee.displayName },
    });
    const kim1 = JSON.parse(recs.find((r) => r.key === `${tenant}/${kimId}`)!.value!);
    expect(kim1.user).toEqual({
      uid: kimId,
      name: kim.userPrincipalName,
      full_name: 'Kim Akers',
      email_addr: 'kim.akers@contoso.example',
    });

    // Same identity again: nothing new. A display name first seen: the full identity again.
    await h.ingest(tenant, [mfa(kim), reset(kim, admin)]);
    await h.caughtUp(forwarder);
    recs = await identities();
    const kimRecs = recs.filter((r) => r.key === `${tenant}/${kimId}`);
    expect(kimRecs).toHaveLength(2);
    expect(JSON.parse(kimRecs[1].value!).identity).toEqual({
      userPrincipalName: kim.userPrincipalName,
      displayName: kim.displayName,
      firstName: 'Kim',
      lastName: 'Akers',
      emailAddress: 'kim.akers@contoso.example',
    });
    expect(recs).toHaveLength(4);

    await h.erase(tenant, kim.userPrincipalName);
    await h.caughtUp(forwarder);
    recs = await identities();
    const lastOf = (key: string) => recs.filter((r) => r.key === key).pop()!;
    expect(lastOf(`${tenant}/${kimId}`).value).toBeNull();
    expect(lastOf(`${tenant}/${kimId}`).headers['authtrail-type']).toBe(PRIVACY_EVENT.erased);
    expect(lastOf(`${tenant}/${leeId}`).value).not.toBeNull();

    await h.deleteTenant(tenant);
    await h.caughtUp(forwarder);
    recs = await identities();
    for (const sid of [kimId, leeId, adminId]) expect(lastOf(`${tenant}/${sid}`).value).toBeNull();
    expect(
      recs
        .filter((r) => r.headers['authtrail-type'] === TENANT_EVENT.deleted)
        .map((r) => r.key)
        .sort(),
    ).toEqual([leeId, adminId].map((s) => `${tenant}/${s}`).sort());
  });

  it('publishes no identity at all with AUTHTRAIL_SIEM_IDENTITY=off, events still flowing', async () => {
    const tenant = await h.tenant();
    await h.ingest(tenant, eventsFor(person('kim'), person('helpdesk', 'HelpdeskAdministrator')));
    const forwarder = h.forwarder({ kafkaBrokers: brokers, siemIdentity: false });
    await h.caughtUp(forwarder);
    expect((await readTopic(brokers, SIEM_TOPICS.subjects)).filter(ofTenant(tenant))).toEqual([]);
    expect((await readTopic(brokers, SIEM_TOPICS.events)).filter(ofTenant(tenant))).toHaveLength(
      (await tenantLog(h, tenant)).length,
    );
  });

  it('resumes from its checkpoint after a restart: nothing lost, nothing replayed', async () => {
    const tenant = await h.tenant();
    const admin = person('helpdesk', 'HelpdeskAdministrator');
    await h.ingest(tenant, eventsFor(person('kim'), admin));
    const first = h.forwarder({ kafkaBrokers: brokers });
    await h.caughtUp(first);
    const stoppedAt = first.position;
    await h.stopForwarder(first);

    await h.ingest(tenant, [
      ...eventsFor(person('lee'), admin),
      ...eventsFor(person('kim'), admin),
    ]);
    const second = h.forwarder({ kafkaBrokers: brokers });
    await h.caughtUp(second);
    const head = await h.store.headPosition();
    expect(second.forwardedCount).toBe(head - stoppedAt);
    expect(await h.checkpoints.load('forwarder')).toBe(head);

    const log = await tenantLog(h, tenant);
    const records = (await readTopic(brokers, SIEM_TOPICS.events)).filter(ofTenant(tenant));
    expect(records.map((r) => JSON.parse(r.value!).metadata.uid).sort()).toEqual(
      log.map((l) => l.env.eventId).sort(),
    );
    expectPerKeyOrder(records);
  });

  it('measures forwarding throughput into the broker', async () => {
    const tenant = await h.tenant();
    const admin = person('helpdesk', 'HelpdeskAdministrator');
    const n = 20_000;
    const pool = Array.from({ length: 2000 }, (_, i) => person(`user${i}`));
    const types = [
      'sspr.PasswordResetSelfService',
      'sspr.ResetFlowProgressed',
      'mfa.AuthenticationAttempted',
      'sspr.PasswordResetByAdmin',
      'sspr.Registered',
    ];
    const events = Array.from({ length: n }, (_, i) => {
      const p = pool[i % pool.length];
      const type = types[i % types.length];
      if (type === 'mfa.AuthenticationAttempted')
        return exampleEvent(type, {
          eventId: randomUUID(),
          target: { userPrincipalName: p.userPrincipalName },
        });
      if (type === 'sspr.PasswordResetByAdmin')
        return exampleEvent(type, { eventId: randomUUID(), actor: admin, target: p });
      return exampleEvent(type, { eventId: randomUUID(), actor: p, target: p });
    });
    await h.ingest(tenant, events);
    const head = await h.store.headPosition();

    const t0 = performance.now();
    const forwarder = h.forwarder({ kafkaBrokers: brokers });
    await h.caughtUp(forwarder, 110_000);
    const seconds = (performance.now() - t0) / 1000;
    const rate = Math.round(head / seconds);
    process.stdout.write(
      `SIEM forwarder throughput (identities on, ${head} events, 3 partitions): ${rate} events/s\n`,
    );
    expect((await readTopic(brokers, SIEM_TOPICS.events)).filter(ofTenant(tenant))).toHaveLength(
      (await tenantLog(h, tenant)).length,
    );
    expect(rate).toBeGreaterThan(1000);

    // The same log again by a second forwarder without identities: the cost of the identity topic.
    const t1 = performance.now();
    const plain = h.forwarder({
      kafkaBrokers: brokers,
      siemIdentity: false,
      worker: 'forwarder-bench',
    });
    await h.caughtUp(plain, 110_000);
    const plainRate = Math.round(head / ((performance.now() - t1) / 1000));
    process.stdout.write(
      `SIEM forwarder throughput (identities off, ${head} events): ${plainRate} events/s\n`,
    );
    expect(plainRate).toBeGreaterThan(1000);
  });
});
