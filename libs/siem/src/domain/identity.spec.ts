import { foldIdentity, identityChanged, identityOf, identityValue } from './identity';

describe('identity records', () => {
  it('takes the identity fields of a sealed blob, and nothing else personal', () => {
    expect(
      identityOf({
        '/target/userPrincipalName': 'kim@contoso.com',
        '/target/displayName': 'Kim Akers',
        '/details/firstName': 'Kim',
        '/details/phoneNumber': '4255550123',
        '/details/initiatingIpAddress': '203.0.113.7',
        '/details/devices/0/deviceToken': 'apns-1',
      }),
    ).toEqual({ userPrincipalName: 'kim@contoso.com', displayName: 'Kim Akers', firstName: 'Kim' });
  });

  it('is changed by a new or different field, not by a missing one', () => {
    const published = { userPrincipalName: 'a', displayName: 'b' };
    expect(identityChanged(null, { userPrincipalName: 'a' })).toBe(true);
    expect(identityChanged(published, { userPrincipalName: 'a' })).toBe(false);
    expect(identityChanged(published, { displayName: 'c' })).toBe(true);
    expect(identityChanged(published, { firstName: 'x' })).toBe(true);
    expect(
      foldIdentity({ userPrincipalName: 'u', displayName: 'Old' }, { displayName: 'New' }),
    ).toEqual({ userPrincipalName: 'u', displayName: 'New' });
  });

  it('carries an OCSF user for joins next to the fields by their API names', () => {
    const v = identityValue(
      'contoso',
      's_1',
      { userPrincipalName: 'kim@contoso.com', firstName: 'Kim', lastName: 'Akers' },
      { eventId: 'e1', position: 9, occurredAt: '2026-11-20T09:14:03.120Z' },
    );
    expect(v).toEqual({
      tenant_uid: 'contoso',
      subject_uid: 's_1',
      source_event_uid: 'e1',
      source_sequence: 9,
      time: Date.parse('2026-11-20T09:14:03.120Z'),
      user: { uid: 's_1', name: 'kim@contoso.com', full_name: 'Kim Akers' },
      identity: { userPrincipalName: 'kim@contoso.com', firstName: 'Kim', lastName: 'Akers' },
    });
  });
});
