import { EventCatalog } from './event-catalog';
import type { FieldSpec, ProducerEvent } from './catalog.types';
import { patchedExample, exampleTypes } from '../testing/examples';

const catalog = EventCatalog.default();

/** Every concrete JSON pointer of `event` matching a field spec path (with `*` = any index). */
function concretePaths(event: unknown, spec: FieldSpec): string[] {
  const tokens = spec.path.split('/').slice(1);
  const out: string[] = [];
  const walk = (node: unknown, i: number, prefix: string): void => {
    if (i === tokens.length) {
      out.push(prefix);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (tokens[i] === '*') {
      if (Array.isArray(node)) node.forEach((item, idx) => walk(item, i + 1, `${prefix}/${idx}`));
      return;
    }
    const child = (node as Record<string, unknown>)[tokens[i]];
    if (child !== undefined) walk(child, i + 1, `${prefix}/${tokens[i]}`);
  };
  walk(event, 0, '');
  return out;
}

function valueAt(event: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, token) => (node as Record<string, unknown>)[token], event);
}

function withoutEnvelope(event: ProducerEvent): Record<string, unknown> {
  const { eventId: _e, type: _t, occurredAt: _o, ...body } = event;
  return body;
}

/** An example with every optional personal field filled, so nothing escapes the check. */
function fullExample(type: string): ProducerEvent {
  const overrides: Record<string, Record<string, unknown>> = {
    'mfa.AuthenticationAttempted': {
      backupCallCountryCode: '44',
      backupCallPhoneNumber: '7700900456',
      backupCallExtension: '7',
      backupCallAuthenticated: false,
      backupCallResult: 'NO_ANSWER',
    },
    'mfa.UserChanged': { newExtension: '21', newBackupExtension: '22' },
    'mfa.UserBlocked': { extension: '12', cleanExtension: '12' },
  };
  const event = patchedExample(type, type in overrides ? { details: overrides[type] } : {});
  if (type === 'mfa.UserBlocked')
    event.actor = {
      userPrincipalName: 'mfa-admin@contoso.com',
      displayName: 'MFA Admin',
      role: 'AuthenticationAdministrator',
    };
  return event;
}

describe('EventCatalog.split', () => {
  it.each(exampleTypes)('%s: every personal field goes to its person, and only those', (type) => {
    const event = fullExample(type);
    expect(catalog.validate(event).ok).toBe(true);
    const definition = catalog.get(type)!;
    const { data, personal } = catalog.split(event);

    const expected: { actor: Record<string, unknown>; target: Record<string, unknown> } = {
      actor: {},
      target: {},
    };
    for (const spec of definition.fields.filter((f) => f.personal)) {
      for (const pointer of concretePaths(event, spec))
        expected[spec.whose!][pointer] = valueAt(event, pointer);
    }
    expect(personal.actor ?? {}).toEqual(expected.actor);
    expect(personal.target ?? {}).toEqual(expected.target);
    // Every type names a person whose fields are sealed (a policy change names no target).
    expect(
      Object.keys(expected.target).length + Object.keys(expected.actor).length,
    ).toBeGreaterThan(0);
    if (definition.target !== 'none')
      expect(Object.keys(expected.target).length).toBeGreaterThan(0);

    // The clear part holds no personal value at all, wherever it might hide.
    const clear = JSON.stringify(data);
    for (const value of [...Object.values(expected.actor), ...Object.values(expected.target)]) {
      expect(clear).not.toContain(JSON.stringify(value));
    }
    // And it keeps every non-personal field (roles flattened).
    if (event.actor?.role !== undefined) expect(data.actorRole).toBe(event.actor.role);
    if (event.target?.role !== undefined) expect(data.targetRole).toBe(event.target.role);
    expect(data.result).toEqual(event.result);
    expect(data).not.toHaveProperty('eventId');
    expect(data).not.toHaveProperty('occurredAt');
  });

  it.each(exampleTypes)('%s: merge restores the event', (type) => {
    const event = fullExample(type);
    const { data, personal } = catalog.split(event);
    const restored = catalog.merge(
      type,
      JSON.parse(JSON.stringify(data)),
      JSON.parse(JSON.stringify(personal)),
    );
    const expected = withoutEnvelope(event);
    if (type === 'mfa.UserChanged') {
      const { newPin: _pin, ...details } = event.details!;
      expected.details = { ...details, pinChanged: true };
    }
    expect(restored).toEqual(expected);
  });

  it('keeps array positions of devices so their tokens return to the right device', () => {
    const devices = [
      { deviceToken: 'tok-A', deviceType: 'iOS' },
      { deviceType: 'Android', result: 'TIMEOUT' },
      { deviceToken: 'tok-C' },
    ];
    const event = patchedExample('mfa.AuthenticationAttempted', { details: { devices } });
    expect(catalog.validate(event).ok).toBe(true);
    const { data, personal } = catalog.split(event);
    expect((data.details as Record<string, unknown>).devices).toEqual([
      { deviceType: 'iOS' },
      { deviceType: 'Android', result: 'TIMEOUT' },
      {},
    ]);
    expect(personal.target).toMatchObject({
      '/details/devices/0/deviceToken': 'tok-A',
      '/details/devices/2/deviceToken': 'tok-C',
    });
    expect(personal.target).not.toHaveProperty('/details/devices/1/deviceToken');
    const merged = catalog.merge(event.type, data, personal);
    expect((merged.details as Record<string, unknown>).devices).toEqual(devices);
  });

  it('merges an erased person as absent fields, keeping the non-personal facts', () => {
    const event = patchedExample('mfa.BypassGranted');
    const { data, personal } = catalog.split(event);
    const view = catalog.merge(event.type, data, { actor: personal.actor, target: null });
    expect(view.target).toEqual({});
    expect(view.actor).toEqual(event.actor);
    expect(view.details).toEqual({
      bypassSeconds: 300,
      countryCode: '1',
      bypassReason: 'Phone lost, identity verified by helpdesk',
      bypassUsed: false,
    });
    const admin = patchedExample('sspr.PasswordResetByAdmin');
    const split = catalog.split(admin);
    expect(catalog.merge(admin.type, split.data, { actor: null, target: null })).toEqual({
      correlationId: 'req-7f3a91',
      actor: { role: 'HelpdeskAdministrator' },
      target: { role: 'User' },
      result: admin.result,
      details: admin.details,
    });
  });

  it('merges one combined blob handed for both roles when actor and target are one person', () => {
    const event = patchedExample('sspr.PasswordResetSelfService');
    const { data, personal } = catalog.split(event);
    const combined = { ...personal.actor, ...personal.target };
    expect(catalog.merge(event.type, data, { actor: combined, target: combined })).toEqual(
      withoutEnvelope(event),
    );
  });

  it('refuses personal pointers outside actor, target and details', () => {
    const { data } = catalog.split(patchedExample('sspr.Registered'));
    expect(() =>
      catalog.merge('sspr.Registered', data, { target: { '/result/status': 'Failure' } }),
    ).toThrow(/outside/);
    expect(() =>
      catalog.merge('sspr.Registered', data, { target: { '/details/__proto__/x': 1 } }),
    ).toThrow(/forbidden/);
  });

  it('does not mutate the event or the stored data', () => {
    const event = patchedExample('mfa.AuthenticationAttempted');
    const before = JSON.stringify(event);
    const { data, personal } = catalog.split(event);
    const dataBefore = JSON.stringify(data);
    catalog.merge(event.type, data, personal);
    expect(JSON.stringify(event)).toBe(before);
    expect(JSON.stringify(data)).toBe(dataBefore);
  });
});

