import {
  TENANT_EVENT,
  TenantEvent,
  decideCancelDeletion,
  decideCreate,
  decideOptIn,
  decideScheduleDeletion,
  evolveTenant,
  initialTenantState,
  isDeletionDue,
} from './tenant';

const given = (...events: TenantEvent[]) => events.reduce(evolveTenant, initialTenantState('acme'));
const created: TenantEvent = { type: TENANT_EVENT.created, data: {} };
const now = new Date('2026-11-22T10:00:00Z');

describe('tenant lifecycle', () => {
  it('given nothing, when created, then TenantCreated; given created, creating again is refused', () => {
    expect(decideCreate(given())).toEqual({
      ok: true,
      events: [{ type: TENANT_EVENT.created, data: { tenantId: 'acme' } }],
    });
    expect(decideCreate(given(created))).toMatchObject({ ok: false, code: 'TENANT.EXISTS' });
  });

  it('given created, when opting in, then TenantOptedIn once (idempotent)', () => {
    const first = decideOptIn(given(created), now);
    expect(first).toEqual({
      ok: true,
      events: [{ type: TENANT_EVENT.optedIn, data: { optedInAt: now.toISOString() } }],
    });
    const state = given(created, ...(first.ok ? first.events : []));
    expect(state.optedIn).toBe(true);
    expect(decideOptIn(state, now)).toEqual({ ok: true, events: [] });
  });

  it('schedules deletion after the grace period, cancellable, then due', () => {
    const d = decideScheduleDeletion(given(created), now, 7 * 86_400_000);
    expect(d.ok && d.events).toEqual([
      {
        type: TENANT_EVENT.deletionScheduled,
        data: { requestedAt: now.toISOString(), dueAt: '2026-11-29T10:00:00.000Z' },
      },
    ]);
    const scheduled = given(created, ...(d.ok ? d.events : []));
    expect(isDeletionDue(scheduled, now)).toBe(false);
    expect(isDeletionDue(scheduled, new Date('2026-11-29T10:00:00Z'))).toBe(true);
    const c = decideCancelDeletion(scheduled);
    const cancelled = given(created, ...(d.ok ? d.events : []), ...(c.ok ? c.events : []));
    expect(cancelled.deletionDueAt).toBeNull();
    expect(decideCancelDeletion(cancelled)).toMatchObject({
      ok: false,
      code: 'TENANT.NO_DELETION_SCHEDULED',
    });
  });

  it('a deleted tenant accepts nothing', () => {
    const deleted = given(created, { type: TENANT_EVENT.deleted, data: {} });
    expect(deleted.deleted).toBe(true);
    expect(decideOptIn(deleted, now)).toMatchObject({ ok: false, code: 'TENANT.NOT_FOUND' });
    expect(decideScheduleDeletion(deleted, now, 0)).toMatchObject({ ok: false });
  });
});
