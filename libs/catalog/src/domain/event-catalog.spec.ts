import { EventCatalog } from './event-catalog';
import type { CatalogIssue, ValidationOutcome } from './catalog.types';
import { patchedExample, exampleTypes } from '../testing/examples';

const catalog = EventCatalog.default();

function issuesOf(outcome: ValidationOutcome): CatalogIssue[] {
  if (outcome.ok) throw new Error('expected the event to be rejected');
  return outcome.issues;
}

function pathsOf(raw: unknown): string[] {
  return issuesOf(catalog.validate(raw)).map((i) => i.path);
}

function omit(o: object, key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  delete copy[key];
  return copy;
}

const PRODUCER_TYPES = [
  'sspr.BlockedFromReset',
  'sspr.PasswordChanged',
  'sspr.PasswordResetByAdmin',
  'sspr.PasswordResetSelfService',
  'sspr.ResetFlowProgressed',
  'sspr.AccountUnlocked',
  'sspr.Registered',
  'sspr.PolicyChanged',
  'mfa.AuthenticationAttempted',
  'mfa.AppActivated',
  'mfa.UserBlocked',
  'mfa.BypassGranted',
  'mfa.UserChanged',
];
const SERVICE_TYPES = [
  'privacy.SubjectErasureRequested',
  'privacy.SubjectErased',
  'privacy.SubjectExported',
  'privacy.LegalHoldPlaced',
  'privacy.LegalHoldReleased',
  'privacy.ErasureDeferred',
  'tenant.TenantCreated',
  'tenant.TenantOptedIn',
  'tenant.TenantDeletionScheduled',
  'tenant.TenantDeletionCancelled',
  'tenant.TenantDeleted',
  'tenant.ApiKeyCreated',
  'tenant.ApiKeyRevoked',
  'access.PersonalDataRead',
  'ledger.Sealed',
];

describe('EventCatalog: the types', () => {
  it('knows exactly the producer types and the service types, with their categories', () => {
    expect(catalog.producerTypes().map((d) => d.type)).toEqual(PRODUCER_TYPES);
    expect(catalog.list().map((d) => d.type)).toEqual([...PRODUCER_TYPES, ...SERVICE_TYPES]);
    for (const d of catalog.list()) {
      expect(d.category).toBe(d.type.split('.')[0]);
      expect(d.producerPostable).toBe(PRODUCER_TYPES.includes(d.type));
      expect(d.retentionDays).toBe(d.category === 'mfa' ? 90 : 365);
    }
  });

  it('has a realistic example for every producer type, and each validates', () => {
    expect([...exampleTypes].sort()).toEqual([...PRODUCER_TYPES].sort());
    for (const type of PRODUCER_TYPES) {
      const outcome = catalog.validate(patchedExample(type));
      expect({ type, issues: outcome.ok ? [] : outcome.issues }).toEqual({ type, issues: [] });
      expect(outcome.ok && outcome.definition.type).toBe(type);
    }
  });

  it('follows seed 002 on actor and target: SSPR needs both, by-admin names the admin as actor', () => {
    const policy = 'sspr.PolicyChanged';
    for (const type of PRODUCER_TYPES.filter((t) => t.startsWith('sspr.') && t !== policy)) {
      expect([type, catalog.get(type)?.actor, catalog.get(type)?.target]).toEqual([
        type,
        'required',
        'required',
      ]);
      expect(pathsOf(omit(patchedExample(type), 'actor'))).toEqual(['/actor']);
      expect(pathsOf(omit(patchedExample(type), 'target'))).toEqual(['/target']);
    }
    const admin = patchedExample('sspr.PasswordResetByAdmin');
    expect(admin.actor?.userPrincipalName).not.toBe(admin.target?.userPrincipalName);
    // The current SSPR doc: the actor of a policy change is the admin, its target the policy.
    expect([catalog.get(policy)?.actor, catalog.get(policy)?.target]).toEqual(['required', 'none']);
    expect(pathsOf(omit(patchedExample(policy), 'actor'))).toEqual(['/actor']);
    expect(pathsOf({ ...patchedExample(policy), target: { userPrincipalName: 'x@y' } })).toEqual([
      '/target',
    ]);
  });

  it('follows seed 000 on actor and target: only blocks and bypasses have an actor', () => {
    const presence = Object.fromEntries(
      PRODUCER_TYPES.filter((t) => t.startsWith('mfa.')).map((t) => [
        t,
        [catalog.get(t)?.actor, catalog.get(t)?.target],
      ]),
    );
    expect(presence).toEqual({
      'mfa.AuthenticationAttempted': ['none', 'required'],
      'mfa.AppActivated': ['none', 'required'],
      'mfa.UserBlocked': ['optional', 'required'],
      'mfa.BypassGranted': ['required', 'required'],
      'mfa.UserChanged': ['none', 'required'],
    });
    const withActor = patchedExample('mfa.AuthenticationAttempted', {
      actor: { userPrincipalName: 'someone@contoso.com' },
    });
    expect(issuesOf(catalog.validate(withActor))).toEqual([
      { path: '/actor', message: 'is not a field of this event type' },
    ]);
    expect(
      catalog.validate(
        patchedExample('mfa.UserBlocked', { actor: { userPrincipalName: 'admin@contoso.com' } }),
      ).ok,
    ).toBe(true);
  });
});

