// Reads the fixtures from disk, so it sits beside the domain, not in it (domain-no-io).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventCatalog, type ProducerEvent } from '@authtrail/catalog';
import { ENTRA_NAMESPACE, entraEventId, uuidV5 } from './domain/entra-event-id';
import { mapEntraBatch, recordsOf } from './domain/map-entra-batch';
import { mapEntraRecord, parseMethods } from './domain/map-entra-record';
import { csvToDirectoryAudits, parseCsv } from './domain/portal-csv';

const FIXTURES = join(__dirname, '../fixtures');
const graphPage = JSON.parse(readFileSync(join(FIXTURES, 'graph-directory-audits.json'), 'utf8'));
const monitor = JSON.parse(readFileSync(join(FIXTURES, 'azure-monitor-auditlogs.json'), 'utf8'));
const csv = readFileSync(join(FIXTURES, 'portal-download.csv'), 'utf8');
const catalog = EventCatalog.default();

type Json = Record<string, unknown>;
const graph = (): Json[] => structuredClone(graphPage.value) as Json[];
const byActivity = (name: string, n = 0): Json =>
  graph().filter((r) => r.activityDisplayName === name)[n];

function eventOf(record: unknown): ProducerEvent {
  const outcome = mapEntraRecord(record);
  if (outcome.kind !== 'event') throw new Error(`not mapped: ${JSON.stringify(outcome)}`);
  return outcome.event;
}

