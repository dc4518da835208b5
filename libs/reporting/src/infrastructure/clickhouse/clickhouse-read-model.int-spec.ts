import type { ClickHouseClient } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventCatalog, PRIVACY_EVENTS, TENANT_EVENTS } from '@authtrail/catalog';
import {
  EventStore,
  NewEvent,
  SqliteEventStore,
  encodeEnvelope,
  systemEvent,
} from '@authtrail/event-store';
import { checkpointStoreContract } from '@authtrail/testing';
import { Projector } from '../../application/projector';
import { ClickHouseClientExecutor, type ClickHouseExecutor } from './clickhouse-executor';
import { migrateReadModel, readModelSettings } from './clickhouse-read-model';
import { TABLES } from './clickhouse-schema';
import { ClickHouseProjectionWriter } from './clickhouse-projection-writer.adapter';
import { SqlReportReader } from '../../application/read-model.port';
import { ReportSql } from '../../application/reports/report-sql';
import type { ClickHouseReadModelSettings } from './clickhouse-read-model';
import { registeredCount } from '../../application/reports/sspr/registered-count.report';
import { registrations } from '../../application/reports/sspr/registrations.report';
import { registeredMethods } from '../../application/reports/sspr/registered-methods.report';
import { resets } from '../../application/reports/sspr/resets.report';
import { resetsOverTime } from '../../application/reports/sspr/resets-over-time.report';
import { resetMethods } from '../../application/reports/sspr/reset-methods.report';
import { problems } from '../../application/reports/sspr/problems.report';
import { adminSelfResets } from '../../application/reports/sspr/admin-self-resets.report';
import { suspicious } from '../../application/reports/sspr/suspicious.report';
import { policyChanges } from '../../application/reports/sspr/policy-changes.report';
import { attempts } from '../../application/reports/mfa/attempts.report';
import { blocks } from '../../application/reports/mfa/blocks.report';
import { auditEventsQuery } from '../../application/reports/audit-events.report';
import { erasedAmong, sealedAmong, sealedOf } from '../../application/subject-names';
import type { AuditFilter, PageQuery, WindowQuery } from '../../domain/read-model.types';

/** The registry's queries under one dedupe mode, by the names this test reads them with. */
class ReportQueries {
  private readonly reader: SqlReportReader;

  constructor(executor: ClickHouseExecutor, settings: ClickHouseReadModelSettings) {
    this.reader = new SqlReportReader(
      new ReportSql(executor, { database: settings.database, dedupe: settings.dedupe }),
    );
  }

  registeredCount = (tenantId: string, since: Date) =>
    this.reader.run(registeredCount.query, { tenantId, since });
  registrations = (q: { tenantId: string; since: Date; limit: number; after: null }) =>
    this.reader.run(registrations.query, q);
  registeredMethods = (tenantId: string, since: Date) =>
    this.reader.run(registeredMethods.query, { tenantId, since });
  resets = (q: WindowQuery) => this.reader.run(resets.query, q);
  resetsOverTime = (q: WindowQuery, interval: 'day' | 'week') =>
    this.reader.run(resetsOverTime.query, { ...q, interval });
  resetMethods = (q: WindowQuery) => this.reader.run(resetMethods.query, q);
  problems = (q: WindowQuery) => this.reader.run(problems.query, q);
  adminSelfResets = (q: WindowQuery, min: number) =>
    this.reader.run(adminSelfResets.query, { ...q, min });
  suspicious = (q: WindowQuery, min: number, limit: number) =>
    this.reader.run(suspicious.query, { ...q, min, limit });
  policyChanges = (page: PageQuery) =>
    this.reader.run(policyChanges.query, { window: page, page, limit: page.limit });
  mfaAttempts = (q: WindowQuery) => this.reader.run(attempts.query, q);
  mfaBlocks = (page: PageQuery) =>
    this.reader.run(blocks.query, { window: page, page, limit: page.limit });
  auditEvents = (q: AuditFilter) => this.reader.run(auditEventsQuery, q);
  erasedAmong = (tenantId: string, subjectIds: string[]) =>
    this.reader.run(erasedAmong, { tenantId, subjectIds });
  sealedOf = (tenantId: string, subjectIds: string[]) =>
    this.reader.run(sealedOf, { tenantId, subjectIds });
  sealedAmong = (tenantId: string, subjectIds: string[]) =>
    this.reader.run(sealedAmong, { tenantId, subjectIds });
}
import { ClickHouseCheckpointStore } from './clickhouse-checkpoint-store.adapter';
import { createClickHouseClient, PINNED_SETTINGS } from './clickhouse-connection';

