import { EventCatalog, exampleEvent, exampleTypes, PRIVACY_EVENT } from '@authtrail/catalog';
import { OcsfSchema } from '@authtrail/testing';
import { OCSF_ACTIVITIES, OcsfSource, toOcsf } from './ocsf.mapping';

const catalog = EventCatalog.default();
const schema = OcsfSchema.load();

const TARGET = 's_target0000000000000000000000';
const ACTOR = 's_actor00000000000000000000000';

/** A producer example as the forwarder sees it: split, personal parts dropped. */
function sourceOf(
  type: string,
  overrides: Record<string, unknown> = {},
): { source: OcsfSource; personal: string[] } {
  const event = exampleEvent(type, overrides);
  const split = catalog.split(event);
  const subjects: Record<string, string> = {};
  if (event.target) subjects.target = TARGET;
  if (event.actor)
    subjects.actor =
      event.actor.userPrincipalName === event.target?.userPrincipalName ? TARGET : ACTOR;
  const personal = Object.values(split.personal)
    .flatMap((bucket) => Object.values(bucket ?? {}))
    .flatMap((v) => (typeof v === 'string' ? [v] : []));
  return {
    source: {
      position: 42,
      eventId: event.eventId,
      tenantId: 'contoso',
      type,
      schemaVersion: catalog.get(type)!.schemaVersion,
      category: catalog.get(type)!.category,
      occurredAt: event.occurredAt,
      recordedAt: new Date().toISOString(),
      subjects,
      data: split.data,
    },
    personal,
  };
}

describe('OCSF mapping', () => {
  it.each(exampleTypes)('%s becomes a valid OCSF record without any personal field', (type) => {
    const { source, personal } = sourceOf(type);
    const record = toOcsf(source);
    expect(schema.validate(record)).toEqual([]);
    const json = JSON.stringify(record);
    expect(personal.length).toBeGreaterThan(0);
    for (const value of personal) {
      expect(json).not.toContain(JSON.stringify(value));
      if (value.length >= 6) expect(json).not.toContain(value);
    }
    expect(record.metadata).toMatchObject({
      uid: source.eventId,
      version: '1.9.0-dev',
      product: { name: 'authtrail', vendor_name: 'authtrail' },
    });
  });

  it('maps every catalog type, producer and service, to a class of its own (no fallback)', () => {
    for (const d of catalog.list()) expect(OCSF_ACTIVITIES[d.type]).toBeDefined();
  });

  it('files a reset by an admin as Account Change: Password Reset, the admin as actor and the user as user', () => {
    const { source } = sourceOf('sspr.PasswordResetByAdmin');
    const r = toOcsf(source);
    expect(r).toMatchObject({
      class_uid: 3001,
      category_uid: 3,
      activity_id: 4,
      type_uid: 300104,
      status_id: 2,
      status: 'Failure',
      status_detail: 'FuzzyPolicyViolationInvalidPassword',
      severity_id: 2,
      user: { uid: TARGET, type_id: 1 },
      actor: { user: { uid: ACTOR, type_id: 2, type: 'Admin' } },
      metadata: { correlation_uid: 'req-7f3a91', tenant_uid: 'contoso', sequence: 42 },
    });
    expect(r.time).toBe(Date.parse(source.occurredAt));
  });

  it.each([
    ['sspr.PasswordChanged', 3001, 3],
    ['sspr.PasswordResetSelfService', 3001, 4],
    ['sspr.AccountUnlocked', 3001, 12],
    ['sspr.Registered', 3001, 10],
    ['mfa.AuthenticationAttempted', 3002, 1],
    ['sspr.BlockedFromReset', 3001, 9],
  ])('%s → class %i activity %i', (type, classUid, activityId) => {
    const r = toOcsf(sourceOf(type).source);
    expect([r.class_uid, r.activity_id, r.type_uid]).toEqual([
      classUid,
      activityId,
      classUid * 100 + activityId,
    ]);
  });

  it('files an SSPR policy change as Entity Management: Update of the policy, by the admin, with its changes', () => {
    const r = toOcsf(sourceOf('sspr.PolicyChanged').source);
    expect(r).toMatchObject({
      class_uid: 3004,
      activity_id: 3,
      type_uid: 300403,
      status: 'Success',
      entity: { type: 'SSPR Policy', name: 'Self-service password reset policy' },
      actor: { user: { uid: ACTOR } },
      unmapped: {
        details: {
          changes: [
            { property: 'NumberOfAuthenticationMethodsRequired', oldValue: '1', newValue: '2' },
            { property: 'SecurityQuestionsEnabled', oldValue: 'true', newValue: 'false' },
          ],
        },
      },
    });
    expect(r.user).toBeUndefined();
  });

  it('carries the ledger hash of the event and, once sealed, its proof under unmapped.integrity', () => {
    const { source } = sourceOf('sspr.PasswordResetSelfService');
    const hash = 'a1'.repeat(32);
    const pending = toOcsf({ ...source, hash });
    expect(schema.validate(pending)).toEqual([]);
    expect((pending.unmapped as Record<string, unknown>).integrity).toEqual({
      format: 'authtrail.record-integrity.v1',
      chain_uid: 't-contoso-ledger',
      position: 42,
      fingerprint: { algorithm_id: 3, algorithm: 'SHA-256', value: hash },
      seal: null,
    });
    const sealProof = {
      sealSequence: 2,
      sealHash: 'b2'.repeat(32),
      leafIndex: 5,
      treeSize: 9,
      auditPath: ['c3'.repeat(32)],
    };
    const sealed = toOcsf({ ...source, hash, sealProof });
    expect(schema.validate(sealed)).toEqual([]);
    expect((sealed.unmapped as Record<string, { seal: unknown }>).integrity.seal).toEqual({
      sequence: 2,
      seal_hash: sealProof.sealHash,
      leaf_index: 5,
      tree_size: 9,
      audit_path: sealProof.auditPath,
    });
    expect((toOcsf(source).unmapped as Record<string, unknown>).integrity).toBeUndefined();
  });

  it('gives MFA attempts their factor and service, registrations their methods as factors', () => {
    expect(toOcsf(sourceOf('mfa.AuthenticationAttempted').source)).toMatchObject({
      is_mfa: true,
      service: { name: 'VPN Gateway' },
      auth_factors: [{ factor_type_id: 5, factor_type: 'Push Notification' }],
    });
    expect(toOcsf(sourceOf('sspr.Registered').source).auth_factors).toEqual([
      { factor_type_id: 8, factor_type: 'Email' },
      { factor_type_id: 99, factor_type: 'Mobile Phone' },
    ]);
  });

  it('rates a fraud alert High and a plain block Medium', () => {
    const fraud = sourceOf('mfa.UserBlocked');
    expect(toOcsf(fraud.source).severity_id).toBe(4);
    const plain = sourceOf('mfa.UserBlocked', {
      details: { blocked: true, fraudAlert: false },
    });
    expect(toOcsf(plain.source).severity_id).toBe(3);
  });

  it('maps authtrail service events to Entity Management with ids only', () => {
    const r = toOcsf({
      position: 7,
      eventId: '5e0c4a7e-2f0b-4c55-9d1e-0d6f0d3b8a11',
      tenantId: 'contoso',
      type: PRIVACY_EVENT.erased,
      schemaVersion: 1,
      category: 'privacy',
      occurredAt: '2026-11-20T09:14:03.120Z',
      recordedAt: '2026-11-20T09:14:03.120Z',
      subjects: { subject: TARGET },
      data: {
        subjectId: TARGET,
        events: 3,
        erasedAt: '2026-11-20T09:14:03.120Z',
        actorKeyId: 'k_1',
      },
    });
    expect(schema.validate(r)).toEqual([]);
    expect(r).toMatchObject({
      class_uid: 3004,
      activity_id: 4,
      entity: { type: 'Data Subject', uid: TARGET },
      status_id: 1,
    });
  });

  it('maps an unknown type to a valid Base Event instead of dropping it', () => {
    const r = toOcsf({
      ...sourceOf('sspr.PasswordChanged').source,
      type: 'sspr.SomethingNew',
      category: null,
    });
    expect(schema.validate(r)).toEqual([]);
    expect(r).toMatchObject({ class_uid: 0, category_uid: 0, activity_id: 99, type_uid: 99 });
  });
});

