import { randomUUID } from 'node:crypto';
import { ProducerEvent, exampleEvent, patchedExample } from '@authtrail/catalog';

/**
 * Realistic demo traffic for a tenant: people register for SSPR, reset and change
 * passwords (some failing on banned passwords), helpdesk admins reset for others and
 * their own passwords often, a few get throttled, and MFA produces attempts (every
 * method, some failing), activations, blocks, bypasses and changes. Every person has
 * their own name, email, phone and device, so no record carries someone else's details,
 * and every report and chart has something to show. Deterministic for a given seed so
 * demos and screenshots repeat.
 */
export function demoEvents(options: {
  people: number;
  days: number;
  now: Date;
  seed?: number;
}): ProducerEvent[] {
  let state = options.seed ?? 42;
  const rand = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const at = (): string =>
    new Date(
      options.now.getTime() - Math.floor(rand() * options.days * 86_400_000) - 60_000,
    ).toISOString();
  const first = ['Kim', 'Alex', 'Sam', 'Robin', 'Noor', 'Jo', 'Mika', 'Lee', 'Ari', 'Dana'];
  const last = ['Akers', 'Berg', 'Chen', 'Diaz', 'Eze', 'Fox', 'Gupta', 'Hall', 'Ito', 'Jones'];
  const people = Array.from({ length: Math.max(2, options.people) }, (_, i) => {
    const f = first[i % first.length];
    const l = last[Math.floor(i / first.length) % last.length];
    const admin = i % 10 === 0;
    return {
      userPrincipalName: `${f}.${l}${i}@contoso.example`.toLowerCase(),
      displayName: `${f} ${l}`,
      role: admin
        ? pick(['HelpdeskAdministrator', 'UserAdministrator', 'PasswordAdministrator'])
        : 'User',
    };
  });
  /** A person's own contact details and device (fictional: 555-01xx numbers, TEST-NET addresses). */
  const own = people.map((p, i) => {
    const [firstName, lastName] = p.displayName.split(' ');
    const line = String(100 + (i % 100)).padStart(4, '0');
    const area = String(200 + Math.floor(i / 100)).padStart(3, '0');
    return {
      firstName,
      lastName,
      email: p.userPrincipalName,
      phone: `${area}555${line}`,
      phoneFormatted: `+1 (${area}) 555-${line}`,
      extension: String(10 + (i % 90)),
      deviceToken: `apns-${(i + 1).toString(16).padStart(8, '0')}`,
      deviceName: `${firstName}'s iPhone`,
      ip: `198.51.100.${(i % 254) + 1}`,
    };
  });
  const admins = people.filter((p) => p.role !== 'User');
  const methods = ['AlternateEmail', 'OfficePhone', 'MobilePhone', 'SecurityQuestions'] as const;
  const events: ProducerEvent[] = [];
  const add = (type: string, overrides: Partial<ProducerEvent>): void => {
    events.push(
      exampleEvent(type, {
        ...overrides,
        eventId: randomUUID(),
        occurredAt: overrides.occurredAt ?? at(),
      }),
    );
  };
  const patched = (type: string, patch: Parameters<typeof patchedExample>[1]): void => {
    events.push(
      patchedExample(type, {
        ...patch,
        eventId: randomUUID(),
        occurredAt: patch?.occurredAt ?? at(),
      }),
    );
  };
  const MFA_METHODS = ['MobileApp', 'PhoneCall', 'TextMessage', 'OathToken'] as const;
  const MFA_FAILURES = [
    'Failure: user did not respond',
    'Failure: wrong verification code',
    'Failure: fraud reported by user',
  ];
  people.forEach((p, index) => {
    const me = own[index];
    const mfaTarget = { userPrincipalName: p.userPrincipalName, displayName: p.displayName };
    const registered = [pick(methods), pick(methods)].filter((m, i, xs) => xs.indexOf(m) === i);
    add('sspr.Registered', {
      actor: p,
      target: p,
      result:
        rand() < 0.9
          ? { status: 'Success' }
          : { status: 'Failure', reason: 'UserAbandonedRegistration' },
      details: { methods: registered },
    });
    for (let i = 0; i < Math.floor(rand() * 3); i++) {
      const ok = rand() < 0.8;
      add('sspr.PasswordResetSelfService', {
        actor: p,
        target: p,
        result: ok
          ? { status: 'Success' }
          : { status: 'Failure', reason: 'FuzzyPolicyViolationInvalidPassword' },
        details: { methods: registered },
      });
      add('sspr.ResetFlowProgressed', {
        actor: p,
        target: p,
        result: { status: 'Success' },
        details: { step: 'VerifyAuthenticationMethod', method: registered[0] },
      });
    }
    if (rand() < 0.3)
      add('sspr.PasswordChanged', { actor: p, target: p, result: { status: 'Success' } });
    if (rand() < 0.2 && admins.length > 0) {
      add('sspr.PasswordResetByAdmin', {
        actor: pick(admins),
        target: p,
        result: { status: 'Success' },
        details: { onPremisesAgent: pick(['None', 'EntraConnect', 'CloudSync']) },
      });
    }
    if (rand() < 0.05)
      add('sspr.BlockedFromReset', { actor: p, target: p, result: { status: 'Success' } });
    if (rand() < 0.1)
      add('sspr.AccountUnlocked', { actor: p, target: p, result: { status: 'Success' } });
    // Admins reset their own password often: the admin-self-resets report and the
    // suspicious `admin-self-reset` signal have someone to show.
    if (p.role !== 'User')
      for (let i = 0; i < 3 + Math.floor(rand() * 2); i++)
        add('sspr.PasswordResetSelfService', {
          actor: p,
          target: p,
          result: { status: 'Success' },
          details: { methods: registered },
        });
    for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) {
      const method = pick(MFA_METHODS);
      const ok = rand() < 0.75;
      const phone = method === 'PhoneCall' || method === 'TextMessage';
      patched('mfa.AuthenticationAttempted', {
        target: { userPrincipalName: p.userPrincipalName },
        result: ok
          ? { status: 'Success', reason: `Success: ${method} verified` }
          : { status: 'Failure', reason: pick(MFA_FAILURES) },
        details: {
          firstName: me.firstName,
          lastName: me.lastName,
          emailAddress: me.email,
          userGroup: pick(['Finance', 'Sales', 'IT', 'HR']),
          authenticationMethod: method,
          applicationName: pick(['VPN Gateway', 'Remote Desktop', 'Outlook Web Access']),
          primaryCallPhoneNumber: me.phone,
          primaryCallExtension: me.extension,
          primaryCallAuthenticated: phone && ok,
          primaryCallResult: phone ? (ok ? 'SUCCESS' : 'FAILED') : 'NOT_ATTEMPTED',
          results: [{ authenticated: ok, result: ok ? 'SUCCESS' : 'FAILED' }],
          initiatingIpAddress: me.ip,
          devices:
            method === 'MobileApp'
              ? [
                  {
                    deviceToken: me.deviceToken,
                    deviceType: 'iOS',
                    mobileAppVersion: '6.8.2',
                    osVersion: '17.4',
                    result: ok ? 'APPROVED' : 'NOTIFIED',
                    usedCheckForNotification: false,
                  },
                ]
              : [],
        },
      });
    }
    if (rand() < 0.3)
      patched('mfa.AppActivated', {
        target: { userPrincipalName: p.userPrincipalName },
        details: { accountName: `Contoso: ${p.userPrincipalName}`, deviceName: me.deviceName },
      });
    if (rand() < 0.08 && admins.length > 0)
      patched('mfa.UserBlocked', {
        actor: { userPrincipalName: pick(admins).userPrincipalName },
        target: mfaTarget,
        details: { phoneNumber: me.phone, phoneNumberFormatted: me.phoneFormatted },
      });
    if (rand() < 0.08 && admins.length > 0)
      patched('mfa.BypassGranted', {
        actor: { userPrincipalName: pick(admins).userPrincipalName },
        target: mfaTarget,
        details: {
          phoneNumber: me.phone,
          phoneNumberFormatted: me.phoneFormatted,
          extension: me.extension,
          cleanExtension: me.extension,
        },
      });
    if (rand() < 0.1)
      patched('mfa.UserChanged', {
        target: { userPrincipalName: p.userPrincipalName },
        details: {
          newPhoneNumber: me.phone,
          newBackupPhoneNumber: `${me.phone.slice(0, 6)}${String((Number(me.phone.slice(6)) + 50) % 10_000).padStart(4, '0')}`,
          oldDeviceToken: me.deviceToken,
          newDeviceToken: `${me.deviceToken}-2`,
        },
      });
  });
  // Someone changes the SSPR policy now and then (the policy-changes report).
  for (let i = 0; i < 3 && admins.length > 0; i++)
    patched('sspr.PolicyChanged', {
      actor: {
        userPrincipalName: admins[i % admins.length].userPrincipalName,
        displayName: admins[i % admins.length].displayName,
      },
    });
  return events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
}
