import { ParamReader } from '../../domain/report-params';
import type { ReportContext } from './report-definition';
import {
  AnyReport,
  MFA_REPORTS,
  REPORTS,
  SSPR_REPORTS,
  findReport,
  reportCatalog,
} from './report-registry';

const ctx: ReportContext = {
  tenantId: 'acme',
  now: new Date('2026-11-20T10:00:00Z'),
  retentionDays: { sspr: 365, mfa: 90 },
  since: (c) =>
    new Date(Date.parse('2026-11-20T10:00:00Z') - (c === 'mfa' ? 90 : 365) * 86_400_000),
  people: () => Promise.resolve(new Map()),
};

describe('report registry', () => {
  const all = REPORTS as readonly AnyReport[];

  it('names each report once per service, with its question and CSV columns', () => {
    const keys = all.map((r) => `${r.service}/${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of all) {
      expect(r.name).toMatch(/^[a-z][a-z-]*$/);
      expect(r.title.length).toBeGreaterThan(10);
      expect(r.columns.length).toBeGreaterThan(0);
      expect(new Set(r.columns).size).toBe(r.columns.length);
      expect(findReport(r.service, r.name)).toBe(r);
    }
    expect(findReport('sspr', 'attempts')).toBeNull();
    expect([...SSPR_REPORTS, ...MFA_REPORTS]).toEqual(all.map((r) => r.name));
    expect(reportCatalog().map((r) => r.path)).toEqual(keys.map((k) => `/v1/reports/${k}`));
  });

  it('every report reads its defaults from no parameters, and refuses an unknown one', () => {
    for (const r of all) {
      const p = new ParamReader({});
      r.params(p, ctx);
      expect(() => p.done()).not.toThrow();
      const bad = new ParamReader({ nope: '1' });
      r.params(bad, ctx);
      expect(() => bad.done()).toThrow(/nope/);
    }
  });

  it('a windowed report takes its default window, narrowed to retention; a current-state one refuses a window', () => {
    for (const r of all) {
      const p = new ParamReader({ days: '7' });
      const params = r.params(p, ctx) as { from?: Date; window?: { from: Date } };
      if (r.defaultDays === null) {
        expect(() => p.done()).toThrow(/days/);
        continue;
      }
      expect(() => p.done()).not.toThrow();
      const from = params.from ?? params.window?.from;
      expect([r.name, from?.toISOString()]).toEqual([r.name, '2026-11-13T10:00:00.000Z']);
      const long = r.params(new ParamReader({ days: '3000' }), ctx) as typeof params;
      expect((long.from ?? long.window?.from)?.getTime()).toBe(ctx.since(r.service).getTime());
    }
  });
});
