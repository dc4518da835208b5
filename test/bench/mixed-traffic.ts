import type { Person, ProducerEvent } from '@authtrail/catalog';

/**
 * Seeded, realistic mixed SSPR and MFA traffic that exercises every report: people
 * register (some twice, some failing), reset (self-service and by admin, some failing),
 * admins reset their own passwords often, a few people hammer the reset flow (reset
 * attempts, failure bursts, throttling), and MFA produces attempts, activations, blocks
 * and fraud alerts, bypasses and changes. Deterministic per seed; ids are derived from
 * the seed, so two runs with one seed give the same events.
 */
export interface TrafficOptions {
  readonly people: number;
  /** Spread over this many days before `now` (events avoid the 7-day report boundary). */
  readonly days: number;
  readonly now: Date;
  readonly seed?: number;
}

export interface GeneratedPerson extends Person {
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly role: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SSPR_METHODS = ['AlternateEmail', 'OfficePhone', 'MobilePhone', 'SecurityQuestions'] as const;
const MFA_METHODS = ['PhoneCall', 'TextMessage', 'MobileApp', 'OathToken'] as const;
const ADMIN_ROLES = [
  'HelpdeskAdministrator',
  'UserAdministrator',
  'PasswordAdministrator',
] as const;

export function mixedTraffic(options: TrafficOptions): {
  people: GeneratedPerson[];
  events: ProducerEvent[];
} {
  let state = (options.seed ?? 7) >>> 0 || 1;
  const rand = (): number => {
    // xorshift32: fast, seedable, good enough for traffic shapes.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  let counter = 0;
  const uuid = (): string => {
    counter += 1;
    const hex = (counter + (options.seed ?? 7) * 1_000_003)
      .toString(16)
      .padStart(12, '0')
      .slice(-12);
    const r = Math.floor(rand() * 0xffff)
      .toString(16)
      .padStart(4, '0');
    return `7e57${r}-0000-4000-8000-${hex}`;
  };
  const now = options.now.getTime();
  // Any instant in the spread, away from the 7-day boundary of the resets report and
  // at least a minute old, so windows computed a moment apart agree.
  const at = (): number => {
    for (;;) {
      const t = now - 60_000 - Math.floor(rand() * options.days * DAY);
      if (Math.abs(now - t - 7 * DAY) > 3 * HOUR) return t;
    }
  };
  const iso = (t: number): string => new Date(Math.min(t, now - 60_000)).toISOString();

  const first = [
    'Kim',
    'Alex',
    'Sam',
    'Robin',
    'Noor',
    'Jo',
    'Mika',
    'Lee',
    'Ari',
    'Dana',
    'Eli',
    'Ira',
  ];
  const last = ['Akers', 'Berg', 'Chen', 'Diaz', 'Eze', 'Fox', 'Gupta', 'Hall', 'Ito', 'Jones'];
  const people: GeneratedPerson[] = Array.from({ length: Math.max(12, options.people) }, (_, i) => {
    const f = first[i % first.length];
    const l = last[Math.floor(i / first.length) % last.length];
    return {
      userPrincipalName: `${f}.${l}.${i}@contoso.example`.toLowerCase(),
      displayName: `${f} ${l} ${i}`,
      role: i % 8 === 0 ? pick(ADMIN_ROLES) : 'User',
    };
  });
  const admins = people.filter((p) => p.role !== 'User');
  const events: ProducerEvent[] = [];
  const add = (
    type: string,
    t: number,
    body: Omit<ProducerEvent, 'eventId' | 'type' | 'occurredAt'>,
  ): void => {
    events.push({ eventId: uuid(), type, occurredAt: iso(t), ...body });
  };
  const methodSet = (): string[] => {
    const set = new Set<string>([pick(SSPR_METHODS)]);
    if (rand() < 0.6) set.add(pick(SSPR_METHODS));
    return [...set];
  };

  people.forEach((p, i) => {
    const self = { actor: p, target: p };
    // Registration: most succeed; some register again later (the latest counts).
    const registered = methodSet();
    const regAt = i % 11 === 0 ? now - 200 * DAY : at();
    add('sspr.Registered', regAt, {
      ...self,
      result:
        rand() < 0.85
          ? { status: 'Success' }
          : { status: 'Failure', reason: 'UserAbandonedRegistration' },
      details: { methods: registered },
    });
    if (rand() < 0.25) {
      add('sspr.Registered', Math.min(now - 60_000, regAt + Math.floor(rand() * 5 * DAY)), {
        ...self,
        result:
          rand() < 0.6 ? { status: 'Success' } : { status: 'Failure', reason: 'PolicyNotMet' },
        details: { methods: methodSet() },
      });
    }
    for (let k = 0; k < Math.floor(rand() * 3); k++) {
      const t = at();
      add('sspr.ResetFlowProgressed', t - 30_000, {
        ...self,
        result: { status: 'Success' },
        details: { step: 'VerifyAuthenticationMethod', method: registered[0] },
      });
      add('sspr.PasswordResetSelfService', t, {
        ...self,
        result:
          rand() < 0.8
            ? { status: 'Success' }
            : { status: 'Failure', reason: 'FuzzyPolicyViolationInvalidPassword' },
        details: { methods: registered },
      });
    }
    // Admins who reset their own password again and again.
    if (p.role !== 'User' && i % 16 === 0) {
      for (let k = 0; k < 3 + (i % 3); k++) {
        add('sspr.PasswordResetSelfService', at(), {
          ...self,
          result: { status: 'Success' },
          details: { methods: registered },
        });
      }
    }
    // Someone hammering the reset flow within a day, then throttled.
    if (i % 9 === 4) {
      const t0 = at();
      for (let k = 0; k < 7; k++) {
        add('sspr.ResetFlowProgressed', t0 + k * 40 * 60_000, {
          ...self,
          result:
            k % 2 === 0
              ? { status: 'Failure', reason: 'WrongVerificationCode' }
              : { status: 'Success' },
          details: { step: 'VerifyMobilePhone', method: 'MobilePhone' },
        });
      }
      add('sspr.BlockedFromReset', t0 + 7 * 40 * 60_000, {
        ...self,
        result: { status: 'Success' },
        details: { throttledOperation: 'PasswordReset' },
      });
    }
    // A burst of failures within an hour.
    if (i % 13 === 6) {
      const t0 = at();
      for (let k = 0; k < 10 + (i % 3); k++) {
        add('sspr.PasswordChanged', t0 + k * 4 * 60_000, {
          ...self,
          result: { status: 'Failure', reason: 'FuzzyPolicyViolationInvalidPassword' },
          details: { trigger: 'Expired' },
        });
      }
    }
    if (rand() < 0.3)
      add('sspr.PasswordChanged', at(), {
        ...self,
        result: { status: 'Success' },
        details: { trigger: 'Voluntary' },
      });
    if (rand() < 0.25) {
      add('sspr.PasswordResetByAdmin', at(), {
        actor: pick(admins),
        target: p,
        result:
          rand() < 0.85
            ? { status: 'Success' }
            : { status: 'Failure', reason: 'FuzzyPolicyViolationInvalidPassword' },
        details: { onPremisesAgent: pick(['None', 'EntraConnect', 'CloudSync'] as const) },
      });
    }
    if (rand() < 0.1)
      add('sspr.AccountUnlocked', at(), {
        ...self,
        result:
          rand() < 0.7 ? { status: 'Success' } : { status: 'Failure', reason: 'AccountNotLocked' },
      });

    const mfaUser = { userPrincipalName: p.userPrincipalName, displayName: p.displayName };
    for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
      const ok = rand() < 0.8;
      // A few attempts older than the default 30-day window but inside MFA retention.
      const t = rand() < 0.1 ? now - (40 + Math.floor(rand() * 40)) * DAY : at();
      add('mfa.AuthenticationAttempted', t, {
        target: mfaUser,
        result: ok
          ? { status: 'Success', reason: 'Success: approved' }
          : { status: 'Failure', reason: 'Failed: no answer' },
        details: {
          authenticationMethod: pick(MFA_METHODS),
          authenticationType: 'RADIUS',
          applicationName: 'VPN',
          initiatingIpAddress: `203.0.113.${i % 250}`,
        },
      });
    }
    if (rand() < 0.3) {
      const ok = rand() < 0.8;
      add('mfa.AppActivated', at(), {
        target: mfaUser,
        result: ok
          ? { status: 'Success' }
          : { status: 'Failure', reason: 'ACTIVATION_CODE_EXPIRED' },
        details: {
          deviceType: pick(['iOS', 'Android']),
          appVersion: '6.8.2',
          oathTokenEnabled: rand() < 0.5,
          deviceName: `${p.displayName}'s phone`,
        },
      });
    }
    if (rand() < 0.15) {
      const fraud = rand() < 0.5;
      const completed = rand() < 0.4;
      add('mfa.UserBlocked', at(), {
        ...(fraud ? {} : { actor: { userPrincipalName: pick(admins).userPrincipalName } }),
        target: mfaUser,
        result: { status: 'Success' },
        details: {
          blocked: !fraud || rand() < 0.5,
          fraudAlert: fraud,
          blockReason: fraud ? 'Fraud alert reported by user' : 'Lost phone',
          phoneNumber: '4255550123',
          ...(completed
            ? { completedAt: iso(now - 2 * HOUR), completionReason: 'Unblocked by admin' }
            : {}),
        },
      });
    }
    if (rand() < 0.1) {
      add('mfa.BypassGranted', at(), {
        actor: { userPrincipalName: pick(admins).userPrincipalName },
        target: mfaUser,
        result: { status: 'Success' },
        details: {
          bypassSeconds: pick([300, 3600, 86_400 * 60]),
          bypassReason: 'Phone lost',
          bypassUsed: rand() < 0.5,
        },
      });
    }
    if (rand() < 0.15) {
      add('mfa.UserChanged', at(), {
        target: mfaUser,
        result: { status: 'Success' },
        details: {
          newCountryCode: pick(['1', '44', '49']),
          newPhoneNumber: '7700900123',
          ...(rand() < 0.5 ? { newPin: '482915' } : {}),
          pinChangeRequired: rand() < 0.3,
        },
      });
    }
  });
  events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  return { people, events };
}