// chdb allows one data folder per process: this file uses its own, for all its tests.
const dir = mkdtempSync(join(tmpdir(), 'authtrail-ch-int-'));
const NOW = new Date();
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface DataEvent {
  type: string;
  at: Date;
  actor?: string;
  target?: string;
  role?: string;
  status?: string;
  reason?: string;
  details?: Record<string, unknown>;
  tenant?: string;
  schemaVersion?: number;
}

function dataEvent(e: DataEvent): NewEvent {
  const eventId = randomUUID();
  const subjects: Record<string, string> = {};
  if (e.actor) subjects.actor = e.actor;
  if (e.target) subjects.target = e.target;
  const sealed: Record<string, string> = {};
  for (const s of Object.values(subjects)) sealed[s] = `ciphertext-of-${s}`;
  return {
    eventId,
    type: e.type,
    fingerprint: eventId,
    subjectIds: [...new Set(Object.values(subjects))],
    occurredAt: e.at,
    data: encodeEnvelope({
      eventId,
      tenantId: e.tenant ?? 'acme',
      type: e.type,
      schemaVersion: e.schemaVersion ?? (e.type === 'sspr.Registered' ? 2 : 1),
      occurredAt: e.at.toISOString(),
      recordedAt: NOW.toISOString(),
      subjects,
      data: {
        result: { status: e.status ?? 'Success', ...(e.reason ? { reason: e.reason } : {}) },
        ...(e.role && e.actor ? { actorRole: e.role } : {}),
        ...(e.role && e.target ? { targetRole: e.role } : {}),
        details: e.details ?? {},
      },
      sealed,
    }),
  };
}

const self = (s: string, e: Omit<DataEvent, 'actor' | 'target'>): DataEvent => ({
  ...e,
  actor: s,
  target: s,
});

async function append(store: EventStore, events: NewEvent[], tenant = 'acme'): Promise<void> {
  for (const e of events)
    await store.append(tenant, [
      { streamId: `t-${tenant}-x-${e.eventId}`, expectedRevision: 'any', events: [e] },
    ]);
}