describe('uuidV5', () => {
  it('matches the RFC 9562 test vector', () => {
    // RFC 9562 appendix A.4: DNS namespace, "www.example.com".
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('gives one stable id per Graph id, under authtrail namespace, and different ids otherwise', () => {
    const id = entraEventId('Directory_53161141-e3f4-4944-85b6-7b953f17265e_6X649_134684731');
    expect(id).toBe(entraEventId('Directory_53161141-e3f4-4944-85b6-7b953f17265e_6X649_134684731'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(entraEventId('a')).not.toBe(entraEventId('A'));
    expect(uuidV5('directoryAudit:a', ENTRA_NAMESPACE)).toBe(entraEventId('a'));
  });
});

describe('mapEntraRecord: a Graph directoryAudit of each SSPR activity', () => {
  it('given a successful registration, then sspr.Registered with the methods of the report', () => {
    const record = byActivity('User registered for self-service password reset');
    expect(eventOf(record)).toEqual({
      eventId: entraEventId(record.id as string),
      type: 'sspr.Registered',
      occurredAt: '2026-11-24T08:02:11.441Z',
      correlationId: record.correlationId,
      actor: { userPrincipalName: 'kim@contoso.com', displayName: 'Kim Akers' },
      target: { userPrincipalName: 'kim@contoso.com', displayName: 'Kim Akers' },
      result: { status: 'Success' },
      details: { methods: ['MobilePhone', 'AlternateEmail'] },
    });
  });

  it('given a failed registration, then the free-text reason is kept', () => {
    const e = eventOf(byActivity('User registered for self-service password reset', 2));
    expect(e.result).toEqual({
      status: 'Failure',
      reason: 'User did not finish registering the required methods',
    });
    expect(e.details).toEqual({ methods: ['OfficePhone'] });
  });

  it('given reset-flow steps, then the step is the status reason and the method the one it names', () => {
    const [submitted, verified, failed] = graph()
      .filter((r) => r.activityDisplayName === 'Self-service password reset flow activity progress')
      .map(eventOf);
    expect(submitted.details).toEqual({ step: 'User submitted their user ID' });
    expect(submitted.result).toEqual({ status: 'Success', reason: 'User submitted their user ID' });
    expect(verified.details).toEqual({
      step: 'User verified their mobile phone',
      method: 'MobilePhone',
    });
    expect(failed.result).toEqual({
      status: 'Failure',
      reason: 'Password reset is not enabled for this user',
    });
  });

  it("given self-service resets, then the banned-password reason under Entra's other name becomes the catalog's, and a success keeps no reason", () => {
    const ok = eventOf(byActivity('Reset password (self-service)'));
    expect(ok.result).toEqual({ status: 'Success' });
    expect(ok.details).toEqual({ methods: ['MobilePhone', 'AlternateEmail'] });
    const banned = eventOf(byActivity('Reset password (self-service)', 1));
    expect(banned.result).toEqual({
      status: 'Failure',
      reason: 'FuzzyPolicyViolationInvalidPassword',
    });
  });

  it('given admin resets, then the admin is the actor, the user the target, and OnPremisesAgent the seed value', () => {
    const cloud = eventOf(byActivity('Reset password (by admin)'));
    expect(cloud.actor).toEqual({
      userPrincipalName: 'meganb@contoso.com',
      displayName: 'Megan Bowen',
    });
    expect(cloud.target).toEqual({
      userPrincipalName: 'alexw@contoso.com',
      displayName: 'Alex Wilber',
    });
    expect(cloud.details).toEqual({ onPremisesAgent: 'None' });
    expect(cloud.result).toEqual({ status: 'Success' });
    const writeback = eventOf(byActivity('Reset password (by admin)', 1));
    expect(writeback.details).toEqual({ onPremisesAgent: 'EntraConnect' });
    expect(writeback.result).toEqual({
      status: 'Failure',
      reason: 'FuzzyPolicyViolationInvalidPassword',
    });
  });

  it('given a block logged without an initiator, then the throttled user is actor and target (seed 002)', () => {
    const e = eventOf(byActivity('Blocked from self-service password reset'));
    expect(e.type).toBe('sspr.BlockedFromReset');
    expect(e.actor).toEqual(e.target);
    expect(e.actor?.userPrincipalName).toBe('alexw@contoso.com');
    expect(e.result).toEqual({ status: 'Success' });
  });

  it('given a policy change, then sspr.PolicyChanged with the admin and every changed setting, old and new', () => {
    const e = eventOf(byActivity('Self-service password reset policy changes'));
    expect(e.type).toBe('sspr.PolicyChanged');
    expect(e.actor).toEqual({
      userPrincipalName: 'admin@contoso.com',
      displayName: 'Contoso Admin',
    });
    expect(e.target).toBeUndefined();
    expect(e.details).toEqual({
      policy: 'Self-service password reset policy',
      changes: [
        { property: 'NumberOfAuthenticationMethodsRequired', oldValue: '"1"', newValue: '"2"' },
        { property: 'SecurityQuestionsEnabled', oldValue: '"true"', newValue: '"false"' },
        {
          property: 'SelfServicePasswordResetEnabledFor',
          oldValue: '"Selected"',
          newValue: '"All"',
        },
      ],
    });
  });

  it('gives events the catalog accepts, one of every SSPR type', () => {
    const { events } = mapEntraBatch(graph());
    for (const { event } of events) {
      const outcome = catalog.validate(event);
      expect({ type: event.type, issues: outcome.ok ? [] : outcome.issues }).toEqual({
        type: event.type,
        issues: [],
      });
    }
    const sspr = catalog.list().filter((d) => d.category === 'sspr' && d.producerPostable);
    expect([...new Set(events.map((e) => e.event.type))].sort()).toEqual(
      sspr.map((d) => d.type).sort(),
    );
  });

  it('names an application actor by its service principal when no user initiated the reset', () => {
    const record = byActivity('Reset password (by admin)');
    record.initiatedBy = {
      user: null,
      app: {
        appId: 'a70a7931-c387-4dce-9f35-fbf95bdcc91e',
        displayName: 'HR sync',
        servicePrincipalName: null,
      },
    };
    expect(eventOf(record).actor).toEqual({
      userPrincipalName: 'a70a7931-c387-4dce-9f35-fbf95bdcc91e',
      displayName: 'HR sync',
      role: 'Application',
    });
  });

  it('keeps within the catalog limits (long reasons and correlation ids are cut)', () => {
    const record = byActivity('Self-service password reset flow activity progress');
    record.resultReason = 'x'.repeat(2000);
    record.correlationId = 'c'.repeat(300);
    const e = eventOf(record);
    expect(catalog.validate(e).ok).toBe(true);
    expect(e.result.reason).toHaveLength(512);
    expect((e.details as Json).step).toHaveLength(128);
  });
});

describe('mapEntraRecord: what is skipped and what is malformed', () => {
  it('skips other services and SSPR activities without a type, naming them', () => {
    expect(mapEntraRecord(byActivity('Add member to group'))).toEqual({
      kind: 'skipped',
      reason: 'other-service',
      label: 'Core Directory',
    });
    expect(
      mapEntraRecord(byActivity('Security info saved for self-service password reset')),
    ).toEqual({
      kind: 'skipped',
      reason: 'other-activity',
      label: 'Security info saved for self-service password reset',
    });
  });

  it('names every offending field of a malformed record', () => {
    const record = byActivity('Reset password (self-service)');
    delete record.id;
    record.activityDateTime = 'yesterday';
    record.result = 'maybe';
    record.additionalDetails = [];
    const outcome = mapEntraRecord(record);
    expect(outcome.kind === 'malformed' && outcome.issues.map((i) => i.path)).toEqual([
      '/id',
      '/activityDateTime',
      '/result',
      '/additionalDetails',
    ]);
  });

  it('names the detail whose methods it cannot read, and a target-less admin reset', () => {
    const record = byActivity('User registered for self-service password reset');
    record.additionalDetails = [{ key: 'Methods', value: 'Carrier pigeon' }];
    const outcome = mapEntraRecord(record);
    expect(outcome.kind === 'malformed' && outcome.issues[0].path).toBe(
      '/additionalDetails/0/value',
    );
    const reset = byActivity('Reset password (by admin)');
    reset.targetResources = [];
    const r = mapEntraRecord(reset);
    expect(r.kind === 'malformed' && r.issues).toEqual([
      { path: '/targetResources', message: 'missing: a target user with a userPrincipalName' },
    ]);
  });

  it('refuses what is not a record at all', () => {
    expect(mapEntraRecord('hello')).toEqual({
      kind: 'malformed',
      issues: [
        { path: '', message: 'expected a JSON object (a directoryAudit or an AuditLogs record)' },
      ],
    });
    expect(mapEntraRecord({}).kind).toBe('malformed');
    expect(recordsOf('x')).toBeNull();
    expect(recordsOf({ value: [1] })).toEqual([1]);
  });
});

describe('the three shapes of one log', () => {
  it('maps the Graph page: 15 events, 3 skipped (2 services, 1 activity), record 18 malformed', () => {
    const m = mapEntraBatch(recordsOf(graphPage)!);
    expect(m.received).toBe(19);
    expect(m.events).toHaveLength(15);
    expect(m.skipped).toBe(3);
    expect(m.skippedBy).toEqual({
      'other-service': { 'Core Directory': 1, 'Self-service Group Management': 1 },
      'other-activity': { 'Security info saved for self-service password reset': 1 },
      'other-category': {},
    });
    expect(m.malformed).toEqual([
      { index: 18, path: '/activityDateTime', message: 'expected an ISO-8601 date and time' },
    ]);
  });

  it('maps the Azure Monitor export to the same events, skipping the sign-in record', () => {
    const m = mapEntraBatch(recordsOf(monitor)!);
    expect(m.received).toBe(20);
    expect(m.skippedBy['other-category']).toEqual({ SignInLogs: 1 });
    expect(m.malformed).toEqual([
      {
        index: 18,
        path: '/properties/activityDateTime',
        message: 'expected an ISO-8601 date and time',
      },
    ]);
    expect(m.events.map((e) => e.event)).toEqual(
      mapEntraBatch(recordsOf(graphPage)!).events.map((e) => e.event),
    );
  });

  it('falls back to the envelope for a missing activity name and time', () => {
    const record = structuredClone(monitor.records[0]) as Json;
    const p = record.properties as Json;
    delete p.activityDisplayName;
    delete p.activityDateTime;
    const e = eventOf(record);
    expect(e.type).toBe('sspr.Registered');
    expect(e.occurredAt).toBe('2026-11-24T08:02:11.441Z');
  });

  it('maps the portal CSV to the same events but for the ids, which are stable per row', () => {
    const parsed = csvToDirectoryAudits(csv);
    if (!parsed.ok) throw new Error(parsed.message);
    const m = mapEntraBatch(parsed.records);
    const fromGraph = mapEntraBatch(recordsOf(graphPage)!).events.map((e) => e.event);
    expect(m.events.map((e) => ({ ...e.event, eventId: 'x' }))).toEqual(
      fromGraph.map((e) => ({ ...e, eventId: 'x' })),
    );
    expect(m.skipped).toBe(3);
    expect(m.malformed.map((i) => i.index)).toEqual([18]);
    const again = csvToDirectoryAudits(csv);
    expect(again.ok && mapEntraBatch(again.records).events.map((e) => e.event.eventId)).toEqual(
      m.events.map((e) => e.event.eventId),
    );
    expect(new Set(m.events.map((e) => e.event.eventId)).size).toBe(15);
  });

  it('refuses a CSV that is not an audit log download, naming the missing columns', () => {
    expect(csvToDirectoryAudits('Name,Email\nKim,kim@contoso.com\n')).toEqual({
      ok: false,
      message:
        'not an Entra audit log download: missing columns Date (UTC), Service, Activity, Result',
    });
    expect(csvToDirectoryAudits('')).toEqual({ ok: false, message: 'the CSV file is empty' });
  });
});

describe('parseCsv and parseMethods', () => {
  it('reads quotes, doubled quotes, separators and line breaks inside quotes, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,"b,c","say ""hi""","two\r\nlines"\r\n1,2,3,4\r\n\r\n')).toEqual([
      ['a', 'b,c', 'say "hi"', 'two\r\nlines'],
      ['1', '2', '3', '4'],
    ]);
    expect(parseCsv('x,y\n1,')).toEqual([
      ['x', 'y'],
      ['1', ''],
    ]);
  });

  it("reads the report's wording and the catalog's names, and nothing else", () => {
    expect(parseMethods('Mobile phone, Alternate email')).toEqual([
      'MobilePhone',
      'AlternateEmail',
    ]);
    expect(parseMethods('OfficePhone+SecurityQuestions')).toEqual([
      'OfficePhone',
      'SecurityQuestions',
    ]);
    expect(parseMethods('Security questions and Mobile phone')).toEqual([
      'SecurityQuestions',
      'MobilePhone',
    ]);
    expect(parseMethods('Mobile phone, Mobile phone')).toEqual(['MobilePhone']);
    expect(parseMethods('Fax')).toBeNull();
    expect(parseMethods(' , ')).toBeNull();
  });
});
