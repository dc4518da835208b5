import { randomUUID } from 'node:crypto';
import { ProducerEvent, exampleEvent } from '@authtrail/catalog';

/**
 * Realistic demo traffic for a tenant: people register for SSPR, reset and change
 * passwords (some failing on banned passwords), helpdesk admins reset for others, a few
 * get throttled, and MFA produces attempts, activations, blocks, bypasses and changes.
 * Deterministic for a given seed so demos and screenshots repeat.
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
  for (const p of people) {
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
    for (let i = 0; i < 1 + Math.floor(rand() * 4); i++)
      add('mfa.AuthenticationAttempted', { target: { userPrincipalName: p.userPrincipalName } });
    if (rand() < 0.3)
      add('mfa.AppActivated', { target: { userPrincipalName: p.userPrincipalName } });
    if (rand() < 0.05 && admins.length > 0)
      add('mfa.UserBlocked', {
        actor: { userPrincipalName: pick(admins).userPrincipalName },
        target: { userPrincipalName: p.userPrincipalName },
      });
    if (rand() < 0.05 && admins.length > 0)
      add('mfa.BypassGranted', {
        actor: { userPrincipalName: pick(admins).userPrincipalName },
        target: { userPrincipalName: p.userPrincipalName },
      });
    if (rand() < 0.1)
      add('mfa.UserChanged', { target: { userPrincipalName: p.userPrincipalName } });
  }
  return events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
}