describe('ClickHouse read model on chdb, fed by the projector', () => {
  let store: SqliteEventStore;
  let executor: ClickHouseExecutor;
  let writer: ClickHouseProjectionWriter;
  let checkpoints: ClickHouseCheckpointStore;
  const projectorOn = (
    w: ClickHouseProjectionWriter = writer,
    c: ClickHouseCheckpointStore = checkpoints,
    options: ConstructorParameters<typeof Projector>[1] = {},
    lag?: (events: number) => void,
  ) =>
    new Projector(
      {
        store,
        writer: w,
        checkpoints: c,
        catalog: EventCatalog.default(),
        reporter: lag ? { lag } : undefined,
      },
      options,
    );
  let model: ReportQueries;
  let finalModel: ReportQueries;
  let limitByModel: ReportQueries;
  let client: ClickHouseClient;
  let projector: Projector;
  const window = () => ({ tenantId: 'acme', from: ago(30 * DAY), to: new Date(Date.now() + 1000) });
  const fixedWindow = { tenantId: 'acme', from: ago(30 * DAY), to: new Date(NOW.getTime() + HOUR) };

  beforeAll(async () => {
    store = SqliteEventStore.open(join(dir, 'events.db'));
    client = createClickHouseClient({ url: null, path: join(dir, 'clickhouse') });
    executor = new ClickHouseClientExecutor(client);
    const settings = readModelSettings();
    await migrateReadModel(executor, settings);
    writer = new ClickHouseProjectionWriter(executor, settings);
    checkpoints = new ClickHouseCheckpointStore(executor, settings);
    model = new ReportQueries(executor, settings);
    // Same tables, each dedupe strategy: all must give the same answers.
    finalModel = new ReportQueries(executor, readModelSettings({ dedupe: 'final' }));
    limitByModel = new ReportQueries(executor, readModelSettings({ dedupe: 'limit-by' }));
    projector = projectorOn(writer, checkpoints, { batchSize: 7 });
    await append(store, [
      // s1 registers twice: the later (failed) registration wins.
      dataEvent(
        self('s1', {
          type: 'sspr.Registered',
          at: ago(5 * DAY),
          role: 'User',
          details: { methods: ['MobilePhone', 'AlternateEmail'] },
        }),
      ),
      dataEvent(
        self('s1', {
          type: 'sspr.Registered',
          at: ago(4 * DAY),
          role: 'User',
          status: 'Failure',
          reason: 'Abandoned',
          details: { methods: ['MobilePhone'] },
        }),
      ),
      // s2 registered with the v1 shape ("+"-joined string), upcast by the projector.
      dataEvent(
        self('s2', {
          type: 'sspr.Registered',
          at: ago(3 * DAY),
          role: 'HelpdeskAdministrator',
          schemaVersion: 1,
          details: { methods: 'SecurityQuestions+OfficePhone' },
        }),
      ),
      dataEvent(
        self('s3', {
          type: 'sspr.Registered',
          at: ago(3 * DAY),
          role: 'User',
          details: { methods: ['OfficePhone', 'SecurityQuestions'] },
        }),
      ),
      // s2, an admin, resets their own password four times in one UTC day (the morning
      // two days ago, whatever the time the test runs: the day series must not split them).
      ...[1, 2, 3, 4].map((i) =>
        dataEvent(
          self('s2', {
            type: 'sspr.PasswordResetSelfService',
            at: new Date(Math.floor(ago(2 * DAY).getTime() / DAY) * DAY + (7 + i) * HOUR),
            role: 'HelpdeskAdministrator',
            details: { methods: ['OfficePhone'] },
          }),
        ),
      ),
      dataEvent({
        type: 'sspr.PasswordResetByAdmin',
        at: ago(1 * DAY),
        actor: 's2',
        target: 's3',
        role: 'User',
        details: { onPremisesAgent: 'None' },
      }),
      dataEvent(
        self('s3', {
          type: 'sspr.PasswordChanged',
          at: ago(1 * DAY),
          status: 'Failure',
          reason: 'FuzzyPolicyViolationInvalidPassword',
        }),
      ),
      dataEvent(self('s3', { type: 'sspr.BlockedFromReset', at: ago(10 * HOUR) })),
      // Past SSPR retention: never in a report.
      dataEvent(
        self('s3', {
          type: 'sspr.PasswordChanged',
          at: ago(400 * DAY),
          status: 'Failure',
          reason: 'Old',
        }),
      ),
      dataEvent({
        type: 'mfa.AuthenticationAttempted',
        at: ago(2 * HOUR),
        target: 's1',
        status: 'Failure',
        details: { authenticationMethod: 'PhoneCall' },
      }),
      dataEvent({
        type: 'mfa.AuthenticationAttempted',
        at: ago(1 * HOUR),
        target: 's1',
        details: { authenticationMethod: 'MobileApp' },
      }),
      dataEvent({
        type: 'mfa.UserBlocked',
        at: ago(1 * HOUR),
        target: 's3',
        details: { blocked: true, fraudAlert: true },
      }),
      // s2 changes the SSPR policy (two settings, one without an old value), then fails to.
      dataEvent({
        type: 'sspr.PolicyChanged',
        at: ago(6 * DAY),
        actor: 's2',
        role: 'GlobalAdministrator',
        details: {
          policy: 'Self-service password reset policy',
          changes: [
            { property: 'NumberOfAuthenticationMethodsRequired', oldValue: '1', newValue: '2' },
            { property: 'SelfServicePasswordResetEnabled', newValue: 'All' },
          ],
        },
      }),
      dataEvent({
        type: 'sspr.PolicyChanged',
        at: ago(3 * HOUR),
        actor: 's2',
        status: 'Failure',
        reason: 'Permission failure?',
        details: {
          changes: [{ property: 'SecurityQuestionsEnabled', oldValue: 'true', newValue: '' }],
        },
      }),
      dataEvent({
        type: 'sspr.PolicyChanged',
        at: ago(2 * DAY),
        actor: 'z1',
        tenant: 'other',
        details: { changes: [{ property: 'NotifyUsersOnPasswordReset', newValue: 'true' }] },
      }),
      // Another tenant: never visible to acme.
      dataEvent(
        self('z1', {
          type: 'sspr.Registered',
          at: ago(1 * DAY),
          tenant: 'other',
          details: { methods: ['MobilePhone'] },
        }),
      ),
    ]);
  });

  afterAll(async () => {
    await executor.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function answers(m: ReportQueries = model) {
    const w = window();
    return {
      registeredCount: await m.registeredCount('acme', ago(365 * DAY)),
      registrations: await m.registrations({
        tenantId: 'acme',
        since: ago(365 * DAY),
        limit: 10,
        after: null,
      }),
      methods: await m.registeredMethods('acme', ago(365 * DAY)),
      resets: await m.resets(w),
      // A fixed window: the buckets stay the same from one call to the next.
      resetsPerDay: (await m.resetsOverTime(fixedWindow, 'day')).map((b) => [
        b.from.getTime(),
        b.users,
        b.resets,
        b.selfService,
        b.byAdmin,
      ]),
      resetMethods: await m.resetMethods(w),
      problems: await m.problems({ ...w, from: ago(365 * DAY) }),
      adminSelfResets: await m.adminSelfResets(w, 3),
      suspicious: (await m.suspicious(w, 3, 1000)).items,
      attempts: await m.mfaAttempts(w),
      blocks: (await m.mfaBlocks({ ...w, limit: 10, after: null })).map((b) => b.eventId),
      policyChanges: (await m.policyChanges({ ...w, limit: 10, after: null })).map((c) => ({
        ...c,
        eventId: c.eventId.length,
        occurredAt: c.occurredAt.getTime(),
      })),
      audit: (
        await m.auditEvents({
          ...w,
          since: { sspr: ago(365 * DAY), mfa: ago(90 * DAY) },
          services: ['sspr', 'mfa'],
          types: [],
          status: null,
          actorId: null,
          targetId: null,
          limit: 100,
          after: null,
        })
      ).length,
    };
  }

  // The projector's checkpoint store on the same tables (a store opened again stands for a
  // restart: its state is ClickHouse's).
  checkpointStoreContract('ClickHouse (chdb)', () =>
    Promise.resolve({
      open: () => Promise.resolve(new ClickHouseCheckpointStore(executor, readModelSettings())),
      dispose: () => Promise.resolve(),
    }),
  );

  it('holds every pinned setting on the embedded session, set once and not per query', async () => {
    // The settings are SET on chdb's session before its first query (not prefixed to each
    // one): every query, report and insert must still run under them.
    const names = Object.keys(PINNED_SETTINGS);
    const read = async () => {
      const result = await client.query({
        query: `SELECT ${names.map((n) => `toString(getSetting('${n}')) AS ${n}`).join(', ')}`,
        format: 'JSONEachRow',
      });
      const [row] = await result.json<Record<string, string>>();
      // Boolean settings read back as true/false.
      return Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, ({ true: '1', false: '0' } as const)[v] ?? v]),
      );
    };
    const expected = Object.fromEntries(
      Object.entries(PINNED_SETTINGS).map(([k, v]) => [k, String(v)]),
    );
    expect(await read()).toEqual(expected);
    // Set on the session, not only equal to a default of this engine version.
    const changed = await client.query({
      query: 'SELECT name FROM system.settings WHERE changed AND has({names:Array(String)}, name)',
      query_params: { names },
      format: 'JSONEachRow',
    });
    expect((await changed.json<{ name: string }>()).map((r) => r.name).sort()).toEqual(
      [...names].sort(),
    );
    await executor.command('CREATE TABLE authtrail.pin_test (a UInt8) ENGINE = Memory');
    await executor.insert('authtrail.pin_test', [{ a: 1 }]);
    await executor.command('DROP TABLE authtrail.pin_test');
    expect(await read()).toEqual(expected);
  });

  it('runs ClickHouse work off the event loop: a long query leaves the loop ticking', async () => {
    // The embedded engine executes on its own threads (chdb's async query); a synchronous
    // call would stop the loop, and with it HTTP ingest, for the whole query.
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 1);
    const started = performance.now();
    const result = await client.query({
      query: 'SELECT count() AS n, sum(sipHash64(number)) % 7 AS h FROM numbers(60000000)',
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: number }>();
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(row.n).toBe(60_000_000);
    expect(elapsed).toBeGreaterThan(50); // long enough for the check to mean something
    expect(ticks).toBeGreaterThan(Math.min(5, elapsed / 20));
    expect(longestGap).toBeLessThan(Math.max(250, elapsed / 2));
  });

  it('ClickHouse’s own parser reads every replicated, ON CLUSTER statement of the read model as meant', async () => {
    // chdb has no Keeper to create replicated tables, but its parser is the server's: every
    // statement the read model would send to a cluster must parse, keeping ON CLUSTER and
    // the replicated engine where they were written.
    const sent: string[] = [];
    const recorder: ClickHouseExecutor = {
      command: (sql) => Promise.resolve(void sent.push(sql)),
      insert: () => Promise.resolve(),
      // No migration recorded yet: every one is sent.
      query: () => Promise.resolve([]),
      close: () => Promise.resolve(),
    };
    const clusteredSettings = readModelSettings({
      engine: 'replicated',
      cluster: 'authtrail_cluster',
    });
    await migrateReadModel(recorder, clusteredSettings);
    const clustered = new ClickHouseProjectionWriter(recorder, clusteredSettings);
    await clustered.eraseSubject({ tenantId: 'acme', subjectId: 's1', erasedAt: NOW, position: 1 });
    await clustered.deleteTenant({ tenantId: 'acme', deletedAt: NOW, position: 2 });
    await clustered.reset();
    await new ClickHouseCheckpointStore(recorder, clusteredSettings).reset('projector');
    expect(sent.length).toBeGreaterThan(20);
    for (const statement of sent) {
      const result = await client.query({
        query: 'SELECT formatQuerySingleLine({statement:String}) AS formatted',
        query_params: { statement },
        format: 'JSONEachRow',
      });
      const [{ formatted }] = await result.json<{ formatted: string }>();
      // A migration's fill is data, not DDL: the replicated table shares its rows.
      if (statement.startsWith('INSERT INTO')) expect(formatted).not.toContain(' ON CLUSTER ');
      else expect(formatted).toContain(' ON CLUSTER authtrail_cluster');
      if (/^CREATE TABLE/.test(statement))
        expect(formatted).toMatch(
          /ENGINE = Replicated(Replacing|Aggregating)MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'(, (position|version))?\)/,
        );
    }
  });

  it('answers the reports from projected events, each event counted once', async () => {
    await projector.catchUp();
    expect(projector.position).toBe(await store.headPosition());
    const a = await answers();
    expect(a.registeredCount).toBe(2);
    expect(a.registrations.map((r) => [r.subjectId, r.role, r.methods])).toEqual([
      ['s3', 'User', ['OfficePhone', 'SecurityQuestions']],
      ['s2', 'HelpdeskAdministrator', ['OfficePhone', 'SecurityQuestions']],
    ]);
    expect(a.methods).toEqual([{ methods: ['OfficePhone', 'SecurityQuestions'], users: 2 }]);
    expect(a.resets).toEqual({ users: 2, resets: 5, selfService: 4, byAdmin: 1 });
    expect(a.resetMethods).toEqual([{ method: 'OfficePhone', count: 4 }]);
    // The series in one query: each bucket as the resets report counts its [from, to),
    // together the whole window, by day and by week.
    for (const interval of ['day', 'week'] as const) {
      const series = await model.resetsOverTime(fixedWindow, interval);
      expect(series.length).toBeGreaterThanOrEqual(interval === 'day' ? 31 : 5);
      expect([series[0].from, series[series.length - 1].to]).toEqual([
        fixedWindow.from,
        fixedWindow.to,
      ]);
      for (const b of series)
        expect({
          users: b.users,
          resets: b.resets,
          selfService: b.selfService,
          byAdmin: b.byAdmin,
        }).toEqual(await model.resets({ tenantId: 'acme', from: b.from, to: b.to }));
      expect(series.reduce((n, b) => n + b.resets, 0)).toBe(5);
    }
    expect(a.resetsPerDay.filter((b) => b[2] !== 0).map((b) => b.slice(2))).toEqual([
      [4, 4, 0],
      [1, 0, 1],
    ]);
    expect(a.problems).toEqual([
      { type: 'sspr.PasswordChanged', reason: 'FuzzyPolicyViolationInvalidPassword', count: 1 },
      { type: 'sspr.PolicyChanged', reason: 'Permission failure?', count: 1 },
      { type: 'sspr.Registered', reason: 'Abandoned', count: 1 },
    ]);
    // Newest first; the settings as the events carry them (an absent old value is null).
    expect(a.policyChanges).toEqual([
      {
        eventId: 36,
        occurredAt: ago(3 * HOUR).getTime(),
        status: 'Failure',
        reason: 'Permission failure?',
        actorId: 's2',
        actorRole: '',
        policy: '',
        changes: [{ property: 'SecurityQuestionsEnabled', oldValue: 'true', newValue: '' }],
      },
      {
        eventId: 36,
        occurredAt: ago(6 * DAY).getTime(),
        status: 'Success',
        reason: '',
        actorId: 's2',
        actorRole: 'GlobalAdministrator',
        policy: 'Self-service password reset policy',
        changes: [
          { property: 'NumberOfAuthenticationMethodsRequired', oldValue: '1', newValue: '2' },
          { property: 'SelfServicePasswordResetEnabled', oldValue: null, newValue: 'All' },
        ],
      },
    ]);
    // Pages: one at a time, the second after the first's cursor; a window without any.
    const w0 = window();
    const [newest] = await model.policyChanges({ ...w0, limit: 1, after: null });
    const next = await model.policyChanges({
      ...w0,
      limit: 5,
      after: { at: newest.occurredAt, id: newest.eventId },
    });
    expect(next.map((c) => c.status)).toEqual(['Success']);
    expect(await model.policyChanges({ ...w0, from: ago(HOUR), limit: 5, after: null })).toEqual(
      [],
    );
    expect(a.adminSelfResets).toEqual([
      expect.objectContaining({ subjectId: 's2', role: 'HelpdeskAdministrator', count: 4 }),
    ]);
    expect(a.suspicious.map((s) => [s.subjectId, s.signal, s.count])).toEqual([
      ['s2', 'admin-self-reset', 4],
      ['s3', 'blocked', 1],
    ]);
    // Only the first items leave ClickHouse; the total counts them all.
    const w = window();
    const first = await model.suspicious(w, 3, 1);
    expect(first.items.map((s) => [s.subjectId, s.signal])).toEqual([['s2', 'admin-self-reset']]);
    expect(first.total).toBe(2);
    expect(await model.suspicious({ ...w, tenantId: 'nobody' }, 3, 10)).toEqual({
      items: [],
      total: 0,
    });
    expect(a.attempts).toEqual([
      { method: 'MobileApp', status: 'Success', count: 1, users: 1 },
      { method: 'PhoneCall', status: 'Failure', count: 1, users: 1 },
    ]);
    expect(a.blocks).toHaveLength(1);
    expect(a.audit).toBe(16);
  });

  it('brings a database of the previous version up to date at start, without a replay', async () => {
    const db = 'authtrail_upgrade';
    const upgradedSettings = readModelSettings({ database: db });
    const upgraded = new ReportQueries(executor, upgradedSettings);
    await migrateReadModel(executor, upgradedSettings);
    await projectorOn(
      new ClickHouseProjectionWriter(executor, upgradedSettings),
      new ClickHouseCheckpointStore(executor, upgradedSettings),
    ).rebuild();
    const before = await answers(upgraded);
    expect(before.registeredCount).toBe(2);
    expect(before.adminSelfResets).toHaveLength(1);
    expect(before.policyChanges).toHaveLength(2);
    // What the previous version left: none of the new views, tables or records, and its
    // own registration state (aggregate states) and the view feeding it.
    for (const query of [
      `DROP VIEW ${db}.sspr_registrations_mv`,
      `DROP VIEW ${db}.sspr_admin_self_resets_mv`,
      `DROP VIEW ${db}.sspr_policy_changes_mv`,
      `DROP TABLE ${db}.sspr_policy_changes`,
      `DROP TABLE ${db}.sspr_registrations`,
      `DROP TABLE ${db}.sspr_admin_self_resets`,
      `DROP TABLE ${db}.schema_migrations`,
      `CREATE TABLE ${db}.sspr_registration_state (
  tenant_id LowCardinality(String),
  subject_id String,
  latest AggregateFunction(argMax, Tuple(String, String, Array(String), DateTime64(3, 'UTC')), Tuple(DateTime64(3, 'UTC'), UInt64)),
  last_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree ORDER BY (tenant_id, subject_id)`,
      `CREATE MATERIALIZED VIEW ${db}.sspr_registration_state_mv TO ${db}.sspr_registration_state AS
SELECT tenant_id, target_id AS subject_id,
  argMaxState(tuple(toString(status), toString(target_role), CAST(methods, 'Array(String)'), occurred_at), tuple(occurred_at, position)) AS latest,
  max(occurred_at) AS last_at
FROM ${db}.sspr_activity WHERE type = 'sspr.Registered' GROUP BY tenant_id, subject_id`,
    ]) {
      await client.command({ query });
    }
    const tables = async () =>
      (
        await (
          await client.query({
            query: 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
            query_params: { db },
            format: 'JSONEachRow',
          })
        ).json<{ name: string }>()
      ).map((t) => t.name);
    await migrateReadModel(executor, upgradedSettings);
    expect(await answers(upgraded)).toEqual(before);
    expect(await tables()).not.toContain('sspr_registration_state');
    expect(await tables()).not.toContain('sspr_registration_state_mv');
    // Recorded: the next start fills nothing twice, and rows written since still count.
    await migrateReadModel(executor, upgradedSettings);
    expect(await answers(upgraded)).toEqual(before);
    await client.command({ query: `DROP DATABASE ${db}` });
  });

  it('gives the same answers after duplicate writes, a replay from zero, and a crash mid-batch, with either dedupe', async () => {
    const before = await answers();
    // Duplicate writes: the whole log again on top of the existing rows.
    const all = await store.readAll({ after: 0, limit: 1000 });
    await projector.apply(all);
    expect(await answers()).toEqual(before);
    expect(await answers(finalModel)).toEqual(before);
    expect(await answers(limitByModel)).toEqual(before);

    // A third copy of every row: newest-first pages read in order drop twins as they come,
    // also when twins fill a whole read, and walk on with the cursor as before.
    await projector.apply(all);
    const walk = async (m: ReportQueries): Promise<string[]> => {
      const seen: string[] = [];
      let after: { at: Date; id: string } | null = null;
      for (;;) {
        const rows = await m.auditEvents({
          ...window(),
          since: { sspr: ago(365 * DAY), mfa: ago(90 * DAY) },
          services: ['sspr', 'mfa'],
          types: [],
          status: null,
          actorId: null,
          targetId: null,
          limit: 3,
          after,
        });
        seen.push(...rows.map((r) => r.eventId));
        const last = rows[rows.length - 1];
        if (rows.length < 3 || last === undefined) return seen;
        after = { at: last.occurredAt, id: last.eventId };
      }
    };
    const pages = await walk(model);
    expect(pages).toHaveLength(before.audit);
    expect(new Set(pages).size).toBe(pages.length);
    expect(pages).toEqual(await walk(finalModel));
    expect(pages).toEqual(await walk(limitByModel));
    expect(await answers()).toEqual(before);

    // Replay from zero, twice.
    await projector.rebuild();
    await projector.rebuild();
    expect(await answers()).toEqual(before);

    // Crash mid-batch: rows of events 6-9 written, checkpoint never saved.
    await writer.reset();
    await checkpoints.reset('projector');
    const half = projectorOn();
    await half.apply(all.slice(0, 5));
    const { Projection } = await import('../../application/projection');
    for (const step of new Projection(EventCatalog.default()).steps(all.slice(5, 9))) {
      if (step.kind === 'rows') await writer.write(step.rows);
    }
    expect(await checkpoints.load('projector')).toBe(all[4].position);
    await projectorOn().catchUp();
    expect(await answers()).toEqual(before);
    // Many report runs on three dedupe modes: seconds on a shared 2-core machine.
  }, 30_000);

  it('keeps values out of the SQL text: a hostile tenant id matches nothing', async () => {
    expect(await model.registeredCount("acme' OR 1=1 --", ago(365 * DAY))).toBe(0);
    expect(await model.resets({ ...window(), tenantId: "x') OR ('1'='1" })).toEqual({
      users: 0,
      resets: 0,
      selfService: 0,
      byAdmin: 0,
    });
  });

  it('follows the log with a subscription and reports its lag', async () => {
    const lags: number[] = [];
    const live = projectorOn(writer, checkpoints, {}, (l) => lags.push(l));
    await live.start();
    await append(store, [
      dataEvent(
        self('s4', {
          type: 'sspr.Registered',
          at: ago(HOUR),
          details: { methods: ['MobilePhone'] },
        }),
      ),
    ]);
    await live.waitForHead(10_000);
    await live.stop();
    expect(await model.registeredCount('acme', ago(365 * DAY))).toBe(3);
    expect(lags[lags.length - 1]).toBe(0);
  });

  it('records an erasure: the subject joins the erased table, its ciphertext is dropped, counts stay', async () => {
    expect(await model.sealedOf('acme', ['s3'])).toHaveLength(1);
    const countBefore = await model.registeredCount('acme', ago(365 * DAY));
    await store.append('acme', [
      {
        streamId: 't-acme-subject-s3',
        expectedRevision: 'no_stream',
        events: [
          systemEvent(PRIVACY_EVENTS.erased, {
            eventId: randomUUID(),
            tenantId: 'acme',
            now: new Date(),
            data: {
              subjectId: 's3',
              events: 1,
              erasedAt: new Date().toISOString(),
              actorKeyId: 'k-privacy',
            },
          }),
        ],
      },
    ]);
    await projector.catchUp();
    // Reports know the person erased as soon as the projector has passed the record.
    expect([...(await model.erasedAmong('acme', ['s1', 's3']))]).toEqual(['s3']);
    expect(await model.registeredCount('acme', ago(365 * DAY))).toBe(countBefore);
    // The ciphertext's delete is recorded by then (a mutation the engine keeps), and the
    // engine's pool carries it out shortly after: the pass does not wait for it.
    const mutations = await executor.query(
      `SELECT command FROM system.mutations WHERE table = '${TABLES.sealed}' AND command LIKE '%s3%'`,
    );
    expect(mutations).toHaveLength(1);
    const sealedOfS3Soon = async () => {
      const deadline = Date.now() + 10_000;
      while ((await model.sealedOf('acme', ['s3'])).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      return model.sealedOf('acme', ['s3']);
    };
    expect(await sealedOfS3Soon()).toEqual([]);
    // What the erasure's progress asks: whose ciphertext is still there (s1's is).
    expect([...(await model.sealedAmong('acme', ['s1', 's3']))]).toEqual(['s1']);
    // Replay reproduces the same state (the erasure is applied after the rows again).
    await projector.rebuild();
    expect(await sealedOfS3Soon()).toEqual([]);
    expect([...(await model.erasedAmong('acme', ['s3']))]).toEqual(['s3']);
  });

  it('removes a deleted tenant from every table, other tenants untouched', async () => {
    expect(await model.registeredCount('other', ago(365 * DAY))).toBe(1);
    await store.append('other', [
      {
        streamId: 't-other-tenant',
        expectedRevision: 'any',
        events: [
          systemEvent(TENANT_EVENTS.deleted, {
            eventId: randomUUID(),
            tenantId: 'other',
            now: new Date(),
            data: { deletedAt: new Date().toISOString(), actorKeyId: 'system' },
          }),
        ],
      },
    ]);
    const otherWindow = { ...window(), tenantId: 'other', limit: 10, after: null };
    expect(await model.policyChanges(otherWindow)).toHaveLength(1);
    await projector.catchUp();
    expect(await model.registeredCount('other', ago(365 * DAY))).toBe(0);
    expect(await model.policyChanges(otherWindow)).toEqual([]);
    expect(await model.registeredCount('acme', ago(365 * DAY))).toBe(3);
  });
});
