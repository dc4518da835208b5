import { RecentError, RecentErrors, sanitiseRecentError } from './recent-errors';

const error = (n: number, over: Partial<RecentError> = {}): RecentError => ({
  at: new Date(Date.UTC(2026, 10, 20, 9, 0, n)).toISOString(),
  status: 422,
  code: 'REPORT.PARAMETER_INVALID',
  method: 'GET',
  route: '/v1/reports/sspr/:report',
  requestId: `req-${n}`,
  tenantId: 'default',
  ...over,
});

describe('recent errors ring', () => {
  it('keeps the newest entries up to its capacity, newest first', () => {
    const ring = new RecentErrors(3);
    for (let i = 1; i <= 5; i++) ring.record(error(i));
    const { items, recordedTotal } = ring.forTenant('default');
    expect(items.map((e) => e.requestId)).toEqual(['req-5', 'req-4', 'req-3']);
    expect(recordedTotal).toBe(5);
  });

  it("shows a tenant only its own entries and counts the others'", () => {
    const ring = new RecentErrors(10);
    ring.record(error(1));
    ring.record(error(2, { tenantId: 'acme' }));
    ring.record(error(3, { tenantId: null, status: 401, code: 'AUTH.UNAUTHENTICATED' }));
    const seen = ring.forTenant('acme');
    expect(seen.items.map((e) => e.requestId)).toEqual(['req-2']);
    expect(seen.otherCount).toBe(2);
  });

  it('drops anything that is not a code, a route template or a request id', () => {
    const clean = sanitiseRecentError(
      error(1, {
        code: 'kim.akers@contoso.com',
        route: '/v1/audit-events?actor=kim.akers@contoso.com',
        requestId: 'kim akers',
        method: 'kim',
      }),
    );
    expect(JSON.stringify(clean)).not.toContain('kim');
    expect(clean).toMatchObject({
      code: 'UNKNOWN',
      route: 'unmatched',
      requestId: '',
      method: 'OTHER',
    });
  });
});