describe('EventCatalog.validate: errors by JSON pointer', () => {
  it('names missing required members', () => {
    expect(pathsOf(omit(patchedExample('sspr.PasswordResetByAdmin'), 'eventId'))).toEqual([
      '/eventId',
    ]);
    expect(pathsOf(omit(patchedExample('sspr.PasswordResetByAdmin'), 'occurredAt'))).toEqual([
      '/occurredAt',
    ]);
    expect(pathsOf(omit(patchedExample('sspr.PasswordResetByAdmin'), 'result'))).toEqual([
      '/result',
    ]);
    expect(pathsOf(patchedExample('sspr.Registered', { details: { methods: undefined } }))).toEqual(
      ['/details/methods'],
    );
    expect(
      pathsOf(patchedExample('sspr.Registered', { target: { userPrincipalName: undefined } })),
    ).toEqual(['/target/userPrincipalName']);
    expect(
      issuesOf(catalog.validate(omit(patchedExample('mfa.BypassGranted'), 'details'))),
    ).toEqual([{ path: '/details', message: 'is required' }]);
  });

  it('rejects unknown members everywhere, at their own path', () => {
    expect(pathsOf({ ...patchedExample('sspr.AccountUnlocked'), tenantId: 'acme' })).toEqual([
      '/tenantId',
    ]);
    expect(
      pathsOf(patchedExample('sspr.AccountUnlocked', { actor: { nickname: 'kimmy' } })),
    ).toEqual(['/actor/nickname']);
    expect(pathsOf(patchedExample('sspr.PasswordResetByAdmin', { result: { code: 7 } }))).toEqual([
      '/result/code',
    ]);
    expect(
      pathsOf(patchedExample('sspr.PasswordResetByAdmin', { details: { agent: 'x' } })),
    ).toEqual(['/details/agent']);
    const devices = [{ deviceType: 'iOS', serial: 'X1' }];
    expect(
      pathsOf(patchedExample('mfa.AuthenticationAttempted', { details: { devices } })),
    ).toEqual(['/details/devices/0/serial']);
  });

  it('rejects values outside the enums, listing the allowed ones', () => {
    expect(
      issuesOf(
        catalog.validate(
          patchedExample('sspr.PasswordResetByAdmin', {
            details: { onPremisesAgent: 'AzureADConnect' },
          }),
        ),
      ),
    ).toEqual([
      {
        path: '/details/onPremisesAgent',
        message: 'must be one of: None, EntraConnect, CloudSync',
      },
    ]);
    expect(
      pathsOf(patchedExample('sspr.BlockedFromReset', { result: { status: 'Failure' } })),
    ).toEqual(['/result/status']);
    expect(
      pathsOf(patchedExample('sspr.Registered', { details: { methods: ['MobilePhone', 'Fax'] } })),
    ).toEqual(['/details/methods/1']);
    expect(
      pathsOf(
        patchedExample('mfa.AuthenticationAttempted', {
          details: { authenticationMethod: 'Email' },
        }),
      ),
    ).toEqual(['/details/authenticationMethod']);
    expect(
      pathsOf(
        patchedExample('mfa.AuthenticationAttempted', {
          details: { textMessageMode: 'OTP + PIN' },
        }),
      ),
    ).toEqual(['/details/textMessageMode']);
  });

  it('applies the seed 002 status and reason rules per type', () => {
    const reasonOnSuccess = patchedExample('sspr.PasswordChanged', {
      result: { status: 'Success', reason: 'FuzzyPolicyViolationInvalidPassword' },
    });
    expect(issuesOf(catalog.validate(reasonOnSuccess))).toEqual([
      { path: '/result/reason', message: 'is only allowed when status is Failure' },
    ]);
    expect(
      pathsOf(patchedExample('sspr.PasswordChanged', { result: { reason: 'TooShort' } })),
    ).toEqual(['/result/reason']);
    expect(
      pathsOf(patchedExample('sspr.BlockedFromReset', { result: { reason: 'Throttled' } })),
    ).toEqual(['/result/reason']);
    expect(
      catalog.validate(
        patchedExample('sspr.PasswordChanged', {
          result: { status: 'Success', reason: undefined },
        }),
      ).ok,
    ).toBe(true);
    // Flow progress reasons are free text, on successful steps too.
    for (const status of ['Success', 'Failure']) {
      const step = patchedExample('sspr.ResetFlowProgressed', {
        result: { status, reason: 'User could not verify SMS code' },
      });
      expect(catalog.validate(step).ok).toBe(true);
    }
    expect(
      catalog.validate(
        patchedExample('sspr.Registered', {
          result: { status: 'Failure', reason: 'User abandoned registration' },
        }),
      ).ok,
    ).toBe(true);
    expect(
      pathsOf(patchedExample('sspr.Registered', { result: { status: 'Success', reason: 'ok' } })),
    ).toEqual(['/result/reason']);
  });

  it('requires a UUID eventId in plain form', () => {
    for (const eventId of [
      '42',
      'not-a-uuid',
      'urn:uuid:0b6c1c1e-5d0e-4a83-9d2b-8c7e3f0c9a11',
      '0b6c1c1e5d0e4a839d2b8c7e3f0c9a11',
    ]) {
      expect(issuesOf(catalog.validate(patchedExample('mfa.UserChanged', { eventId })))).toEqual([
        { path: '/eventId', message: 'must be a UUID (8-4-4-4-12 hex digits)' },
      ]);
    }
    expect(
      pathsOf(patchedExample('mfa.UserChanged', { eventId: 42 as unknown as string })),
    ).toEqual(['/eventId']);
  });

  it('requires occurredAt to be an ISO-8601 date-time with a zone', () => {
    for (const occurredAt of [
      '2026-11-20T09:14:03',
      '2026-13-01T00:00:00Z',
      '2026-02-30T10:00:00Z',
      'yesterday',
      '20.11.2026 09:14',
    ]) {
      expect([occurredAt, pathsOf(patchedExample('sspr.AccountUnlocked', { occurredAt }))]).toEqual(
        [occurredAt, ['/occurredAt']],
      );
    }
    for (const occurredAt of ['2026-11-20T09:14:03.120Z', '2026-11-20T10:14:03+01:00']) {
      expect(catalog.validate(patchedExample('sspr.AccountUnlocked', { occurredAt })).ok).toBe(
        true,
      );
    }
  });

  it('bounds string lengths and array sizes', () => {
    const long = 'x'.repeat(300);
    expect(
      pathsOf(patchedExample('sspr.AccountUnlocked', { actor: { displayName: long } })),
    ).toEqual(['/actor/displayName']);
    expect(
      pathsOf(patchedExample('sspr.AccountUnlocked', { correlationId: 'c'.repeat(129) })),
    ).toEqual(['/correlationId']);
    expect(
      pathsOf(patchedExample('sspr.AccountUnlocked', { target: { userPrincipalName: '' } })),
    ).toEqual(['/target/userPrincipalName']);
    expect(pathsOf(patchedExample('sspr.Registered', { details: { methods: [] } }))).toEqual([
      '/details/methods',
    ]);
    expect(
      pathsOf(
        patchedExample('sspr.Registered', { details: { methods: ['MobilePhone', 'MobilePhone'] } }),
      ),
    ).toEqual(['/details/methods']);
  });

  it('reports every problem of an event at once', () => {
    const raw = {
      ...patchedExample('sspr.PasswordResetByAdmin', {
        eventId: 'nope',
        occurredAt: 'later',
        result: { status: 'Maybe' },
        details: { onPremisesAgent: 'Other' },
      }),
      extra: 1,
    };
    expect(pathsOf(raw).sort()).toEqual([
      '/details/onPremisesAgent',
      '/eventId',
      '/extra',
      '/occurredAt',
      '/result/status',
    ]);
  });

  it('never echoes the rejected value in a message (it may be personal)', () => {
    const upn = `${'kim.akers'.repeat(40)}@contoso.com`;
    const issues = issuesOf(
      catalog.validate(
        patchedExample('sspr.AccountUnlocked', { target: { userPrincipalName: upn } }),
      ),
    );
    expect(JSON.stringify(issues)).not.toContain('kim.akers');
  });

  it('checks the type first: not an object, no type, unknown type', () => {
    expect(issuesOf(catalog.validate('{"type":"x"}'))).toEqual([
      { path: '', message: 'must be an event object' },
    ]);
    expect(issuesOf(catalog.validate([patchedExample('sspr.Registered')]))).toEqual([
      { path: '', message: 'must be an event object' },
    ]);
    expect(issuesOf(catalog.validate(omit(patchedExample('sspr.Registered'), 'type')))).toEqual([
      { path: '/type', message: 'is required' },
    ]);
    expect(
      issuesOf(catalog.validate({ ...patchedExample('sspr.Registered'), type: 'sspr.registered' })),
    ).toEqual([{ path: '/type', message: 'unknown event type "sspr.registered"' }]);
  });

  it('refuses the service types from producers but accepts them from authtrail itself', () => {
    // As stored and read back: the envelope's ids and time beside the data fields.
    const erased = {
      eventId: '5c2d8f1e-3a4b-4c5d-8e9f-0a1b2c3d4e5f',
      type: 'privacy.SubjectErased',
      occurredAt: '2026-11-20T09:14:03.120Z',
      causationId: '0b7c1d2e-3f40-4152-8637-48596a7b8c9d',
      subjectId: 's_8f2c91d4',
      events: 12,
      erasedAt: '2026-11-20T09:14:03.120Z',
      actorKeyId: 'ak_3f9c',
    };
    expect(issuesOf(catalog.validate(erased))).toEqual([
      {
        path: '/type',
        message: 'privacy.SubjectErased is recorded by authtrail itself and cannot be posted',
      },
    ]);
    expect(catalog.validate(erased, { internal: true }).ok).toBe(true);
    // No personal data in service events: a person given by name is refused.
    const named = { ...erased, target: { userPrincipalName: 'kim@contoso.com' } };
    expect(issuesOf(catalog.validate(named, { internal: true })).map((i) => i.path)).toEqual([
      '/target',
    ]);
    for (const type of SERVICE_TYPES) {
      expect(catalog.get(type)?.fields.some((f) => f.personal)).toBe(false);
      expect(pathsOf({ ...erased, type })).toEqual(['/type']);
    }
  });

  it('returns the event itself, unchanged', () => {
    const event = patchedExample('mfa.UserChanged');
    const before = JSON.stringify(event);
    const outcome = catalog.validate(event);
    expect(outcome.ok && outcome.event).toBe(event);
    expect(JSON.stringify(event)).toBe(before);
  });
});

describe('EventCatalog: speed', () => {
  it('validates and splits 20 000 events well within a second of CPU', () => {
    const events = PRODUCER_TYPES.map((t) => patchedExample(t));
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20_000; i++) {
      const outcome = catalog.validate(events[i % events.length]);
      if (!outcome.ok) throw new Error('invalid example');
      catalog.split(outcome.event);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // ~20 µs per event would already eat the whole ingest budget; this is a loose upper bound
    // for a shared 2-core machine, measured well below it.
    expect(ms).toBeLessThan(1000);
  });
});