describe('OCSF validator', () => {
  const valid = (): Record<string, any> => toOcsf(sourceOf('sspr.PasswordResetByAdmin').source);

  it.each<[string, (r: Record<string, any>) => void, string]>([
    ['a required attribute missing', (r) => delete r.severity_id, '/severity_id'],
    ['a required object attribute missing', (r) => delete r.user, '/user'],
    ['a required nested attribute missing', (r) => delete r.metadata.product, '/metadata/product'],
    ['a value outside the enum', (r) => (r.status_id = 7), '/status_id'],
    [
      'a class activity outside its enum',
      (r) => ((r.activity_id = 13), (r.type_uid = 300113)),
      '/activity_id',
    ],
    ['a wrong type', (r) => (r.time = '2026-11-20T09:14:03Z'), '/time'],
    ['an attribute the class does not have', (r) => (r.user_name = 'kim'), '/user_name'],
    [
      'an object attribute the object does not have',
      (r) => (r.user.upn = 'kim@contoso.com'),
      '/user/upn',
    ],
    ['type_uid not class_uid * 100 + activity_id', (r) => (r.type_uid = 300103), '/type_uid'],
    ['a caption that does not match its id', (r) => (r.status = 'Success'), '/status'],
    ['an object failing its at_least_one constraint', (r) => (r.user = { type_id: 1 }), '/user'],
    ['an unknown class', (r) => (r.class_uid = 3999), '/class_uid'],
    ['a wrong category', (r) => (r.category_uid = 1), '/category_uid'],
    ['a string where an array is due', (r) => (r.metadata.labels = 'sspr'), '/metadata/labels'],
  ])('rejects %s', (_what, breakIt, path) => {
    const r = valid();
    expect(schema.validate(r)).toEqual([]);
    breakIt(r);
    expect(schema.validate(r).map((i) => i.path)).toContain(path);
  });
});
