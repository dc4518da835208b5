import { EventCatalog } from '../domain/event-catalog';
import { exampleEvent, exampleEvents, exampleTypes, patchedExample } from './examples';

const catalog = EventCatalog.default();

describe('catalog examples', () => {
  it('gives a valid event of every producer type, with a fresh id and a recent occurredAt', () => {
    const events = exampleEvents();
    expect(events.map((e) => e.type)).toEqual(catalog.producerTypes().map((d) => d.type));
    for (const e of events) expect(catalog.validate(e)).toMatchObject({ ok: true });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const age = Date.now() - Date.parse(events[0].occurredAt);
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan(5 * 60_000);
  });

  it('replaces whole members with exampleEvent, and removes those set to undefined', () => {
    const person = { userPrincipalName: 'zeb@contoso.com' };
    const e = exampleEvent('sspr.PasswordChanged', {
      actor: person,
      target: person,
      result: { status: 'Success' },
    });
    expect(e.actor).toEqual(person);
    expect(e.result).toEqual({ status: 'Success' });
    expect(catalog.validate(e).ok).toBe(true);
    expect(
      exampleEvent('sspr.PasswordResetByAdmin', { correlationId: undefined }),
    ).not.toHaveProperty('correlationId');
  });

  it('merges one level deep with patchedExample', () => {
    const e = patchedExample('mfa.UserChanged', {
      details: { newPin: undefined, newExtension: '9' },
    });
    expect(e.details).not.toHaveProperty('newPin');
    expect(e.details).toMatchObject({ newExtension: '9', newPhoneNumber: '7700900123' });
    expect(
      patchedExample('sspr.Registered', { target: { role: 'GlobalAdministrator' } }).target,
    ).toEqual({
      userPrincipalName: 'kim@contoso.com',
      displayName: 'Kim Akers',
      role: 'GlobalAdministrator',
    });
  });

  it('refuses types it has no example for', () => {
    expect(() => exampleEvent('privacy.SubjectErased')).toThrow(/no example/);
    expect(exampleTypes).not.toContain('privacy.SubjectErased');
  });
});