describe('secrets', () => {
  it('marks New PIN and security-question answers secret in the field specs', () => {
    const pin = catalog.get('mfa.UserChanged')!.fields.find((f) => f.seedName === 'New PIN');
    expect(pin).toMatchObject({ path: '/details/newPin', secret: true, secretHandling: 'fact' });
    for (const type of exampleTypes.filter((t) => t.startsWith('sspr.'))) {
      const answers = catalog
        .get(type)!
        .fields.find((f) => f.path === '/details/securityQuestionAnswers');
      expect(answers).toMatchObject({ secret: true, secretHandling: 'reject' });
    }
  });

  it('reduces New PIN to pinChanged: true and keeps no trace of the PIN', () => {
    const event = patchedExample('mfa.UserChanged', { details: { newPin: '73519046' } });
    expect(catalog.validate(event).ok).toBe(true);
    const split = catalog.split(event);
    expect(split.data.details).toMatchObject({ pinChanged: true });
    expect(split.data.details).not.toHaveProperty('newPin');
    const everything = JSON.stringify(split);
    expect(everything).not.toContain('73519046');
    expect(everything).not.toContain('newPin');
  });

  it('records no PIN fact when no PIN was sent', () => {
    const split = catalog.split(
      patchedExample('mfa.UserChanged', { details: { newPin: undefined } }),
    );
    expect(split.data.details).not.toHaveProperty('pinChanged');
  });

  it('rejects security-question answers with a message that says why', () => {
    for (const type of [
      'sspr.Registered',
      'sspr.PasswordResetSelfService',
      'sspr.AccountUnlocked',
    ]) {
      const event = patchedExample(type, {
        details: { securityQuestionAnswers: [{ question: 'First pet?', answer: 'Rex' }] },
      });
      const outcome = catalog.validate(event);
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.issues).toEqual([
        {
          path: '/details/securityQuestionAnswers',
          message:
            'security-question answers are secrets and are never accepted; send only the fact (e.g. "SecurityQuestions" in details.methods)',
        },
      ]);
    }
  });

  it('rejects an empty PIN rather than recording a change that carried nothing', () => {
    const outcome = catalog.validate(
      patchedExample('mfa.UserChanged', { details: { newPin: '' } }),
    );
    expect(!outcome.ok && outcome.issues.map((i) => i.path)).toEqual(['/details/newPin']);
  });
});
