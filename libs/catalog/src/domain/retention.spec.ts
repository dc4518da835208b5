import {
  PRUNED_CATEGORIES,
  configuredRetentionDays,
  isPastRetention,
  retentionCutoff,
  retentionDays,
} from './retention';
import { normalisePrincipalName } from './principal-name';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const daysAgo = (d: number, extraMs = 0) => new Date(NOW.getTime() - d * 86_400_000 - extraMs);

describe('retention', () => {
  it('keeps MFA 90 days and everything else a year', () => {
    expect(retentionDays('mfa')).toBe(90);
    for (const c of ['sspr', 'privacy', 'tenant', 'access', 'ledger'] as const)
      expect(retentionDays(c)).toBe(365);
  });

  it('is past retention only once the whole window has passed', () => {
    expect(isPastRetention('mfa', daysAgo(89), NOW)).toBe(false);
    expect(isPastRetention('mfa', daysAgo(90), NOW)).toBe(false);
    expect(isPastRetention('mfa', daysAgo(90, 1), NOW)).toBe(true);
    expect(isPastRetention('sspr', daysAgo(90, 1), NOW)).toBe(false);
    expect(isPastRetention('sspr', daysAgo(365, 1), NOW)).toBe(true);
    expect(isPastRetention('sspr', new Date(NOW.getTime() + 60_000), NOW)).toBe(false);
    expect(retentionCutoff('mfa', NOW).toISOString()).toBe('2026-08-22T12:00:00.000Z');
  });
});

describe('configuredRetentionDays', () => {
  it('gives MFA and SSPR their configured windows and authtrail’s own records the longer one', () => {
    const windows = { mfaDays: 30, ssprDays: 400 };
    expect(configuredRetentionDays(windows, 'mfa')).toBe(30);
    expect(configuredRetentionDays(windows, 'sspr')).toBe(400);
    expect(configuredRetentionDays({ mfaDays: 500, ssprDays: 400 }, 'access')).toBe(500);
    expect(PRUNED_CATEGORIES.map((c) => configuredRetentionDays(windows, c))).toEqual([
      30, 400, 400,
    ]);
  });
});

describe('normalisePrincipalName', () => {
  it('trims, composes and lower-cases', () => {
    expect(normalisePrincipalName('  Kim.Akers@Contoso.COM\t')).toBe('kim.akers@contoso.com');
    const decomposed = 'Rene\u0301@contoso.com';
    const composed = 'Ren\u00e9@contoso.com';
    expect(decomposed).not.toBe(composed);
    expect(normalisePrincipalName(decomposed)).toBe(normalisePrincipalName(composed));
    expect(normalisePrincipalName(composed)).toBe('ren\u00e9@contoso.com');
  });
});
