import { ParamReader } from '../../../domain/report-params';
import type { ReportContext } from '../report-definition';
import { resetBuckets, resetsOverTime } from './resets-over-time.report';

const NOW = new Date('2026-11-20T10:30:00.000Z');
const ctx: ReportContext = {
  tenantId: 'acme',
  now: NOW,
  retentionDays: { sspr: 365, mfa: 90 },
  since: (c) => new Date(NOW.getTime() - (c === 'mfa' ? 90 : 365) * 86_400_000),
  people: () => Promise.resolve(new Map()),
};
const params = (query: Record<string, string>) => {
  const p = new ParamReader(query);
  const q = resetsOverTime.params(p, ctx);
  p.done();
  return q;
};

describe('resets-over-time buckets', () => {
  it('cuts the window on UTC midnights: the first bucket starts at its start, the last ends at its end', () => {
    const q = params({ from: '2026-11-17T10:30:00.000Z', to: '2026-11-20T10:30:00.000Z' });
    expect(q.interval).toBe('day');
    expect(resetBuckets(q).map((b) => [b.from.toISOString(), b.to.toISOString()])).toEqual([
      ['2026-11-17T10:30:00.000Z', '2026-11-18T00:00:00.000Z'],
      ['2026-11-18T00:00:00.000Z', '2026-11-19T00:00:00.000Z'],
      ['2026-11-19T00:00:00.000Z', '2026-11-20T00:00:00.000Z'],
      ['2026-11-20T00:00:00.000Z', '2026-11-20T10:30:00.000Z'],
    ]);
  });

  it('takes weeks beyond 92 days (or when asked), counted from the first midnight', () => {
    const long = params({ days: '120' });
    expect(long.interval).toBe('week');
    const weeks = resetBuckets(long);
    expect(weeks).toHaveLength(18);
    expect(weeks[0].from).toEqual(long.from);
    expect(weeks[1].from.toISOString()).toBe('2026-07-30T00:00:00.000Z');
    expect(weeks[weeks.length - 1].to).toEqual(NOW);
    expect(params({ days: '14', interval: 'week' }).interval).toBe('week');
    // Contiguous: each bucket starts where the one before ended.
    for (let i = 1; i < weeks.length; i++) expect(weeks[i].from).toEqual(weeks[i - 1].to);
  });

  it('names a bad interval, and a window of more days than a chart shows', () => {
    expect(() => params({ interval: 'hour' })).toThrow(/interval/);
    expect(params({ days: '365', interval: 'day' }).interval).toBe('day');
    const wide = { ...ctx, since: () => new Date('2020-01-01T00:00:00.000Z') };
    const p = new ParamReader({ days: '500', interval: 'day' });
    resetsOverTime.params(p, wide);
    expect(() => p.done()).toThrow(
      expect.objectContaining({
        errors: [
          expect.objectContaining({
            path: 'interval',
            message: expect.stringMatching(/interval=week/),
          }),
        ],
      }),
    );
  });
});
