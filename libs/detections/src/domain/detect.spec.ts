import { SUSPICIOUS_SIGNALS } from '@authtrail/catalog';
import type { Alert } from './alert';
import { PersonState, detect } from './detect';
import { DETECTION_RULES, DetectionEvent, RESET_THEN_CHANGE_MS } from './detection-rules';

const T0 = Date.parse('2026-11-02T08:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const KIM = 's_kim';
const ADMIN = 's_admin';

let position = 0;
function ev(type: string, at: number, o: Partial<DetectionEvent> = {}): DetectionEvent {
  position += 1;
  return {
    position,
    eventId: `e-${position}`,
    tenantId: 'contoso',
    type,
    occurredAtMs: at,
    recordedAtMs: at + 1000,
    actor: KIM,
    target: KIM,
    status: 'Success',
    actorRole: 'User',
    targetRole: 'User',
    ...o,
  };
}

/** Given events, in this order, when detected from an empty state: the alerts. */
function run(events: readonly DetectionEvent[], states = new Map<string, PersonState>()): Alert[] {
  return events.flatMap((e) => detect(DETECTION_RULES, e, states));
}

const resets = (n: number, from: number, every: number) =>
  Array.from({ length: n }, (_, i) => ev('sspr.PasswordResetSelfService', from + i * every));

beforeEach(() => {
  position = 0;
});

describe('live detection rules (the suspicious report signals)', () => {
  it('reset-attempts: the report threshold (more than 5 in 24 h) fires once per burst', () => {
    const { moreThan } = SUSPICIOUS_SIGNALS.resetAttempts;
    expect(run(resets(moreThan, T0, HOUR))).toEqual([]);
    position = 0;
    const alerts = run(resets(moreThan + 3, T0, HOUR));
    expect(alerts.map((a) => [a.rule, a.subjectId, a.count, a.position])).toEqual([
      ['reset-attempts', KIM, moreThan + 1, moreThan + 1],
    ]);
    expect(alerts[0].events.map((e) => e.uid)).toEqual(
      Array.from({ length: moreThan + 1 }, (_, i) => `e-${i + 1}`),
    );
    expect(alerts[0]).toMatchObject({ firstSeenMs: T0, lastSeenMs: T0 + moreThan * HOUR });
  });

  it('reset-attempts: six spread over more than 24 h are no burst; a new burst a day later is a new alert', () => {
    expect(run(resets(6, T0, 5 * HOUR))).toEqual([]);
    position = 0;
    const states = new Map<string, PersonState>();
    const first = run(resets(6, T0, MIN), states);
    const second = run(resets(6, T0 + 30 * HOUR, MIN), states);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(second[0].id).not.toBe(first[0].id);
  });

  it('failure-burst: more than 9 failed SSPR activities within an hour, by the actor', () => {
    const fail = (at: number) => ev('sspr.ResetFlowProgressed', at, { status: 'Failure' });
    const burst = (alerts: Alert[]) => alerts.filter((a) => a.rule === 'failure-burst');
    expect(burst(run(Array.from({ length: 10 }, (_, i) => fail(T0 + i * 10 * MIN))))).toEqual([]);
    position = 0;
    const alerts = run(Array.from({ length: 10 }, (_, i) => fail(T0 + i * MIN)));
    expect(alerts.map((a) => a.rule)).toContain('failure-burst');
    expect(alerts.find((a) => a.rule === 'failure-burst')!.count).toBe(10);
  });

  it('blocked: every throttling of the target alerts, folded for the 24 h it lasts', () => {
    const block = (at: number) => ev('sspr.BlockedFromReset', at);
    const alerts = run([block(T0), block(T0 + HOUR), block(T0 + 25 * HOUR)]);
    expect(alerts.map((a) => [a.rule, a.position])).toEqual([
      ['blocked', 1],
      ['blocked', 3],
    ]);
  });

  it("admin-self-reset: an admin's own successful self-service resets, at least the report's default min in 30 days", () => {
    const own = (at: number, o: Partial<DetectionEvent> = {}) =>
      ev('sspr.PasswordResetSelfService', at, {
        actor: ADMIN,
        target: ADMIN,
        actorRole: 'HelpdeskAdministrator',
        targetRole: 'HelpdeskAdministrator',
        ...o,
      });
    const day = 24 * HOUR;
    expect(run([own(T0), own(T0 + 10 * day)])).toEqual([]);
    position = 0;
    const alerts = run([own(T0), own(T0 + 10 * day), own(T0 + 20 * day)]);
    expect(alerts.map((a) => [a.rule, a.subjectId, a.count])).toEqual([
      ['admin-self-reset', ADMIN, 3],
    ]);
    position = 0;
    // A user (not an admin), a failed reset, an admin resetting someone else's password: none.
    expect(
      run([
        own(T0, { actorRole: 'User', targetRole: 'User' }),
        own(T0 + day, { status: 'Failure' }),
        ev('sspr.PasswordResetByAdmin', T0 + 2 * day, {
          actor: ADMIN,
          actorRole: 'HelpdeskAdministrator',
        }),
        own(T0 + 3 * day),
        own(T0 + 4 * day),
      ]).filter((a) => a.rule === 'admin-self-reset'),
    ).toEqual([]);
  });
});

describe('reset followed by an MFA method change', () => {
  const reset = (at: number, o: Partial<DetectionEvent> = {}) =>
    ev('sspr.PasswordResetByAdmin', at, { actor: ADMIN, actorRole: 'HelpdeskAdministrator', ...o });

  it.each(['mfa.UserChanged', 'mfa.AppActivated', 'sspr.Registered'])(
    'a reset then %s of the same person within 10 minutes is a high-severity alert',
    (change) => {
      const alerts = run([reset(T0), ev(change, T0 + 4 * MIN)]);
      expect(alerts.map((a) => [a.rule, a.subjectId, a.severityId])).toEqual([
        ['reset-then-mfa-change', KIM, 4],
      ]);
      expect(alerts[0].events.map((e) => e.type)).toEqual(['sspr.PasswordResetByAdmin', change]);
    },
  );

  it('not after more than 10 minutes, not after a failed reset, not for another person', () => {
    expect(run([reset(T0), ev('mfa.UserChanged', T0 + RESET_THEN_CHANGE_MS + 1)])).toEqual([]);
    expect(run([reset(T0, { status: 'Failure' }), ev('mfa.UserChanged', T0 + MIN)])).toEqual([]);
    expect(
      run([reset(T0), ev('mfa.UserChanged', T0 + MIN, { actor: 's_lee', target: 's_lee' })]),
    ).toEqual([]);
  });

  it('finds the pair when the change is stored before the reset (out of order), with the same id either way', () => {
    const inOrder = run([reset(T0), ev('mfa.AppActivated', T0 + 2 * MIN)]);
    position = 0;
    const change = ev('mfa.AppActivated', T0 + 2 * MIN, { eventId: 'e-2' });
    const r = reset(T0, { eventId: 'e-1' });
    const reversed = run([change, r]);
    expect(reversed).toHaveLength(1);
    expect(reversed[0].id).toBe(inOrder[0].id);
  });

  it('more changes after the same reset are the same alert (same id)', () => {
    const alerts = run([
      reset(T0),
      ev('mfa.UserChanged', T0 + MIN),
      ev('mfa.AppActivated', T0 + 2 * MIN),
    ]);
    expect(new Set(alerts.map((a) => a.id)).size).toBe(1);
  });
});

describe('replays', () => {
  it('an event at or below a person’s applied position changes nothing and alerts nothing', () => {
    const states = new Map<string, PersonState>();
    const events = resets(6, T0, MIN);
    expect(run(events, states)).toHaveLength(1);
    const after = structuredClone(states);
    expect(run(events, states)).toEqual([]);
    expect(states).toEqual(after);
  });

  it('the same log from scratch gives the same alerts with the same ids (deterministic)', () => {
    const log = [...resets(7, T0, MIN), ev('mfa.UserChanged', T0 + 8 * MIN)];
    const a = run(log);
    const b = run(log);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(a[0].id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
